"""Payment reminders as iCalendar files (RFC 5545) for the resident's own calendar app.

One VEVENT on the reminder day at 09:00 local time with a display VALARM at its start, and the city's
time zone (Europe/Berlin by default) as a VTIMEZONE, so every calendar shows the same wall-clock time.
The UID is stable per letter: importing a changed reminder replaces the old entry instead of adding one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leipzig_app.domain.letters import Reminder

REMINDER_TIME = time(9, 0)
PRODID = "-//Leipzig App//Zahlungserinnerung//DE"


class IcsReminderCalendar:
    """Implements the `ReminderCalendar` port with icalendar."""

    def __init__(self, timezone: str = "Europe/Berlin", *, uid_domain: str = "leipzig-app.de"):
        self.timezone = timezone
        self.uid_domain = uid_domain

    def reminder_ics(self, reminder: Reminder, *, summary: str, description: str) -> bytes:
        import icalendar

        zone = ZoneInfo(self.timezone)
        start = datetime.combine(reminder.remind_on, REMINDER_TIME, tzinfo=zone)
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        event = icalendar.Event()
        event.add("uid", f"reminder-{reminder.letter_id}@{self.uid_domain}")
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=15))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
        # Only the transitions around the reminder: keeps the file small and every calendar exact.
        year = reminder.remind_on.year
        calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
        return bytes(calendar.to_ical())
