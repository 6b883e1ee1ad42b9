"""The frame of the booking wizard and its last steps: contact, review-and-confirm and the result.

`wizard.py` adds the first steps (service, offices, times). A time is held from the moment it is picked;
picking another, going back, or leaving the booking screen in any other way (another tab, a link, a
rebuilt shell) gives it back. The steps replace the wizard's own list in place and never navigate, so
only a real departure replaces the screen.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

import flet as ft

from leipzig_app.domain.appointments import (
    AppointmentRecord,
    Booking,
    Contact,
    Office,
    ReservationExpiredError,
    Service,
    Slot,
    check_contact,
    reservation_minutes_left,
)
from leipzig_app.domain.errors import AppError
from leipzig_app.services.appointments import AppointmentService, FreeTimes, OfficeChoice
from leipzig_app.ui.appointments.common import (
    error_text,
    note,
    state_text,
    when_text,
)
from leipzig_app.ui.appointments.mine import save_ics
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.location import LocationResult
from leipzig_app.ui.widgets.common import (
    error_banner,
    heading,
    labelled,
    primary_button,
    secondary_button,
    text_button,
)

log = logging.getLogger(__name__)
#: How often the contact and review steps say again how many minutes the time is still held.
TICK_SECONDS = 60.0
#: The numbered steps of a new booking, and of a new time for a booked appointment (which keeps its
#: service, persons and contact). The result ("done") is not a step.
STEPS = ("service", "offices", "times", "contact", "review")
RESCHEDULE_STEPS = ("offices", "times", "review")


class WizardBase:
    """State and frame shared by the steps; subclasses provide the steps up to choosing a time."""

    def __init__(self, ctx: ViewContext, service: AppointmentService, *, reschedule: str | None = None):
        self.ctx, self.t, self.service = ctx, ctx.t, service
        self.old: AppointmentRecord | None = None
        if reschedule is not None:
            self.old = next((r for r in service.my_appointments() if r.id == reschedule), None)
        self.step = "service"
        self.query = ""
        self.chosen: Service | None = None
        self.count = 1
        self.choices: list[OfficeChoice] = []
        self.selected: set[str] = set()
        self.location: tuple[float, float] | None = None
        #: Why the last "use my location" brought no position, when a settings page can change that.
        self.location_problem: LocationResult | None = None
        self.slots: list[Slot] = []
        #: The free times of the last search, loaded a few days at a time.
        self.free: FreeTimes | None = None
        self.held: Booking | None = None
        self.contact = Contact("", "", "")
        self.result: AppointmentRecord | None = None
        self.problem = ""
        self.notice = ""
        #: The screen was replaced: nothing shown any more, and whatever is held is given back.
        self.left = False
        #: The booking is on its way to the server; it ends in "Meine Termine" even if the resident leaves.
        self.booking = False
        #: The line saying how long the time is still held, and the page task that keeps it current.
        self.held_note: ft.Text | None = None
        self._ticker: Future[None] | None = None
        # The steps' controls are the list's own items: nested in one column, Flutter would merge all their
        # texts into a single semantics node, which a screen reader reads as one long label.
        self.body = ft.ListView(padding=16, spacing=12, expand=True, key="appointments.wizard")
        self.root = self.body

    def _loading(self) -> None:
        self.body.controls = [ft.ProgressRing(width=24, height=24, semantics_label=self.t("common.loading"))]

    def _show(self, step: str, controls: list[ft.Control], announce: str | None = None) -> None:
        self.step = step
        title = self._step_title(step)
        top: list[ft.Control] = [
            ft.Row(
                [
                    text_button(
                        self.t("appointments.back_to_list"),
                        key="appointments.back",
                        icon=ft.Icons.ARROW_BACK,
                        on_click=self._leave,
                    )
                ],
                # A wrapping row gives the link the screen's width: at large text it breaks into lines.
                wrap=True,
            ),
            heading(title, key="appointments.step"),
        ]
        if self.problem:
            top.append(error_banner(self.problem, key="appointments.problem"))
        self.body.controls = top + controls
        self.ctx.announce(announce or (self.problem or title))
        self.problem = ""
        self.body.update()

    def _step_title(self, step: str) -> str:
        """ "Schritt 2 von 5: Personen und Bürgeramt", counted within this booking's own steps."""
        steps = STEPS if self.old is None else RESCHEDULE_STEPS
        if step not in steps:
            return self.t(f"appointments.step.{step}")
        name_key = f"appointments.step.{step}"
        if self.old is not None and step == "offices":  # the persons stay as booked
            name_key = "appointments.step.offices.reschedule"
        return self.t(
            "appointments.step", number=steps.index(step) + 1, total=len(steps), name=self.t(name_key)
        )

    def _fail(self, error: AppError) -> None:
        self.problem = error_text(self.ctx, error)

    async def _leave(self, e: Any) -> None:
        self._stop_ticking()
        if not self.booking:
            await self._release()
        self.ctx.navigate("/appointments")

    def _watch_leaving(self) -> None:
        """Be told once when this screen is replaced (call once per build: each showing is a new wizard)."""
        self.ctx.on_leave(self._on_leave)

    async def _on_leave(self) -> None:
        # A new showing of the booking route builds a new wizard that starts over, so nothing this one
        # holds can be continued; a booking already on its way is finished by `_book`.
        self.left = True
        self._stop_ticking()
        if not self.booking:
            await self._release()

    async def _release(self) -> None:
        if self.held is not None and self.result is None:
            held, self.held = self.held, None
            await self.service.release(held)

    async def _load_slots(self) -> None:
        """Show the free times again (after the held one expired or was given back)."""
        raise NotImplementedError

    # --- step 4: contact ---------------------------------------------------------------------------------

    def _held_office(self) -> Office:
        assert self.held is not None
        return next(c.office for c in self.choices if c.office.id == self.held.office_id)

    def _held_text(self) -> str:
        assert self.held is not None
        minutes = reservation_minutes_left(self.held.reserved_until, self.service.now())
        return self.t("appointments.held", when=when_text(self.ctx, self.held.start), minutes=minutes)

    def _held_line(self) -> ft.Text:
        """The line saying how long the time is still held, kept current every minute while it shows."""
        self.held_note = ft.Text(
            self._held_text(), key="appointments.held", color=ft.Colors.ON_SURFACE_VARIANT
        )
        if self._ticker is None or self._ticker.done():
            self._ticker = self.ctx.page.run_task(self._tick)
        return self.held_note

    def _stop_ticking(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    async def _tick(self) -> None:
        """Every minute while the contact or review step shows a held time: say again how long it is held;
        once it has run out, say so and show the free times to pick again. Ends with the step or the view."""
        while True:
            await self.service.sleep(TICK_SECONDS)
            if self.left or self.booking or self.held is None or self.step not in ("contact", "review"):
                return
            if reservation_minutes_left(self.held.reserved_until, self.service.now()) > 0:
                if self.held_note is not None:
                    self.held_note.value = self._held_text()
                    self.held_note.update()
                continue
            if self.step == "contact":  # keep what was typed for the next time picked
                self.contact = Contact(
                    str(self.name_field.value or ""),
                    str(self.email_field.value or ""),
                    str(self.phone_field.value or ""),
                )
            held, self.held = self.held, None
            self._ticker = None
            await self.service.release(held)  # the server has dropped it: this removes its access data
            if self.left:
                return
            self.problem = self.t("appointments.error.expired")
            await self._load_slots()
            return

    def _show_contact(self) -> None:
        t = self.t
        office = self._held_office()
        self.name_field = ft.TextField(
            error_max_lines=4,
            label=t("appointments.name"),
            value=self.contact.name,
            key="appointments.name",
            autofill_hints=[ft.AutofillHint.NAME],
        )
        self.email_field = ft.TextField(
            error_max_lines=4,
            label=t("appointments.email"),
            value=self.contact.email,
            key="appointments.email",
            keyboard_type=ft.KeyboardType.EMAIL,
            autofill_hints=[ft.AutofillHint.EMAIL],
        )
        phone_label = (
            t("appointments.phone.required") if office.telephone_required else t("appointments.phone")
        )
        self.phone_field = ft.TextField(
            error_max_lines=4,
            label=phone_label,
            value=self.contact.telephone,
            key="appointments.phone",
            keyboard_type=ft.KeyboardType.PHONE,
            autofill_hints=[ft.AutofillHint.TELEPHONE_NUMBER],
        )
        controls: list[ft.Control] = [
            self._held_line(),
            labelled(self.name_field),
            labelled(self.email_field),
        ]
        if office.telephone_activated or office.telephone_required:
            controls.append(labelled(self.phone_field))
        controls += [
            note(t("appointments.privacy"), key="appointments.privacy"),
            primary_button(
                t("appointments.to_review"), key="appointments.contact.next", on_click=self._check_contact
            ),
            text_button(
                t("appointments.other_time"),
                key="appointments.contact.back",
                on_click=lambda e: self.ctx.page.run_task(self._other_time),
            ),
        ]
        self._show("contact", controls)

    async def _other_time(self) -> None:
        await self._release()
        await self._load_slots()

    def _check_contact(self, e: Any) -> None:
        contact = Contact(
            str(self.name_field.value or ""),
            str(self.email_field.value or ""),
            str(self.phone_field.value or ""),
        )
        try:
            self.contact = check_contact(contact, self._held_office())
        except AppError as error:
            self.contact = contact
            self._fail(error)
            self._show_contact()
            return
        self._show_review()

    # --- step 5: review and confirm, step 6: result --------------------------------------------------------

    def _show_review(self) -> None:
        assert self.held is not None
        assert self.chosen is not None
        t = self.t
        office = self._held_office()
        lines = [
            t("appointments.review.service", name=self.chosen.name, count=self.count),
            t("appointments.review.when", when=when_text(self.ctx, self.held.start)),
            t("appointments.review.office", office=office.name, address=office.address),
            t("appointments.review.contact", name=self.contact.name, email=self.contact.email),
        ]
        if self.contact.telephone:
            lines.append(t("appointments.review.phone", phone=self.contact.telephone))
        if self.chosen.fee:
            lines.append(t("appointments.fee", fee=self.chosen.fee))
        if self.old is not None:
            lines.append(t("appointments.review.replaces", when=when_text(self.ctx, self.old.start)))
        controls: list[ft.Control] = [ft.Text(line) for line in lines]
        controls.append(self._held_line())
        if office.email_confirmation:
            controls.append(note(t("appointments.review.email_confirmation"), key="appointments.review.mail"))
        controls += [
            primary_button(
                t("appointments.book") if self.old is None else t("appointments.book_new"),
                key="appointments.confirm",
                icon=ft.Icons.CHECK,
                on_click=lambda e: self.ctx.page.run_task(self._book),
            ),
        ]
        if self.old is None:  # a typo seen here is corrected on the contact step, keeping the held time
            controls.append(
                text_button(
                    t("appointments.review.edit"),
                    key="appointments.review.edit",
                    icon=ft.Icons.EDIT,
                    on_click=lambda e: self._show_contact(),
                )
            )
        controls.append(
            text_button(
                t("appointments.other_time"),
                key="appointments.review.back",
                on_click=lambda e: self.ctx.page.run_task(self._other_time),
            )
        )
        self._show("review", controls)

    async def _book(self) -> None:
        assert self.held is not None
        self.booking = True
        try:
            if self.old is not None:
                outcome = await self.service.reschedule(
                    self.old.id, Slot(self.held.start, self.held.office_id), held=self.held
                )
                self.result = outcome.new
                if not outcome.old_cancelled and outcome.problem is None:
                    self.notice = self.t("appointments.reschedule.pending")
                if not outcome.old_cancelled and outcome.problem is not None:
                    kept = self.t("appointments.reschedule.old_kept")
                    self.problem = f"{kept} {error_text(self.ctx, outcome.problem)}"
            else:
                self.result = await self.service.complete(self.held, self.contact)
        except ReservationExpiredError as error:
            self.held = None
            if self.left:
                return
            self._fail(error)
            await self._load_slots()
            return
        except AppError as error:
            if self.left:  # not booked, and nobody is there to try again: give the time back
                await self._release()
                return
            self._fail(error)
            self._show_review()
            return
        finally:
            self.booking = False
        if not self.left:
            self._show_done()

    def _show_done(self) -> None:
        assert self.result is not None
        t, r = self.t, self.result
        extra = ft.Column(spacing=8, key="appointments.done.extra")
        controls: list[ft.Control] = [
            ft.Text(
                f"{when_text(self.ctx, r.start)} · {', '.join(r.service_names)}", weight=ft.FontWeight.BOLD
            ),
            ft.Text(f"{r.office_name}\n{r.office_address}"),
            ft.Text(state_text(self.ctx, r), key="appointments.done.state"),
            *([note(self.notice, key="appointments.done.notice")] if self.notice else []),
            ft.Row(
                [
                    primary_button(
                        t("appointments.ics"),
                        key="appointments.ics",
                        icon=ft.Icons.CALENDAR_MONTH,
                        on_click=lambda e: self.ctx.page.run_task(save_ics, self.ctx, self.service, r, extra),
                    ),
                    secondary_button(
                        t("appointments.mine.title"),
                        key="appointments.done.mine",
                        on_click=lambda e: self.ctx.navigate("/appointments"),
                    ),
                ],
                wrap=True,
                spacing=8,
                run_spacing=8,
            ),
            extra,
        ]
        self._show("done", controls, announce=state_text(self.ctx, r))
