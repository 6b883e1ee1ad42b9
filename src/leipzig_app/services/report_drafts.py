"""Report drafts: what the resident has written in the "Melden" wizard survives leaving it, a reload and a
restart, and a report the city refused can be corrected and sent again.

A draft lives in a *slot*: `NEW_REPORT` for the report being written, or the outbox id of a refused report
that is being corrected. The wizard saves on every change; only privacy-processed photos are kept (the
position a photo's metadata carried is not: it is offered again only for photos picked anew).

Sending goes through `submit`, which makes sure a draft turns into exactly one outbox item:
- a new report is stored in the outbox (`ReportsService.submit_report`), then the draft is removed;
- a corrected report with the photos unchanged goes back into the queue as the same outbox item
  (`ReportsService.resubmit`, same idempotency key) and is sent at once;
- a corrected report with other photos becomes a new outbox item (the outbox keeps an item's photos), and
  the refused one is removed.
Before anything is handed over the draft is marked with the time; a draft found with that mark (the app
was killed in between) is matched against the outbox on the next load and removed if it arrived there, so
it is never offered for sending a second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.outbox import OutboxItem, OutboxState
from leipzig_app.domain.profile import ReportSettings
from leipzig_app.domain.reports import (
    MAX_PHOTOS,
    AttributeValue,
    ProcessedPhoto,
    ReportDraft,
    Service,
    ServiceAttribute,
    ServiceDefinition,
)
from leipzig_app.services.reports import ReportsService

log = logging.getLogger(__name__)

NEW_REPORT = "new"
#: The wizard's steps, in order (a saved draft reopens at the one the resident left).
STEPS = ("category", "details", "location", "contact", "review")
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def photo_limit(settings: ReportSettings) -> int:
    """How many photos one report may carry: GeoReport v2 has a single `media_url` per request."""
    return 1 if settings.mode == "open311" and settings.photo_upload == "media_url" else MAX_PHOTOS


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header, or None when `data` is not a readable JPEG."""
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        if marker in _SOF_MARKERS and i + 9 <= len(data):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return (width, height) if width and height else None
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


class ReportDraftStore(Protocol):
    """Durable drafts: a JSON state and processed photos per slot (`adapters/report_drafts_store.py`)."""

    def save(self, slot: str, state: Mapping[str, Any], photos: Sequence[bytes]) -> None: ...

    def load(self, slot: str) -> tuple[dict[str, Any], list[bytes]] | None: ...

    def slots(self) -> list[str]: ...

    def delete(self, slot: str) -> None: ...


@dataclass
class WizardDraft:
    """Everything the wizard holds that the resident entered or chose."""

    step: str = STEPS[0]
    service: Service | None = None
    definition: ServiceDefinition | None = None
    answers: dict[str, list[str]] = field(default_factory=dict)
    description: str = ""
    address: str = ""
    position: tuple[float, float] | None = None
    email: str = ""
    consent: bool = False
    query: str = ""
    #: Privacy-processed photos as they will be sent (no originals, no metadata).
    photos: list[ProcessedPhoto] = field(default_factory=list)
    #: The outbox id of the refused report this draft corrects, if any.
    replaces: str | None = None
    saved_at: datetime | None = None
    #: Set just before the draft is handed to the outbox (see the module docstring).
    submitted_at: datetime | None = None

    def has_content(self) -> bool:
        """Something worth keeping: a choice, an answer, a text or a photo (a search alone is not)."""
        return bool(
            self.service
            or any(v for v in self.answers.values())
            or self.description.strip()
            or self.address.strip()
            or self.position
            or self.email.strip()
            or self.photos
            or self.replaces
        )


class ReportDraftsService:
    def __init__(
        self,
        store: ReportDraftStore,
        reports: ReportsService,
        *,
        max_photos: int = MAX_PHOTOS,
        clock: Callable[[], datetime] | None = None,
    ):
        self.store = store
        self.reports = reports
        self.max_photos = max_photos
        self.clock = clock or reports.clock

    # --- keeping and finding drafts -------------------------------------------------------------------

    def save(self, slot: str, draft: WizardDraft) -> None:
        """Keep the draft durably (an empty one is forgotten instead). Raises `StorageError`."""
        if not draft.has_content():
            self.store.delete(slot)
            return
        draft.saved_at = self.clock()
        self.store.save(slot, _to_state(draft), [p.data for p in draft.photos])

    def load(self, slot: str) -> WizardDraft | None:
        """The saved draft of a slot; None when there is none, it cannot be read, or it was sent."""
        try:
            found = self.store.load(slot)
        except AppError as error:
            log.warning("the saved report draft in slot %s cannot be used: %s", slot, error.key)
            return None
        if found is None:
            return None
        state, photos = found
        try:
            draft = _from_state(state, photos)
        except (KeyError, TypeError, ValueError) as error:
            log.warning("the saved report draft in slot %s is damaged: %s", slot, type(error).__name__)
            return None
        if draft.submitted_at is not None and self._settle(slot, draft):
            return None
        return draft

    def pending(self) -> WizardDraft | None:
        """The report being written, if the resident left one."""
        return self.load(NEW_REPORT)

    def has_pending(self) -> bool:
        """Whether a report being written was left (without reading its photos)."""
        return NEW_REPORT in self.store.slots()

    def discard(self, slot: str) -> None:
        self.store.delete(slot)

    def correction(self, item_id: str) -> tuple[WizardDraft, OutboxItem] | None:
        """The draft that corrects a refused report: the saved one, or one made from the outbox item.

        None when the item is gone or no longer refused (its leftover draft is removed then)."""
        item = self.reports.outbox.get(item_id)
        saved = self.load(item_id)
        if item is None or item.state != OutboxState.FAILED:
            if saved is not None:
                self.store.delete(item_id)
            return None
        if saved is not None:
            return saved, item
        draft = _from_item(item, self._outbox_photos(item) or [])
        self.save(item_id, draft)
        return draft, item

    def discard_report(self, item_id: str) -> None:
        """A refused report is thrown away: with it goes its correction draft."""
        self.reports.discard(item_id)
        self.store.delete(item_id)

    # --- sending --------------------------------------------------------------------------------------

    async def submit(
        self,
        slot: str,
        draft: WizardDraft,
        report: ReportDraft,
        definition: ServiceDefinition | None,
    ) -> OutboxItem:
        """Hand the draft to the outbox exactly once (see the module docstring); removes the draft."""
        photos = [p.data for p in draft.photos]
        if len(photos) > self.max_photos:
            if self.max_photos == 1:
                raise AppError("this city takes one photo per report", key="reports.photos.one_only")
            raise AppError("too many photos", key="reports.photos.full", params={"max": self.max_photos})
        self.reports.prepare(report, definition)  # the resident fixes problems before anything is kept
        marked = replace(draft, submitted_at=self.clock())
        self.save(slot, marked)
        try:
            if draft.replaces:
                item = await self._correct(draft.replaces, report, photos, definition)
            else:
                item = await self.reports.submit_report(report, photos, definition)
        except AppError:
            self._settle(slot, marked)  # kept unmarked, unless the outbox has it after all
            raise
        self.store.delete(slot)
        return item

    async def _correct(
        self, item_id: str, report: ReportDraft, photos: list[bytes], definition: ServiceDefinition | None
    ) -> OutboxItem:
        item = self.reports.outbox.get(item_id)
        if item is None:  # thrown away meanwhile (another window): what the resident wrote is sent anew
            return await self.reports.submit_report(report, photos, definition)
        if item.state == OutboxState.FAILED and photos != self._outbox_photos(item):
            # The outbox keeps an item's photos: other photos make a new item, which replaces the refused one.
            new = await self.reports.submit_report(report, photos, definition)
            self.reports.discard(item_id)
            return new
        queued = self.reports.resubmit(item_id, report, definition)  # refuses an item that is not failed
        if self.reports.reporting is not None:
            await self.reports.sync_outbox(only=item_id)
        return self.reports.outbox.get(item_id) or queued

    def _outbox_photos(self, item: OutboxItem) -> list[bytes] | None:
        try:
            return [self.reports.outbox.photo(item, name) for name in item.photos]
        except AppError:
            return None

    def _settle(self, slot: str, draft: WizardDraft) -> bool:
        """A draft marked as handed over: True (and the draft removed) if the outbox has it."""
        assert draft.submitted_at is not None
        since = draft.submitted_at - timedelta(seconds=1)
        arrived = False
        for item in self.reports.outbox.items():
            if item.id == draft.replaces:
                arrived = arrived or item.state != OutboxState.FAILED
            elif item.created_at >= since and _same_report(item.draft, draft):
                arrived = True
        if not arrived:
            draft.submitted_at = None
            self.save(slot, draft)
            return False
        if draft.replaces:
            old = self.reports.outbox.get(draft.replaces)
            if old is not None and old.state == OutboxState.FAILED:
                self.reports.discard(draft.replaces)
        self.store.delete(slot)
        return True


def _same_report(sent: ReportDraft, draft: WizardDraft) -> bool:
    code = draft.service.code if draft.service else ""
    return sent.service_code == code and " ".join(sent.description.split()) == " ".join(
        draft.description.split()
    )


# --- the saved form -----------------------------------------------------------------------------------


def _to_state(draft: WizardDraft) -> dict[str, Any]:
    return {
        "version": 1,
        "step": draft.step,
        "service": {**asdict(draft.service), "keywords": list(draft.service.keywords)}
        if draft.service
        else None,
        "definition": _definition_state(draft.definition) if draft.definition else None,
        "answers": {code: list(values) for code, values in draft.answers.items()},
        "description": draft.description,
        "address": draft.address,
        "position": list(draft.position) if draft.position else None,
        "email": draft.email,
        "consent": draft.consent,
        "query": draft.query,
        "photos": [{"width": p.width, "height": p.height} for p in draft.photos],
        "replaces": draft.replaces,
        "saved_at": draft.saved_at.isoformat() if draft.saved_at else None,
        "submitted_at": draft.submitted_at.isoformat() if draft.submitted_at else None,
    }


def _definition_state(definition: ServiceDefinition) -> dict[str, Any]:
    return {
        "service_code": definition.service_code,
        "attributes": [{**asdict(a), "values": [asdict(v) for v in a.values]} for a in definition.attributes],
    }


def _from_state(state: Mapping[str, Any], photos: Sequence[bytes]) -> WizardDraft:
    service = state.get("service")
    definition = state.get("definition")
    position = state.get("position")
    sizes = state.get("photos") or []
    if len(sizes) != len(photos):
        raise ValueError("photo count differs from the saved sizes")
    step = str(state.get("step") or STEPS[0])
    return WizardDraft(
        step=step if step in STEPS else STEPS[0],
        service=Service(**{**service, "keywords": tuple(service.get("keywords", ()))}) if service else None,
        definition=ServiceDefinition(
            service_code=str(definition["service_code"]),
            attributes=tuple(
                ServiceAttribute(**{**a, "values": tuple(AttributeValue(**v) for v in a["values"])})
                for a in definition["attributes"]
            ),
        )
        if definition
        else None,
        answers={str(k): [str(v) for v in values] for k, values in (state.get("answers") or {}).items()},
        description=str(state.get("description") or ""),
        address=str(state.get("address") or ""),
        position=(float(position[0]), float(position[1])) if position else None,
        email=str(state.get("email") or ""),
        consent=bool(state.get("consent")),
        query=str(state.get("query") or ""),
        photos=[
            ProcessedPhoto(data=data, width=int(size["width"]), height=int(size["height"]))
            for data, size in zip(photos, sizes, strict=True)
        ],
        replaces=state.get("replaces") or None,
        saved_at=_moment(state.get("saved_at")),
        submitted_at=_moment(state.get("submitted_at")),
    )


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _from_item(item: OutboxItem, photos: Sequence[bytes]) -> WizardDraft:
    """A refused report as a draft, opened at its questions (where most refusals point)."""
    report = item.draft
    location = report.location
    position = (
        (location.lat, location.long) if location.lat is not None and location.long is not None else None
    )
    return WizardDraft(
        step="details",
        service=Service(report.service_code, report.service_name or report.service_code),
        answers={code: list(values) for code, values in report.attributes.items()},
        description=report.description,
        address=location.address or "",
        position=position,
        email=report.email or "",
        consent=bool(report.email),  # an e-mail was only ever accepted with the resident's consent
        photos=[ProcessedPhoto(data, *(jpeg_size(data) or (0, 0))) for data in photos],
        replaces=item.id,
    )
