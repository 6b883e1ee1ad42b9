"""The outbox for reports: states, transitions, retry policy and which failures may be retried.

An item moves draft -> queued -> sending -> sent, or to failed with the server's reason when the resident
must change something (a 4xx). Transport failures and 5xx put it back to queued with exponential back-off
and jitter. A failure after the request may have left the device (timeout, reset, 5xx, a process killed
while sending) marks the item *uncertain*: before it is sent again the service asks the server whether
the report already arrived (see docs/reports.md). Every transition is a pure function returning a new
item, so the store only persists what these rules decided.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from leipzig_app.domain.errors import AppError, OfflineError, ServerError
from leipzig_app.domain.reports import DeliveryUncertainError, ReportDraft, ServiceRequest, SubmitReceipt


class OutboxState(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Outcome(StrEnum):
    RETRY = "retry"  # nothing reached the server: send again later
    UNCERTAIN = "uncertain"  # the server may have stored it: look before sending again
    REJECT = "reject"  # the resident must change something


@dataclass(frozen=True)
class OutboxItem:
    id: str
    idempotency_key: str
    state: OutboxState
    draft: ReportDraft
    created_at: datetime
    photos: tuple[str, ...] = ()  # file names inside the outbox folder
    attempts: int = 0
    next_attempt_at: datetime | None = None
    first_attempt_at: datetime | None = None
    uncertain: bool = False
    error_key: str | None = None
    error_params: Mapping[str, object] = field(default_factory=dict)
    error_detail: str = ""
    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    status: str | None = None  # the server's status (open/closed) once known
    status_notes: str = ""
    status_updated_at: datetime | None = None
    sent_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Still of interest on Home: not yet sent, failed, or sent and not closed by the city."""
        return self.state != OutboxState.SENT or self.status != "closed"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter: base * factor^(attempt-1), capped, then +/- jitter share."""

    base: float = 2.0
    factor: float = 2.0
    max_delay: float = 900.0
    jitter: float = 0.5
    #: After an uncertain failure, wait at least this long before asking the server: a request the server
    #: is still working on (the client gave up, the server did not) must have been stored by then.
    uncertain_grace: float = 30.0

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        raw = min(self.max_delay, self.base * self.factor ** max(0, attempts - 1))
        spread = raw * self.jitter
        delay = raw - spread + rng.random() * 2 * spread
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_delay))
        return max(0.0, delay)


def classify(error: AppError) -> Outcome:
    """Which failures are retried, which are uncertain and which go back to the resident."""
    if isinstance(error, DeliveryUncertainError):
        return Outcome.UNCERTAIN
    if isinstance(error, ServerError):
        if error.status >= 500:
            # The server may have stored the report before failing: never assume it did not.
            return Outcome.UNCERTAIN
        if error.status in (408, 425, 429):
            return Outcome.RETRY
        return Outcome.REJECT
    if isinstance(error, OfflineError):
        return Outcome.RETRY
    # A malformed answer came from a server that did receive the request.
    return Outcome.UNCERTAIN


# --- transitions ----------------------------------------------------------------------------------------


def queue(item: OutboxItem, now: datetime) -> OutboxItem:
    """Draft (or a failed item the resident corrected) -> queued, due at once."""
    return replace(
        item,
        state=OutboxState.QUEUED,
        next_attempt_at=now,
        error_key=None,
        error_params={},
        error_detail="",
    )


def start_sending(item: OutboxItem, now: datetime) -> OutboxItem:
    return replace(
        item,
        state=OutboxState.SENDING,
        attempts=item.attempts + 1,
        first_attempt_at=item.first_attempt_at or now,
    )


def mark_sent(item: OutboxItem, receipt: SubmitReceipt, now: datetime) -> OutboxItem:
    return replace(
        item,
        state=OutboxState.SENT,
        uncertain=False,
        next_attempt_at=None,
        service_request_id=receipt.service_request_id,
        token=receipt.token,
        service_notice=receipt.service_notice,
        status="open",
        sent_at=now,
        error_key=None,
        error_params={},
        error_detail="",
    )


def mark_found(item: OutboxItem, request: ServiceRequest, now: datetime) -> OutboxItem:
    """The server already had the report (found after an uncertain failure): sent, with its id."""
    sent = mark_sent(item, SubmitReceipt(service_request_id=request.id), now)
    return apply_status(sent, request, now)


def after_failure(
    item: OutboxItem, error: AppError, now: datetime, rng: random.Random, policy: RetryPolicy
) -> OutboxItem:
    outcome = classify(error)
    base = replace(item, error_key=error.key, error_params=dict(error.params), error_detail=str(error))
    if outcome is Outcome.REJECT:
        return replace(base, state=OutboxState.FAILED, next_attempt_at=None)
    retry_after = error.retry_after if isinstance(error, ServerError) else None
    delay = policy.delay(item.attempts, rng, retry_after)
    if outcome is Outcome.UNCERTAIN:
        delay = max(delay, policy.uncertain_grace)
    return replace(
        base,
        state=OutboxState.QUEUED,
        uncertain=item.uncertain or outcome is Outcome.UNCERTAIN,
        next_attempt_at=now + timedelta(seconds=delay),
    )


def mark_failed(item: OutboxItem, error: AppError) -> OutboxItem:
    """A local problem no retry can fix (a photo file gone): back to the resident with the reason."""
    return replace(
        item,
        state=OutboxState.FAILED,
        next_attempt_at=None,
        error_key=error.key,
        error_params=dict(error.params),
        error_detail=str(error),
    )


def after_interruption(item: OutboxItem, now: datetime, grace: float = 0.0) -> OutboxItem:
    """An item found in `sending` at start: the app stopped mid-send, so the server may have it."""
    return replace(
        item, state=OutboxState.QUEUED, uncertain=True, next_attempt_at=now + timedelta(seconds=grace)
    )


def lookup_failed(
    item: OutboxItem, error: AppError, now: datetime, rng: random.Random, policy: RetryPolicy
) -> OutboxItem:
    """The check "did the server get it?" failed: stay uncertain and ask again later (never re-send)."""
    delay = policy.delay(item.attempts, rng, error.retry_after if isinstance(error, ServerError) else None)
    return replace(
        item,
        state=OutboxState.QUEUED,
        error_key=error.key,
        error_params=dict(error.params),
        error_detail=str(error),
        next_attempt_at=now + timedelta(seconds=delay),
    )


def apply_status(item: OutboxItem, request: ServiceRequest, now: datetime) -> OutboxItem:
    return replace(
        item,
        service_request_id=request.id or item.service_request_id,
        status=request.status,
        status_notes=request.status_notes,
        status_updated_at=request.updated_datetime or now,
    )


def is_due(item: OutboxItem, now: datetime) -> bool:
    return item.state == OutboxState.QUEUED and (item.next_attempt_at is None or item.next_attempt_at <= now)


# --- port -----------------------------------------------------------------------------------------------


class OutboxStore(Protocol):
    """Durable storage of outbox items and their photos (committed before any network call)."""

    def add(self, item: OutboxItem, photos: Sequence[bytes]) -> OutboxItem: ...

    def save(self, item: OutboxItem) -> None: ...

    def get(self, item_id: str) -> OutboxItem | None: ...

    def items(self) -> list[OutboxItem]: ...

    def photo(self, item: OutboxItem, name: str) -> bytes: ...

    def delete(self, item_id: str) -> None: ...

    def try_lock_sending(self) -> bool:
        """Take this city's sender lock, or False at once when another sender (page, service, process)
        holds it. Every sender holds it for as long as one of its items is in `sending`, so an item found
        there by the lock's holder was left by a sender that stopped mid-send."""
        ...

    def unlock_sending(self) -> None: ...

    def cache_get(self, key: str) -> object | None: ...

    def cache_set(self, key: str, value: object) -> None: ...
