"""Reporting a problem in public space: the use cases, offline behaviour and the outbox's sync loop.

`submit_report` validates a report, stores it with its (already privacy-processed) photos in the durable
outbox and tries to send it at once; whatever happens to the network, the report is kept and sent later.
`sync_outbox` sends what is due; `resume` runs at start and turns items a killed app left in `sending`
into uncertain ones. An uncertain item is never sent blindly again: first the server's recent requests
are searched for it (same category, text, place, time); only if it is not there is it sent again, with
the same idempotency key, so servers that honour the key cannot store it twice either (docs/reports.md).
Categories and definitions are cached so that a report can be written without network.

A service serves one city: its outbox store holds only that city's reports and cache entries, and its
Open311 client speaks to that city's endpoint, so a report is only ever sent to the city it was written for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from leipzig_app.domain import outbox as rules
from leipzig_app.domain.errors import AppError, OfflineError
from leipzig_app.domain.outbox import OutboxItem, OutboxState, OutboxStore, RetryPolicy
from leipzig_app.domain.reports import (
    AttributeValue,
    Location,
    PhotoFile,
    PhotoProcessor,
    ProblemReporting,
    ProcessedPhoto,
    Region,
    ReportDraft,
    ReportInvalidError,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
    draft_problems,
    matches_report,
    nearby_open,
    normalise_attributes,
    validate_draft,
)
from leipzig_app.i18n import Translator
from leipzig_app.services.container import HomeCard, HomeItem

log = logging.getLogger(__name__)

#: How far back "Schon gemeldet?" looks for open requests.
NEARBY_WINDOW = timedelta(days=90)
STATUS_REFRESH_EVERY = timedelta(minutes=5)
#: How often the background job renews the offline copy of the categories and their questions (the first
#: time STATUS_REFRESH_EVERY after it starts).
CATALOGUE_REFRESH_EVERY = timedelta(hours=6)
#: How many service definitions are fetched at the same time.
DEFINITION_FETCHES = 4
_STATE_KEYS = {
    OutboxState.DRAFT: "reports.state.draft",
    OutboxState.QUEUED: "reports.state.queued",
    OutboxState.SENDING: "reports.state.sending",
    OutboxState.FAILED: "reports.state.failed",
}


def waits_for_connection(item: OutboxItem) -> bool:
    """A queued item that waits because the device had no connection (or was never tried); the other
    queued items wait because the city's server failed, was busy or did not answer in time."""
    return item.error_key in (None, OfflineError.key)


def state_key(item: OutboxItem) -> str:
    """The message key of an item's outbox state ("Wartet auf Verbindung", "Wird später gesendet", ...)."""
    if item.state == OutboxState.QUEUED and not waits_for_connection(item):
        return "reports.state.waiting"
    return _STATE_KEYS.get(item.state, "reports.state.sent")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def prepare_draft(draft: ReportDraft, definition: ServiceDefinition | None) -> ReportDraft:
    """The draft as it is sent: text and e-mail trimmed, attribute values cleaned (numbers with a decimal
    point, so `1,5` is sent as `1.5`); `ReportInvalidError` names what to fix. The app and the command
    line both send through this."""
    cleaned = _clean(draft, definition)
    validate_draft(cleaned, definition)
    return cleaned


def _clean(draft: ReportDraft, definition: ServiceDefinition | None) -> ReportDraft:
    return replace(
        draft,
        description=draft.description.strip(),
        email=(draft.email or "").strip() or None,
        attributes=normalise_attributes(draft.attributes, definition),
    )


@dataclass(frozen=True)
class SyncSummary:
    sent: int = 0
    failed: int = 0
    pending: int = 0


class ReportsService:
    def __init__(
        self,
        *,
        outbox: OutboxStore,
        reporting: ProblemReporting | None,
        photos: PhotoProcessor | None = None,
        mode: str = "open311",
        handoff_url: str | None = None,
        clock: Callable[[], datetime] = _utc_now,
        rng: random.Random | None = None,
        policy: RetryPolicy | None = None,
        map_tile_url: str | None = None,
        map_probe: Callable[[str | None], Awaitable[bool]] | None = None,
    ):
        self.outbox = outbox
        self.reporting = reporting
        self.photos = photos
        self.mode = mode
        self.handoff_url = handoff_url
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.policy = policy or RetryPolicy()
        self._lock = asyncio.Lock()
        self._last_refresh: datetime | None = None
        self._catalogue_at: datetime | None = None
        self._catalogue_tried: datetime | None = None
        self._prefetch: asyncio.Task[int] | None = None
        self.map_tile_url = map_tile_url
        self._map_probe = map_probe
        #: Whether tiles load, per web page origin (None: drawn by the app itself, not a browser).
        self._map_ok: dict[str | None, bool] = {}
        self.wake = asyncio.Event()

    # --- categories -----------------------------------------------------------------------------------

    async def categories(self) -> tuple[list[Service], bool]:
        """The city's categories and whether they come from the offline copy."""
        if self.reporting is None:
            return [], False
        try:
            found = await self.reporting.services()
        except AppError:
            cached = self.outbox.cache_get("services")
            if not isinstance(cached, list):
                raise
            return [Service(**{**c, "keywords": tuple(c["keywords"])}) for c in cached], True
        self.outbox.cache_set("services", [s.__dict__ for s in found])
        self._start_prefetch(found)
        return found, False

    def _start_prefetch(self, services: Sequence[Service]) -> None:
        """Fetch every category's questions in the background, so that any category can be reported
        offline later, not only those the resident happened to open while online."""
        if self._prefetch is not None and not self._prefetch.done():
            return
        self._prefetch = asyncio.get_running_loop().create_task(self.prefetch_definitions(services))

    async def aclose(self) -> None:
        """Stop the background fetch of the categories' questions, if one still runs (the app closes)."""
        task, self._prefetch = self._prefetch, None
        if task is None or task.done():
            return
        task.cancel()
        if task.get_loop() is asyncio.get_running_loop():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def definitions_prefetched(self) -> int:
        """Wait for the background fetch started by the last successful `categories()`; how many
        definitions it cached (0 when none was started)."""
        task = self._prefetch
        if task is None:
            return 0
        return await task

    async def prefetch_definitions(self, services: Sequence[Service]) -> int:
        """Fetch and cache the definitions of all `services` that have one, a few at a time; a failing
        one keeps its older copy (if any) and does not stop the others. Returns how many were cached."""
        if self.reporting is None:
            return 0
        reporting = self.reporting
        gate = asyncio.Semaphore(DEFINITION_FETCHES)

        async def fetch(service: Service) -> bool:
            async with gate:
                try:
                    found = await reporting.definition(service.code)
                except AppError as error:
                    log.info("questions of category %s not cached: %s", service.code, error.key)
                    return False
            self.outbox.cache_set(f"definition:{service.code}", _definition_to(found))
            return True

        # A background courtesy: whatever a single fetch throws (a client closed at shutdown) is kept here.
        done = await asyncio.gather(*(fetch(s) for s in services if s.metadata), return_exceptions=True)
        for problem in (d for d in done if isinstance(d, BaseException)):
            log.info("fetching a category's questions failed: %s", type(problem).__name__)
        return sum(1 for d in done if d is True)

    async def refresh_catalogue(self) -> bool:
        """Renew the offline copy of the categories and all their questions (the background job);
        False when the server could not be reached (the old copy stays)."""
        if self.reporting is None:
            return False
        try:
            found = await self.reporting.services()
        except AppError:
            return False
        self.outbox.cache_set("services", [s.__dict__ for s in found])
        await self.prefetch_definitions(found)
        self._catalogue_at = self.clock()
        return True

    async def definition(self, service: Service) -> ServiceDefinition | None:
        """The category's questions (None when it has none); cached for offline use."""
        if not service.metadata or self.reporting is None:
            return None
        key = f"definition:{service.code}"
        try:
            found = await self.reporting.definition(service.code)
        except OfflineError:
            cached = self.outbox.cache_get(key)
            if not isinstance(cached, dict):
                raise
            return _definition_from(cached)
        self.outbox.cache_set(key, _definition_to(found))
        return found

    async def map_available(self, origin: str | None = None) -> bool:
        """Whether the optional map pin can be offered: a tile server is set and a tile loads (in a browser
        whose page has `origin`: one the tile server lets that page show)."""
        if not self._map_ok.get(origin) and self.map_tile_url and self._map_probe is not None:
            self._map_ok[origin] = await self._map_probe(origin)
        return self._map_ok.get(origin, False)

    # --- writing a report -----------------------------------------------------------------------------

    def process_photo(self, data: bytes, regions: Sequence[Region] | None = None) -> ProcessedPhoto:
        if self.photos is None:
            raise AppError("photo processing is not available", key="reports.error.photo")
        return self.photos.process(data, regions)

    async def nearby(self, location: Location, service_code: str) -> list[ServiceRequest]:
        """Open reports nearby in the same category; [] when offline (the hint is a courtesy)."""
        if self.reporting is None:
            return []
        try:
            found = await self.reporting.requests(
                service_code=service_code, status="open", start_date=self.clock() - NEARBY_WINDOW
            )
        except AppError:
            return []
        return nearby_open(found, location, service_code)

    def prepare(self, draft: ReportDraft, definition: ServiceDefinition | None) -> ReportDraft:
        """The draft with clean attribute values, or `ReportInvalidError` naming what to fix."""
        return prepare_draft(draft, definition)

    def problems(self, draft: ReportDraft, definition: ServiceDefinition | None) -> list[ReportInvalidError]:
        """Everything `prepare` would refuse, one problem per field (the first is the one it raises)."""
        return draft_problems(_clean(draft, definition), definition)

    async def submit_report(
        self,
        draft: ReportDraft,
        photos: Sequence[bytes] = (),
        definition: ServiceDefinition | None = None,
        *,
        send_now: bool = True,
    ) -> OutboxItem:
        """Keep the report in the outbox (durably, with its photos) and try to send it at once."""
        cleaned = self.prepare(draft, definition)
        now = self.clock()
        item = OutboxItem(
            id=uuid.uuid4().hex,
            idempotency_key=str(uuid.uuid4()),
            state=OutboxState.DRAFT,
            draft=cleaned,
            created_at=now,
        )
        item = self.outbox.add(rules.queue(item, now), list(photos)[:3])
        self.wake.set()
        if send_now and self.reporting is not None:
            await self.sync_outbox(only=item.id)
        return self.outbox.get(item.id) or item

    def resubmit(self, item_id: str, draft: ReportDraft, definition: ServiceDefinition | None) -> OutboxItem:
        """A failed report, corrected by the resident, goes back into the queue.

        It gets a new idempotency key: the refused request was not stored, and a server that honours
        the key refuses it with 422 when it comes back with a changed request."""
        item = self.outbox.get(item_id)
        if item is None or item.state != OutboxState.FAILED:
            raise AppError(
                "only a failed report can be corrected and sent again", key="reports.error.not_failed"
            )
        corrected = replace(item, draft=self.prepare(draft, definition), idempotency_key=str(uuid.uuid4()))
        queued = rules.queue(corrected, self.clock())
        self.outbox.save(queued)
        self.wake.set()
        return queued

    def discard(self, item_id: str) -> None:
        item = self.outbox.get(item_id)
        if item is not None and item.state in (OutboxState.FAILED, OutboxState.DRAFT):
            self.outbox.delete(item_id)

    def my_reports(self) -> list[OutboxItem]:
        return sorted(self.outbox.items(), key=lambda i: i.created_at, reverse=True)

    # --- the outbox -----------------------------------------------------------------------------------

    def resume(self) -> int:
        """Items a stopped sender left in `sending` become queued and uncertain; returns how many.

        Only under the city's sender lock: every sender holds it while one of its items is in `sending`,
        so what is found there then was left by a killed app or a cancelled job, never an item in flight
        in another page, service or process. Returns 0 while another sender holds the lock."""
        if not self.outbox.try_lock_sending():
            return 0
        try:
            return self._recover_interrupted()
        finally:
            self.outbox.unlock_sending()

    def _recover_interrupted(self) -> int:
        count = 0
        for item in self.outbox.items():
            if item.state == OutboxState.SENDING:
                self.outbox.save(rules.after_interruption(item, self.clock(), self.policy.uncertain_grace))
                count += 1
        return count

    async def sync_outbox(self, *, only: str | None = None, limit: int | None = None) -> SyncSummary:
        """Send every due item once (or just `only`); returns what happened."""
        if self.reporting is None:
            return SyncSummary(pending=sum(1 for i in self.outbox.items() if i.state == OutboxState.QUEUED))
        sent = failed = 0
        async with self._lock:
            # Another sender of this city (a second app on the same data, or a service of a city switched
            # away from and back) is busy: it sends what is due, this round sends nothing.
            if self.outbox.try_lock_sending():
                try:
                    self._recover_interrupted()
                    due = [
                        i
                        for i in self.outbox.items()
                        if rules.is_due(i, self.clock()) and (only is None or i.id == only)
                    ]
                    for item in due[:limit] if limit else due:
                        result = await self._deliver(item)
                        sent += result.state == OutboxState.SENT
                        failed += result.state == OutboxState.FAILED
                finally:
                    self.outbox.unlock_sending()
        pending = sum(1 for i in self.outbox.items() if i.state == OutboxState.QUEUED)
        return SyncSummary(sent=sent, failed=failed, pending=pending)

    async def _deliver(self, item: OutboxItem) -> OutboxItem:
        assert self.reporting is not None
        try:
            photos = [PhotoFile(name, self.outbox.photo(item, name)) for name in item.photos]
        except AppError as error:
            item = rules.mark_failed(item, error)
            self.outbox.save(item)
            return item
        item = rules.start_sending(item, self.clock())
        self.outbox.save(item)  # committed before anything leaves the device
        if item.uncertain:
            try:
                found = await self._find_on_server(item)
            except AppError as error:
                item = rules.lookup_failed(item, error, self.clock(), self.rng, self.policy)
                self.outbox.save(item)
                return item
            if found is not None:
                item = rules.mark_found(item, found, self.clock())
                self.outbox.save(item)
                return item
        try:
            receipt = await self.reporting.submit(item.draft, photos, idempotency_key=item.idempotency_key)
        except AppError as error:
            item = rules.after_failure(item, error, self.clock(), self.rng, self.policy)
        else:
            item = rules.mark_sent(item, receipt, self.clock())
        self.outbox.save(item)
        return item

    async def _find_on_server(self, item: OutboxItem) -> ServiceRequest | None:
        """The server's copy of an item whose earlier attempt may have arrived, if there is one."""
        assert self.reporting is not None
        since = (item.first_attempt_at or item.created_at) - timedelta(minutes=10)
        candidates = await self.reporting.requests(service_code=item.draft.service_code, start_date=since)
        taken = {
            i.service_request_id for i in self.outbox.items() if i.id != item.id and i.service_request_id
        }
        matches = [
            r
            for r in candidates
            if r.id not in taken and matches_report(r, item.draft, item.first_attempt_at or item.created_at)
        ]
        matches.sort(key=lambda r: r.requested_datetime or self.clock())
        return matches[0] if matches else None

    async def refresh_statuses(self) -> int:
        """Fetch statuses of sent, not yet closed reports (and ids for batch tokens); returns updates."""
        if self.reporting is None:
            return 0
        changed = 0
        now = self.clock()
        for item in self.outbox.items():
            if item.state != OutboxState.SENT or item.status == "closed":
                continue
            try:
                if not item.service_request_id and item.token:
                    request_id = await self.reporting.token(item.token)
                    if not request_id:
                        continue
                    item = replace(item, service_request_id=request_id)
                if item.service_request_id:
                    request = await self.reporting.request(item.service_request_id)
                    item = rules.apply_status(item, request, now)
            except OfflineError:
                break
            except AppError as error:
                log.info("status of report %s not refreshed: %s", item.id, error)
                continue
            self.outbox.save(item)
            changed += 1
        self._last_refresh = now
        return changed

    async def run_background(self) -> None:
        """The app's outbox loop: resume, send what is due, refresh statuses, renew the offline copy of
        categories and questions, sleep until the next due."""
        self.resume()
        # The first renewal waits a status-refresh interval: not while the app starts, and opening
        # "Melden" fetches them anyway.
        self._catalogue_tried = self._catalogue_tried or self.clock()
        while True:
            try:
                await self.sync_outbox()
                if self._last_refresh is None or self.clock() - self._last_refresh >= STATUS_REFRESH_EVERY:
                    await self.refresh_statuses()
                if self._catalogue_due():
                    self._catalogue_tried = self.clock()
                    await self.refresh_catalogue()
            except Exception:  # the loop must survive anything a single round throws
                log.exception("outbox round failed")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self._seconds_to_next_due())

    def _catalogue_due(self) -> bool:
        """Renewed every few hours; after a failed try again at the status refresh's pace."""
        now = self.clock()
        if self._catalogue_tried is not None and now - self._catalogue_tried < STATUS_REFRESH_EVERY:
            return False
        return self._catalogue_at is None or now - self._catalogue_at >= CATALOGUE_REFRESH_EVERY

    def _seconds_to_next_due(self) -> float:
        now = self.clock()
        dues = [
            (i.next_attempt_at - now).total_seconds()
            for i in self.outbox.items()
            if i.state == OutboxState.QUEUED and i.next_attempt_at
        ]
        return max(1.0, min([60.0, *dues]))

    # --- home and hand-off ----------------------------------------------------------------------------

    async def home_card(self, language: str) -> HomeCard:
        t = Translator(language)
        items = []
        for item in self.my_reports():
            if not item.is_open:
                continue
            if item.state == OutboxState.SENT:
                state = t(
                    "reports.state.server_closed" if item.status == "closed" else "reports.state.server_open"
                )
            else:
                state = t(state_key(item))
            items.append(
                HomeItem(
                    title=item.draft.service_name or item.draft.service_code,
                    subtitle=f"{state} · {item.draft.location.address or _point(item.draft.location)}",
                    route=f"/reports/mine/{item.id}",
                )
            )
        return HomeCard(items=tuple(items[:5]))

    def handoff_text(self, draft: ReportDraft, labels: Mapping[str, str], *, photos: int = 0) -> str:
        """The report as plain text for a city portal without an API (pasted by the resident). Photos
        cannot go in a text: their number is named, under a label that says to upload them there."""
        lines = [
            f"{labels['category']}: {draft.service_name or draft.service_code}",
            f"{labels['location']}: {draft.location.address or _point(draft.location)}",
        ]
        if draft.location.has_point and draft.location.address:
            lines.append(f"{labels['position']}: {_point(draft.location)}")
        for code, values in draft.attributes.items():
            lines.append(f"{labels.get('attr:' + code, code)}: {', '.join(values)}")
        if photos:
            lines.append(f"{labels['photos']}: {photos}")
        lines += ["", draft.description.strip()]
        if draft.email:
            lines += ["", f"{labels['email']}: {draft.email}"]
        return "\n".join(lines)


def _point(location: Location) -> str:
    if not location.has_point:
        return ""
    return f"{location.lat:.5f}, {location.long:.5f}"


def _definition_to(definition: ServiceDefinition) -> dict[str, object]:
    return {
        "service_code": definition.service_code,
        "attributes": [
            {**a.__dict__, "values": [v.__dict__ for v in a.values]} for a in definition.attributes
        ],
    }


def _definition_from(data: Mapping[str, object]) -> ServiceDefinition:
    attributes = []
    for raw in data.get("attributes", []):  # type: ignore[attr-defined]
        values = tuple(AttributeValue(**v) for v in raw["values"])
        attributes.append(ServiceAttribute(**{**raw, "values": values}))
    return ServiceDefinition(service_code=str(data["service_code"]), attributes=tuple(attributes))
