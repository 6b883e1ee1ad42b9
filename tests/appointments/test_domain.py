"""Pure rules: contact checks, person counts, search, distance, release times, and the secret file."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from leipzig_app.adapters.secrets import FileSecretStore, SecretStoreError
from leipzig_app.domain.appointments import (
    BERLIN,
    Catalog,
    Contact,
    InvalidBookingError,
    Office,
    Service,
    check_contact,
    check_person_count,
    distance_km,
    next_release,
    parse_release_times,
    reservation_minutes_left,
)

GOHLIS = Office("10003", "Bürgeramt Gohlis", telephone_required=True)
GRUENAU = Office("10002", "Bürgeramt Grünau")


@pytest.mark.parametrize(
    ("contact", "office", "key"),
    [
        (Contact("E", "erika@example.org"), GRUENAU, "appointments.error.name"),
        (Contact("Erika", "erika@example"), GRUENAU, "appointments.error.email"),
        (Contact("Erika", "erika@example.org"), GOHLIS, "appointments.error.phone_required"),
        (Contact("Erika", "erika@example.org", "call me"), GRUENAU, "appointments.error.phone"),
    ],
)
def test_contact_problems_name_the_field(contact: Contact, office: Office, key: str) -> None:
    with pytest.raises(InvalidBookingError) as caught:
        check_contact(contact, office)
    assert caught.value.key == key


def test_contact_is_cleaned() -> None:
    cleaned = check_contact(Contact("  Erika Mustermann ", " erika@example.org ", " +49 341 123-0 "), GOHLIS)
    assert cleaned == Contact("Erika Mustermann", "erika@example.org", "+49 341 123-0")


def test_person_count_within_the_service_maximum() -> None:
    service = Service("120686", "Wohnsitz anmelden", max_quantity=6)
    check_person_count(service, 6)
    for count in (0, 7):
        with pytest.raises(InvalidBookingError) as caught:
            check_person_count(service, count)
        assert caught.value.params == {"max": 6}


def test_search_ignores_case_and_umlaut_spelling() -> None:
    catalog = Catalog(
        offices=(),
        services=(Service("1", "Führungszeugnis beantragen"), Service("2", "Wohnsitz anmelden")),
        relations=(),
    )
    assert [s.id for s in catalog.search("fuehrungszeugnis")] == ["1"]
    assert [s.id for s in catalog.search("WOHNSITZ an")] == ["2"]
    assert [s.id for s in catalog.search("")] == ["1", "2"]


def test_distance_between_two_offices() -> None:
    # Zentrum to Grünau, about 6.6 km as the crow flies
    assert distance_km(51.3381, 12.3715, 51.3131, 12.2851) == pytest.approx(6.6, abs=0.3)


def test_next_release_and_minutes_left() -> None:
    times = parse_release_times(["17:00", "10:00"])
    assert times == (time(10, 0), time(17, 0))
    evening = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)  # 17:59 in Leipzig
    assert next_release(evening, times) == datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)
    assert next_release(evening, ()) is None
    with pytest.raises(InvalidBookingError):
        parse_release_times(["10 Uhr"])
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert reservation_minutes_left(datetime(2026, 11, 23, 10, 14, 1, tzinfo=UTC), now) == 15
    assert reservation_minutes_left(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), now) == 0
    assert reservation_minutes_left(None, now) == 0


async def test_secret_file_is_private_and_survives_a_new_instance(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path)
    assert await store.get("appointments.x") is None
    await store.set("appointments.x", "100001\nkey")
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    assert await FileSecretStore(tmp_path).get("appointments.x") == "100001\nkey"
    await store.delete("appointments.x")
    assert json.loads((tmp_path / "secrets.json").read_text()) == {}


async def test_damaged_secret_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "secrets.json").write_text("[1, 2")
    with pytest.raises(SecretStoreError) as caught:
        await FileSecretStore(tmp_path).get("appointments.x")
    assert caught.value.key == "error.storage"
