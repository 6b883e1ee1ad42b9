"""An appointment as an iCalendar file (RFC 5545) for the resident's own calendar app.

Times are written in Europe/Berlin with a VTIMEZONE, so calendars show the right wall-clock time on both
sides of a daylight-saving change; an alarm reminds one day and one hour before (per RFC 5545 VALARM).
The texts are looked up once, in the resident's language (`locales/<lang>/appointments.json`,
`appointments.ics.*`), and written into the file: a calendar file leaves the app and cannot look them up
later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from leipzig_app.domain.appointments import BERLIN, AppointmentRecord, BookingState
from leipzig_app.i18n import Translator

PRODID = "-//Leipzig App//Termine//DE"


def duration_of(record: AppointmentRecord) -> timedelta:
    """How long to block in the calendar: 15 minutes per person and service, at least 15 minutes."""
    return timedelta(minutes=15 * max(1, sum(record.service_counts)))


def to_ics(record: AppointmentRecord, *, language: str = "de", now: datetime) -> bytes:
    from icalendar import Alarm, Calendar, Event

    t = Translator(language)
    services = ", ".join(record.service_names)
    values = {"services": services, "name": record.name, "office": record.office_name}
    start = record.start.astimezone(BERLIN)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", f"{record.id}@leipzig-app")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + duration_of(record))
    event.add("summary", t("appointments.ics.summary", **values))
    event.add("location", f"{record.office_name}, {record.office_address}")
    event.add("description", t("appointments.ics.description", **values))
    event.add("status", "CANCELLED" if record.state is BookingState.CANCELLED else "CONFIRMED"
              if record.state is BookingState.CONFIRMED else "TENTATIVE")  # fmt: skip
    for before, key in ((timedelta(days=1), "alarm_day"), (timedelta(hours=1), "alarm_hour")):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -before)
        alarm.add("description", t(f"appointments.ics.{key}", **values))
        event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data
