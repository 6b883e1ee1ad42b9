"""Pure report and outbox rules: validation, grouping, duplicates, matching, retry policy, transitions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from leipzig_app.domain import outbox as rules
from leipzig_app.domain.errors import OfflineError, ServerError
from leipzig_app.domain.outbox import OutboxItem, OutboxState, Outcome, RetryPolicy, classify
from leipzig_app.domain.reports import (
    AttributeValue,
    DeliveryUncertainError,
    Location,
    ReportDraft,
    ReportInvalidError,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
    draft_problems,
    group_services,
    matches_report,
    nearby_open,
    normalise_attributes,
    search_services,
    validate_draft,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEFINITION = ServiceDefinition(
    "muell",
    (
        ServiceAttribute(
            "art",
            "multivaluelist",
            "Was liegt dort?",
            True,
            values=(AttributeValue("a", "A"), AttributeValue("b", "B")),
        ),
        ServiceAttribute("menge", "number", "Menge"),
        ServiceAttribute("seit", "datetime", "Seit wann?"),
        ServiceAttribute("lage", "singlevaluelist", "Lage", values=(AttributeValue("x", "X"),)),
    ),
)


def _draft(**changes: object) -> ReportDraft:
    values: dict[str, object] = {
        "service_code": "muell",
        "location": Location(lat=51.34, long=12.37),
        "description": "Säcke",
        "attributes": {"art": ("a", "b")},
    }
    values.update(changes)
    return ReportDraft(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"location": Location()}, "reports.error.no_location"),
        ({"location": Location(lat=99.0, long=12.0)}, "reports.error.bad_location"),
        ({"description": "  "}, "reports.error.no_description"),
        ({"description": "x" * 4001}, "reports.error.description_too_long"),
        ({"email": "nobody"}, "reports.error.bad_email"),
        ({"attributes": {}}, "reports.error.attribute_required"),
        ({"attributes": {"art": ("c",)}}, "reports.error.attribute_choice"),
        ({"attributes": {"art": ("a",), "menge": ("viel",)}}, "reports.error.attribute_number"),
        ({"attributes": {"art": ("a",), "seit": ("gestern",)}}, "reports.error.attribute_datetime"),
        ({"attributes": {"art": ("a",), "lage": ("x", "x")}}, "reports.error.attribute_single"),
        ({"attributes": {"art": ("a",), "farbe": ("rot",)}}, "reports.error.unknown_attribute"),
    ],
)
def test_validation_names_the_problem(changes: dict[str, object], key: str) -> None:
    with pytest.raises(ReportInvalidError) as caught:
        validate_draft(_draft(**changes), DEFINITION)
    assert caught.value.key == key


def test_every_problem_is_named_once_per_field() -> None:
    draft = _draft(
        location=Location(),
        description="",
        email="nobody",
        attributes={"menge": ("viel", "mehr"), "seit": ("gestern",)},
    )
    found = [(p.params["field"], p.key) for p in draft_problems(draft, DEFINITION)]
    assert found == [
        ("location", "reports.error.no_location"),
        ("description", "reports.error.no_description"),
        ("email", "reports.error.bad_email"),
        ("art", "reports.error.attribute_required"),
        ("menge", "reports.error.attribute_single"),
        ("seit", "reports.error.attribute_datetime"),
    ]
    assert draft_problems(_draft(), DEFINITION) == []


def test_valid_drafts_pass() -> None:
    validate_draft(_draft(description="x" * 4000, email="a@example.org"), DEFINITION)
    validate_draft(_draft(location=Location(address="Markt 1")), DEFINITION)
    assert normalise_attributes({"menge": [" 1,5 "], "art": ["", "a"]}, DEFINITION) == {
        "menge": ("1.5",),
        "art": ("a",),
    }


def test_grouping_and_search() -> None:
    services = [
        Service("b", "Zaun", group="Grün", keywords=("Holz",)),
        Service("a", "Ampel", group="Verkehr"),
        Service("c", "Anderes"),
    ]
    groups = group_services(services)
    assert [g for g, _ in groups] == ["Grün", "Verkehr", ""]
    assert [s.code for s in search_services(services, "holz")] == ["b"]
    assert [s.code for s in search_services(services, "verkehr amp")] == ["a"]


def test_nearby_open_within_50_m_same_category() -> None:
    here = Location(lat=51.3400, long=12.3700)
    requests = [
        ServiceRequest("1", "open", "muell", lat=51.3402, long=12.3701),  # ~23 m
        ServiceRequest("2", "closed", "muell", lat=51.3400, long=12.3700),
        ServiceRequest("3", "open", "ampel", lat=51.3400, long=12.3700),
        ServiceRequest("4", "open", "muell", lat=51.3500, long=12.3700),  # ~1.1 km
        ServiceRequest("5", "open", "muell", lat=51.34001, long=12.37001),  # ~1 m
    ]
    assert [r.id for r in nearby_open(requests, here, "muell")] == ["5", "1"]
    by_address = [ServiceRequest("6", "open", "muell", address="Karl-Liebknecht-Straße 1")]
    assert nearby_open(by_address, Location(address="karl-liebknecht-str. 1"), "muell")


def test_matching_a_stored_request() -> None:
    draft = _draft(description="Säcke  am\nGehweg")
    same = ServiceRequest(
        "9", "open", "muell", description="Säcke am Gehweg", requested_datetime=NOW, lat=51.34, long=12.37
    )
    assert matches_report(same, draft, NOW)
    assert not matches_report(
        ServiceRequest(
            "9", "open", "muell", description="Anders", requested_datetime=NOW, lat=51.34, long=12.37
        ),
        draft,
        NOW,
    )
    old = ServiceRequest(
        "9",
        "open",
        "muell",
        description="Säcke am Gehweg",
        requested_datetime=NOW - timedelta(hours=1),
        lat=51.34,
        long=12.37,
    )
    assert not matches_report(old, draft, NOW)


def test_retry_policy_grows_with_jitter_and_cap() -> None:
    policy = RetryPolicy(base=2, factor=2, max_delay=60, jitter=0.5)
    rng = random.Random(7)
    delays = [policy.delay(n, rng) for n in range(1, 10)]
    assert 1 <= delays[0] <= 3
    assert 4 <= delays[2] <= 12
    assert all(d <= 90 for d in delays)
    assert policy.delay(1, rng, retry_after=30) >= 30


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (OfflineError("refused"), Outcome.RETRY),
        (DeliveryUncertainError("reset"), Outcome.UNCERTAIN),
        (ServerError("x", status=500), Outcome.UNCERTAIN),
        (ServerError("x", status=503), Outcome.UNCERTAIN),
        (ServerError("x", status=429), Outcome.RETRY),
        (ServerError("x", status=400), Outcome.REJECT),
        (ServerError("x", status=403), Outcome.REJECT),
    ],
)
def test_classification(error: Exception, outcome: Outcome) -> None:
    assert classify(error) is outcome  # type: ignore[arg-type]


def test_transitions() -> None:
    item = OutboxItem("i", "k", OutboxState.DRAFT, _draft(), NOW)
    queued = rules.queue(item, NOW)
    assert rules.is_due(queued, NOW)
    sending = rules.start_sending(queued, NOW)
    assert (sending.state, sending.attempts, sending.first_attempt_at) == (OutboxState.SENDING, 1, NOW)
    later = rules.after_failure(
        sending, ServerError("busy", status=503), NOW, random.Random(1), RetryPolicy()
    )
    assert later.state == OutboxState.QUEUED
    assert later.uncertain
    assert later.next_attempt_at is not None
    assert later.next_attempt_at > NOW
    assert not rules.is_due(later, NOW)
    rejected = rules.after_failure(
        sending, ServerError("bad", status=400), NOW, random.Random(1), RetryPolicy()
    )
    assert rejected.state == OutboxState.FAILED
    assert rejected.error_detail == "bad"
    resumed = rules.after_interruption(sending, NOW, grace=30)
    assert resumed.uncertain
    assert not rules.is_due(resumed, NOW)
    assert rules.is_due(resumed, NOW + timedelta(seconds=30))
    assert later.next_attempt_at >= NOW + timedelta(seconds=RetryPolicy().uncertain_grace)
