"""Keeping the report wizard's draft: saved on every change, offered again when the resident comes back.

`DraftKeeping` is mixed into `ReportWizard`: `changed()` saves what the resident entered (through the
report-drafts service, durably), `apply()` puts a saved draft back into the wizard at the step where the
resident left. A saved photo comes back as sent (already processed): the areas blurred before stay
blurred, more areas can be added. When "Neue Meldung" finds a saved draft, `offer_controls` asks whether
to continue it or to throw it away (after a confirmation).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.reports import Service, ServiceDefinition
from leipzig_app.services.report_drafts import STEPS, WizardDraft
from leipzig_app.ui import formatting
from leipzig_app.ui.reports.photos import PhotoDraft
from leipzig_app.ui.widgets.common import heading, primary_button, secondary_button

if TYPE_CHECKING:
    from leipzig_app.i18n import Translator
    from leipzig_app.ui.context import ViewContext

log = logging.getLogger(__name__)
_EXCERPT = 160


class DraftKeeping:
    """Mixed into `ReportWizard`, which provides the attributes declared here."""

    ctx: ViewContext
    t: Translator
    drafts: Any
    slot: str
    step: int
    service: Service | None
    definition: ServiceDefinition | None
    answers: dict[str, list[str]]
    description: str
    address: str
    position: tuple[float, float] | None
    email: str
    consent: bool
    query: str
    photos: list[PhotoDraft]
    replaces: str | None
    #: A saved draft waiting for the resident's choice (continue or discard).
    offer: WizardDraft | None = None
    confirm_discard = False
    #: Set once the report was handed to the outbox: nothing is saved after that.
    sent = False
    left = False
    busy: bool
    save_failed = False

    def refresh(self) -> None:
        raise NotImplementedError

    def snapshot(self) -> WizardDraft:
        return WizardDraft(
            step=STEPS[self.step],
            service=self.service,
            definition=self.definition,
            answers={code: list(values) for code, values in self.answers.items()},
            description=self.description,
            address=self.address,
            position=self.position,
            email=self.email,
            consent=self.consent,
            query=self.query,
            photos=[photo.processed for photo in self.photos],
            replaces=self.replaces,
        )

    def changed(self, e: Any = None) -> None:
        """Save the draft now (every keystroke, choice, photo and step): leaving must never lose it."""
        if self.drafts is None or self.offer is not None or self.sent or self.busy or self.left:
            return  # while sending, the draft carries the mark `submit` set; it must not be overwritten
        try:
            self.drafts.save(self.slot, self.snapshot())
        except AppError as error:
            if not self.save_failed:
                log.warning("the report draft could not be saved: %s", error.key)
                self.ctx.announce(self.t("reports.draft.save_failed"))
            self.save_failed = True
            return
        self.save_failed = False

    async def save_on_leave(self) -> None:
        """The screen was replaced: save a last time, then stop (a newer wizard may be editing the draft
        now, and work this one finishes later, such as a photo still being processed, must not undo that)."""
        self.changed()
        self.left = True

    def apply(self, draft: WizardDraft) -> None:
        """Put a saved draft back, at the step the resident left."""
        self.service = draft.service
        # Every later step needs a category (the hand-off's general one is set when the wizard starts).
        self.step = STEPS.index(draft.step) if draft.service else 0
        self.definition = draft.definition
        self.answers = {code: list(values) for code, values in draft.answers.items()}
        self.description = draft.description
        self.address = draft.address
        self.position = draft.position
        self.email = draft.email
        self.consent = draft.consent
        self.query = draft.query
        # The original is not kept: the saved (processed) photo is the base for areas added now.
        self.photos = [PhotoDraft(p.data, p, [], set(), restored=True) for p in draft.photos]
        self.replaces = draft.replaces or self.replaces


def _summary(ctx: ViewContext, draft: WizardDraft) -> list[ft.Control]:
    t = ctx.t
    saved = formatting.moment(draft.saved_at, t.base_language, ctx.profile.timezone)
    lines = [
        t("reports.draft.saved", date=saved) if saved else "",
        t("reports.chosen", name=draft.service.name) if draft.service else "",
        _excerpt(draft.description),
        draft.address.strip(),
        t("reports.review.photos.count", count=len(draft.photos)) if draft.photos else "",
    ]
    return [
        ft.Text(line, key=f"reports.draft.summary.{number}", selectable=True, semantics_label=line)
        for number, line in enumerate(lines)
        if line
    ]


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"


def offer_controls(wizard: Any) -> list[ft.Control]:
    """ "Continue or discard?" for a saved draft; discarding asks once more (text and photos go)."""
    t, ctx = wizard.t, wizard.ctx
    draft: WizardDraft = wizard.offer

    def resume(e: Any) -> None:
        wizard.offer = None
        wizard.apply(draft)
        wizard.start()
        ctx.announce(t("reports.draft.continued", name=t(f"reports.step.{STEPS[wizard.step]}")))

    def ask(e: Any) -> None:
        wizard.confirm_discard = True
        wizard.refresh()
        ctx.announce(t("reports.draft.discard.question"))

    def keep(e: Any) -> None:
        wizard.confirm_discard = False
        wizard.refresh()

    def discard(e: Any) -> None:
        wizard.drafts.discard(wizard.slot)
        wizard.offer, wizard.confirm_discard = None, False
        wizard.apply(WizardDraft())
        wizard.start()
        ctx.announce(t("reports.draft.discarded"))

    controls: list[ft.Control] = [
        heading(t("reports.draft.title"), key="reports.draft.title"),
        ft.Text(t("reports.draft.intro")),
        *_summary(ctx, draft),
    ]
    if wizard.confirm_discard:
        controls += [
            ft.Text(t("reports.draft.discard.question"), key="reports.draft.discard.question"),
            ft.Row(
                [
                    secondary_button(
                        t("reports.draft.discard.cancel"), key="reports.draft.discard.cancel", on_click=keep
                    ),
                    primary_button(
                        t("reports.draft.discard.confirm"),
                        key="reports.draft.discard.confirm",
                        on_click=discard,
                        icon=ft.Icons.DELETE_OUTLINE,
                    ),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            ),
        ]
    else:
        controls.append(
            ft.Row(
                [
                    primary_button(
                        t("reports.draft.continue"), key="reports.draft.continue", on_click=resume
                    ),
                    secondary_button(t("reports.draft.discard"), key="reports.draft.discard", on_click=ask),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            )
        )
    return controls
