"""The .ics export: Europe/Berlin times with a VTIMEZONE, alarms, and times right across the DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from leipzig_app.domain.appointments import BERLIN, AppointmentRecord, BookingState
from leipzig_app.services.appointments_calendar import to_ics


def record(start: datetime, state: BookingState = BookingState.CONFIRMED) -> AppointmentRecord:
    return AppointmentRecord(
        id="4f2a",
        office_id="10001",
        office_name="Bürgeramt Zentrum (Demo)",
        office_address="Otto-Schill-Straße 2, 04109 Leipzig",
        service_ids=("120686",),
        service_names=("Wohnsitz anmelden",),
        service_counts=(2,),
        start=start,
        state=state,
        name="Erika Mustermann",
        email="erika@example.org",
    )


NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def test_event_in_berlin_time_with_timezone_and_alarms() -> None:
    data = to_ics(record(datetime(2026, 10, 26, 9, 0, tzinfo=BERLIN)), now=NOW)
    text = data.decode()
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in text
    assert "DTSTART;TZID=Europe/Berlin:20261026T090000" in text
    assert "DTEND;TZID=Europe/Berlin:20261026T093000" in text  # two persons, 15 minutes each
    calendar = Calendar.from_ical(data)
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert str(event["summary"]) == "Termin: Wohnsitz anmelden"
    assert "Otto-Schill-Straße 2" in str(event["location"])
    assert str(event["status"]) == "CONFIRMED"
    triggers = sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))
    assert triggers == [timedelta(days=-1), timedelta(hours=-1)]


def test_summer_time_and_language() -> None:
    data = to_ics(
        record(datetime(2027, 3, 29, 9, 0, tzinfo=BERLIN), BookingState.WAITING_FOR_CONFIRMATION),
        language="en",
        now=NOW,
    )
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert str(event["summary"]) == "Appointment: Wohnsitz anmelden"
    assert str(event["status"]) == "TENTATIVE"


def test_texts_in_ukrainian_and_arabic_come_from_the_locale_files() -> None:
    from leipzig_app.i18n import catalog

    for language in ("uk", "ar"):
        texts = catalog(language)
        data = to_ics(record(datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN)), language=language, now=NOW)
        event = Calendar.from_ical(data).walk("VEVENT")[0]
        values = {
            "services": "Wohnsitz anmelden",
            "name": "Erika Mustermann",
            "office": "Bürgeramt Zentrum (Demo)",
        }
        assert str(event["summary"]) == texts["appointments.ics.summary"].format(**values)
        assert str(event["description"]) == texts["appointments.ics.description"].format(**values)
        alarms = {alarm.decoded("trigger"): str(alarm["description"]) for alarm in event.walk("VALARM")}
        assert alarms == {
            timedelta(days=-1): texts["appointments.ics.alarm_day"].format(**values),
            timedelta(hours=-1): texts["appointments.ics.alarm_hour"].format(**values),
        }
        # none of the German or English words are left
        assert not {"Termin", "Morgen", "Appointment", "Tomorrow"} & set(str(event["summary"]).split())
        assert "Termin im" not in "".join(alarms.values())
