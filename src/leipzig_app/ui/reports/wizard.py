"""The "Melden" wizard: category, questions and description, place and photos, contact, review and send.

One `ReportWizard` per visit redraws its body on every step and saves the draft durably on every change
(ui/reports/resume.py), so leaving the screen, a reload or a restart loses nothing; "Neue Meldung" then
offers to continue the saved draft or to discard it. The place can always be typed as an address (a
screen-reader user never needs a map or GPS); the position from GPS or from a photo's own metadata is
taken only when the resident asks for it. Photos are privacy-processed as soon as they are picked, shown
as they will be sent, and their blur areas can be unticked. Before sending, open reports nearby in the
same category are shown ("Schon gemeldet?"). Sending stores the report in the outbox first, so a missing
network only changes the message, never the outcome.

A report the city refused opens here too ("/reports/edit/<id>"), filled with what was sent and with the
city's reason on every step; sending it again replaces the refused report (it is sent once).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.outbox import OutboxState
from leipzig_app.domain.reports import (
    MAX_DESCRIPTION,
    Location,
    ReportDraft,
    Service,
    ServiceDefinition,
    ServiceRequest,
    search_services,
)
from leipzig_app.services.report_drafts import NEW_REPORT, STEPS, photo_limit
from leipzig_app.services.reports import state_key
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.location import LocationResult
from leipzig_app.ui.reports.correct import check_category, open_correction
from leipzig_app.ui.reports.form import Answers, Focusable, attribute_fields, category_list
from leipzig_app.ui.reports.photos import PhotoDraft, PhotoSteps
from leipzig_app.ui.reports.resume import DraftKeeping, offer_controls
from leipzig_app.ui.widgets.common import (
    error_banner,
    heading,
    labelled,
    primary_button,
    search_field,
    secondary_button,
)

log = logging.getLogger(__name__)


class ReportWizard(DraftKeeping, PhotoSteps):
    def __init__(self, ctx: ViewContext, *, correcting: str | None = None):
        self.ctx = ctx
        self.t = ctx.t
        self.service_api = ctx.services.reports
        drafts = ctx.services.report_drafts
        # Drafts belong to the reports service they were wired with (a service swapped in keeps none).
        self.drafts = drafts if drafts is not None and drafts.reports is self.service_api else None
        self.max_photos = self.drafts.max_photos if self.drafts else photo_limit(ctx.profile.reports)
        #: Where the draft is kept: the new report, or the outbox id of the refused report corrected here.
        self.slot = correcting or NEW_REPORT
        self.replaces = correcting
        #: The city's reason for refusing the report being corrected.
        self.reason: str | None = None
        #: A corrected report's category is looked up (and its questions loaded) once categories are in.
        self.check_category = False
        self.loading = False
        self.step = 0
        self.services: list[Service] = []
        self.stale = False
        self.load_error: str | None = None
        self.query = ""
        self.service: Service | None = None
        self.definition: ServiceDefinition | None = None
        self.answers: Answers = {}
        self.description = ""
        self.address = ""
        self.position: tuple[float, float] | None = None
        #: Why the last "Meinen Standort verwenden" gave no position (shown with what can be done).
        self.gps_problem: LocationResult | None = None
        #: None until the map's tiles were probed; the map pin is offered only when they load.
        self.map_ok: bool | None = None
        self.photos: list[PhotoDraft] = []
        self.email = ""
        self.consent = False
        self.nearby: list[ServiceRequest] | None = None
        self.error: str | None = None
        #: What is wrong with which field (attribute code, "description", "location", "email", "consent"),
        #: shown at the field itself after "Weiter" or "Senden".
        self.field_errors: dict[str, str] = {}
        #: The fields of the step on screen that can take the focus (filled while the step is drawn).
        self.focusable: Focusable = {}
        self.busy = False
        self.body = ft.Column(key="reports.wizard", spacing=12)
        self.list = ft.Column(spacing=0, key="reports.categories")

    # --- frame ----------------------------------------------------------------------------------------

    def build(self) -> ft.Control:
        if self.replaces is not None:
            missing = open_correction(self)
            if missing is not None:
                return missing
        elif self.drafts is not None:
            self.offer = self.drafts.pending()
        self.ctx.on_leave(self.save_on_leave)
        if self.offer is None:
            self.start(update=False)
        else:
            self.render()
        return ft.ListView([self.body], padding=16, expand=True, key="reports.wizard.list")

    def start(self, *, update: bool = True) -> None:
        """Show the wizard (after the resident chose what to do with a saved draft, or at once)."""
        if self.service_api.mode == "handoff":
            # No category list without Open311: one general report, handed to the city's portal.
            if self.service is None:
                self.service = Service("handoff", self.t("reports.handoff.general"))
            self.step = max(self.step, 1)
        elif not self.services and not self.loading:
            self.loading = True
            self.ctx.page.run_task(self.load_categories)
        if STEPS[self.step] == "review" and self.nearby is None:  # a draft continued at its last step
            self.ctx.page.run_task(self._load_nearby)
        if update:
            self.refresh()
        else:
            self.render()

    def render(self) -> None:
        t = self.t
        if self.offer is not None:
            self.body.controls = offer_controls(self)
            return
        name = t(f"reports.step.{STEPS[self.step]}")
        controls: list[ft.Control] = [
            heading(t("reports.resubmit.title" if self.replaces else "reports.new"), key="reports.heading"),
            ft.Text(
                t("reports.step", number=self.step + 1, total=len(STEPS), name=name),
                key="reports.wizard.step",
            ),
        ]
        if self.reason:
            controls.append(
                error_banner(t("reports.failed", reason=self.reason), key="reports.resubmit.reason")
            )
        if self.error:
            controls.append(error_banner(self.error, key="reports.error"))
        self.focusable = {}
        controls += getattr(self, f"_step_{STEPS[self.step]}")()
        controls.append(self._navigation())
        self.body.controls = controls

    def refresh(self) -> None:
        self.render()
        with contextlib.suppress(RuntimeError):  # the page moved on meanwhile
            self.body.update()

    def _navigation(self) -> ft.Control:
        t = self.t
        buttons: list[ft.Control] = []
        if self.step > 0:
            buttons.append(secondary_button(t("reports.back"), key="reports.back", on_click=self._back))
        else:
            leave_to = f"/reports/mine/{self.replaces}" if self.replaces else "/reports"
            buttons.append(
                secondary_button(
                    t("reports.cancel"),
                    key="reports.cancel",
                    on_click=lambda e: self.ctx.navigate(leave_to),
                )
            )
        if 0 < self.step < len(STEPS) - 1:
            buttons.append(primary_button(t("reports.next"), key="reports.next", on_click=self._next))
        if self.step == len(STEPS) - 1 and self.service_api.mode != "handoff":
            buttons.append(
                primary_button(t("reports.send"), key="reports.send", on_click=self._send, disabled=self.busy)
            )
        return ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)

    def _back(self, e: Any = None) -> None:
        self.error = None
        self.field_errors = {}
        self.step = max(0, self.step - 1)
        self.changed()
        self.refresh()

    async def _next(self, e: Any = None) -> None:
        problems = self.check_step()
        if problems:
            await self.show_problems(problems)
            return
        self.error = None
        self.field_errors = {}
        self.step += 1
        self.changed()
        if STEPS[self.step] == "review":
            self.nearby = None
            self.ctx.page.run_task(self._load_nearby)
        self.refresh()
        self.ctx.announce(
            self.t(
                "reports.step",
                number=self.step + 1,
                total=len(STEPS),
                name=self.t(f"reports.step.{STEPS[self.step]}"),
            )
        )

    def check_step(self) -> list[AppError]:
        """Everything to fix before the next step, at most one problem per field."""
        step = STEPS[self.step]
        problems: list[AppError] = []
        if step == "details":
            problems += self.service_api.problems(self.draft(require_location=False), self.definition)
        elif step in ("location", "contact", "review"):
            problems += self.service_api.problems(self.draft(), self.definition)
        if step in ("contact", "review") and self.email.strip() and not self.consent:
            problems.append(
                AppError("consent missing", key="reports.email.consent_missing", params={"field": "consent"})
            )
        return problems

    async def show_problems(self, problems: list[AppError]) -> None:
        """Mark every field that needs fixing with its own error, say how many and which in one message,
        and put the focus on the first of them on the screen (top to bottom)."""
        t = self.t
        order = self._field_order()
        problems = sorted(problems, key=lambda p: order.get(str(p.params.get("field")), len(order)))
        self.field_errors = {str(p.params.get("field")): t(p.key, **p.params) for p in problems}
        if len(problems) == 1:
            summary = t(problems[0].key, **problems[0].params)
        else:
            names = t("reports.problems.separator").join(self._field_name(p) for p in problems)
            missing = all(p.key in _MISSING for p in problems)
            summary = t(
                "reports.problems.missing" if missing else "reports.problems.check",
                count=len(problems),
                names=names,
            )
        self.error = summary
        self.refresh()
        self.ctx.announce(summary)
        first = next((self.focusable[f] for f in self.field_errors if f in self.focusable), None)
        if first is not None:
            try:
                await first.focus()  # type: ignore[no-untyped-call]  # untyped in Flet 1.0.5
            except Exception:  # the page moved on, or the client could not focus it
                log.debug("could not focus the first field to fix", exc_info=True)

    def _field_order(self) -> dict[str, int]:
        """The fields as they appear on the screens, top to bottom and step by step."""
        attributes = [a.code for a in self.definition.attributes] if self.definition else []
        fields = ["service_code", *attributes, "description", "location", "email", "consent"]
        return {name: index for index, name in enumerate(fields)}

    def _field_name(self, problem: AppError) -> str:
        field = str(problem.params.get("field"))
        attributes = {a.code: a.description for a in self.definition.attributes} if self.definition else {}
        if field in attributes:
            return attributes[field]
        names = {
            "service_code": "reports.step.category",
            "description": "reports.description",
            "location": "reports.address",
            "email": "reports.email.name",
            "consent": "reports.email.consent.name",
        }
        return self.t(names[field]) if field in names else field

    def draft(self, *, require_location: bool = True) -> ReportDraft:
        lat, long = self.position if self.position else (None, None)
        location = Location(lat=lat, long=long, address=self.address.strip() or None)
        if not require_location and not location.address and not location.has_point:
            location = Location(address="-")  # checked in the next step
        return ReportDraft(
            service_code=self.service.code if self.service else "",
            service_name=self.service.name if self.service else "",
            location=location,
            description=self.description,
            attributes={k: tuple(v) for k, v in self.answers.items()},
            email=self.email.strip() or None,
        )

    def setter(self, name: str, kind: Callable[[Any], Any] = str) -> Callable[[Any], None]:
        """An `on_change` handler that keeps the field's value and saves the draft."""

        def set_value(e: Any) -> None:
            setattr(self, name, kind(e.control.value or ""))
            self.changed()

        return set_value

    # --- step 1: category -----------------------------------------------------------------------------

    async def load_categories(self) -> None:
        try:
            self.services, self.stale = await self.service_api.categories()
            self.load_error = None
        except AppError as error:
            self.load_error = self.t("reports.categories.failed") + " " + self.t(error.key, **error.params)
        self.loading = False
        checked = self.check_category and await check_category(self)
        if self.step == 0 or checked:
            self.refresh()

    def _step_category(self) -> list[ft.Control]:
        t = self.t
        controls: list[ft.Control] = [
            search_field(
                t("reports.search"), key="reports.search", value=self.query, on_change=self._on_search
            )
        ]
        if self.load_error:
            controls.append(error_banner(self.load_error, key="reports.categories.error"))
        elif not self.services:
            controls.append(ft.ProgressRing(width=24, height=24, semantics_label=t("common.loading")))
        if self.stale:
            controls.append(ft.Text(t("reports.categories.offline"), italic=True))
        self._fill_list()
        controls.append(self.list)
        return controls

    def _fill_list(self) -> None:
        found = search_services(self.services, self.query)
        if self.services and not found:
            self.list.controls = [ft.Text(self.t("reports.search.none"), key="reports.search.none")]
        else:
            self.list.controls = category_list(self.t, found, self._choose)

    def _on_search(self, e: Any) -> None:
        self.query = str(e.control.value or "")
        self._fill_list()
        self.list.update()

    async def _choose(self, service: Service) -> None:
        if self.service is None or service.code != self.service.code:
            self.answers = {}
        self.service = service
        try:
            self.definition = await self.service_api.definition(service)
        except AppError as error:
            self.error = self.t(error.key, **error.params)
            self.refresh()
            return
        self.error = None
        self.field_errors = {}
        self.step = 1
        self.changed()
        self.refresh()
        self.ctx.announce(self.t("reports.chosen", name=service.name))

    # --- step 2: questions and description ------------------------------------------------------------

    def _step_details(self) -> list[ft.Control]:
        t = self.t
        assert self.service is not None
        description = ft.TextField(
            error_max_lines=4,
            key="reports.description",
            label=t("reports.required_mark", label=t("reports.description")),
            hint_text=t("reports.description.hint"),
            value=self.description,
            multiline=True,
            min_lines=3,
            max_length=MAX_DESCRIPTION,
            on_change=self.setter("description"),
            error=self.field_errors.get("description"),
        )
        self.focusable["description"] = description
        return [
            ft.Text(t("reports.chosen", name=self.service.name), weight=ft.FontWeight.BOLD),
            *attribute_fields(
                t,
                self.definition,
                self.answers,
                on_change=self.changed,
                errors=self.field_errors,
                focusable=self.focusable,
            ),
            labelled(description),
        ]

    # --- step 3: place and photos ---------------------------------------------------------------------

    def _step_location(self) -> list[ft.Control]:
        from leipzig_app.ui.reports.place import location_controls

        return location_controls(self)

    # --- step 4: contact ------------------------------------------------------------------------------

    def _step_contact(self) -> list[ft.Control]:
        t = self.t
        email = ft.TextField(
            error_max_lines=4,
            key="reports.email",
            label=t("reports.email"),
            value=self.email,
            keyboard_type=ft.KeyboardType.EMAIL,
            on_change=self.setter("email"),
            error=self.field_errors.get("email"),
        )
        self.focusable["email"] = email
        consent_error = self.field_errors.get("consent")
        controls: list[ft.Control] = [
            labelled(email),
            ft.Checkbox(
                key="reports.consent",
                label=t("reports.email.consent"),
                value=self.consent,
                on_change=self.setter("consent", bool),
                error=consent_error is not None,
            ),
        ]
        if consent_error is not None:  # a checkbox has no error text of its own
            controls.append(ft.Text(consent_error, key="reports.consent.error", color=ft.Colors.ERROR))
        return controls

    # --- step 5: review and send ----------------------------------------------------------------------

    def _step_review(self) -> list[ft.Control]:
        from leipzig_app.ui.reports.review import review_controls

        return review_controls(self)

    async def _load_nearby(self) -> None:
        draft = self.draft()
        self.nearby = await self.service_api.nearby(draft.location, draft.service_code)
        if STEPS[self.step] == "review":
            self.refresh()

    async def _send(self, e: Any = None) -> None:
        from leipzig_app.ui.reports.review import send

        await send(self)


#: Problems that mean an answer is missing (rather than given but not usable).
_MISSING = frozenset(
    {
        "reports.error.no_category",
        "reports.error.no_location",
        "reports.error.no_description",
        "reports.error.attribute_required",
        "reports.email.consent_missing",
    }
)


def state_text(ctx: ViewContext, item: Any) -> str:
    """The one-line state of an outbox item: outbox state, or the city's status once sent."""
    if item.state == OutboxState.SENT:
        return ctx.t(
            "reports.state.server_closed" if item.status == "closed" else "reports.state.server_open"
        )
    return ctx.t(state_key(item))
