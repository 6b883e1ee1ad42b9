"""Booking an appointment step by step: service and persons, offices, a time from a list, contact, review.

Picking a time reserves it at once (as the city's own booking pages do), so the review step can say
truthfully how long it is held; going back gives it up again. Rescheduling runs the same steps without
the service and contact steps and books the new time before the old one is cancelled. Every step is a
plain column of headed sections and buttons, so a screen reader reads it in order; free times are a
list grouped by day, never only a calendar grid.
"""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from leipzig_app.domain.appointments import (
    Contact,
    Office,
    Service,
    Slot,
    SlotTakenError,
)
from leipzig_app.domain.errors import AppError
from leipzig_app.ui.appointments.common import (
    day_text,
    note,
    office_lines,
    time_text,
    when_text,
)
from leipzig_app.ui.appointments.wizard_finish import WizardBase
from leipzig_app.ui.location import current_position, open_settings
from leipzig_app.ui.widgets.common import (
    heading,
    icon_button,
    primary_button,
    search_field,
    secondary_button,
    text_button,
)

log = logging.getLogger(__name__)
DAYS_SHOWN = 5


class Wizard(WizardBase):
    # --- frame ------------------------------------------------------------------------------------------

    def build(self) -> ft.Control:
        self._watch_leaving()
        if self.old is not None:
            self.count = self.old.service_counts[0]
            self.contact = Contact(self.old.name, self.old.email, self.old.telephone)
            self.ctx.page.run_task(self._start_reschedule)
            self._loading()
        else:
            self.ctx.page.run_task(self._load_catalog)
            self._loading()
        return self.root

    # --- step 1: service and persons -------------------------------------------------------------------

    async def _load_catalog(self) -> None:
        try:
            await self.service.catalog()
        except AppError as error:
            self._fail(error)
            self._show(
                "service",
                [
                    secondary_button(
                        self.t("common.retry"),
                        key="appointments.retry",
                        on_click=lambda e: self.ctx.page.run_task(self._load_catalog),
                    )
                ],
            )
            return
        await self._show_services()

    async def _show_services(self) -> None:
        search = search_field(
            self.t("appointments.search"),
            key="appointments.search",
            value=self.query,
            on_change=self._on_search,
        )
        self.results = ft.Column(spacing=8, key="appointments.services")
        await self._fill_services()
        self._show("service", [search, self.results])

    async def _on_search(self, e: Any) -> None:
        self.query = str(e.control.value or "")
        await self._fill_services()
        self.results.update()

    async def _fill_services(self) -> None:
        found = await self.service.search(self.query)
        if not found:
            self.results.controls = [note(self.t("appointments.search.none"), key="appointments.search.none")]
            return
        self.results.controls = [self._service_card(s) for s in found]

    def _service_card(self, service: Service) -> ft.Control:
        t = self.t
        lines: list[ft.Control] = [heading(service.name, level=3)]
        if service.fee:
            lines.append(ft.Text(t("appointments.fee", fee=service.fee)))
        if service.documents:
            lines.append(ft.Text(t("appointments.documents")))
            lines += [ft.Text(f"• {d}") for d in service.documents]
        lines.append(
            primary_button(
                t("appointments.choose_service", name=service.name),
                key=f"appointments.service.{service.id}",
                on_click=lambda e, s=service: self.ctx.page.run_task(self._choose_service, s),
            )
        )
        return ft.Card(content=ft.Container(ft.Column(lines, spacing=6), padding=16))

    async def _choose_service(self, service: Service) -> None:
        if self.chosen is not None and self.chosen.id != service.id:
            self.selected = set()  # offices chosen for another service may not offer this one
        self.chosen, self.count = service, 1
        await self._show_offices()

    async def _other_service(self) -> None:
        """Back from the offices to the services, with the search as it was."""
        await self._release()  # nothing is held before a time is picked; this keeps it so
        self.free, self.slots = None, []
        await self._show_services()

    # --- step 2: persons and offices -------------------------------------------------------------------

    async def _start_reschedule(self) -> None:
        if self.old is None:
            return
        try:
            catalog = await self.service.catalog()
            self.chosen = catalog.service(self.old.service_ids[0])
        except AppError as error:
            self._fail(error)
            self._show("offices", [])
            return
        self.selected = {self.old.office_id}
        await self._show_offices()

    async def _show_offices(self) -> None:
        assert self.chosen is not None
        t = self.t
        lat, lon = self.location if self.location else (None, None)
        try:
            self.choices = await self.service.offices_for(self.chosen.id, latitude=lat, longitude=lon)
        except AppError as error:
            self._fail(error)
            self.choices = []
        controls: list[ft.Control] = [
            ft.Text(t("appointments.chosen", name=self.chosen.name), weight=ft.FontWeight.BOLD)
        ]
        if self.old is None:
            self.count_text = ft.Text(t("appointments.persons", count=self.count), key="appointments.count")
            controls.append(
                ft.Row(
                    [
                        icon_button(
                            ft.Icons.REMOVE,
                            t("appointments.persons.fewer"),
                            key="appointments.count.minus",
                            on_click=lambda e: self._change_count(-1),
                        ),
                        # Its own node: otherwise Flutter joins it with the buttons' names into the
                        # row's label ("Eine Person weniger Personen: 1").
                        ft.Semantics(container=True, content=self.count_text),
                        icon_button(
                            ft.Icons.ADD,
                            t("appointments.persons.more"),
                            key="appointments.count.plus",
                            on_click=lambda e: self._change_count(1),
                        ),
                    ],
                    wrap=True,
                )
            )
            controls.append(
                note(
                    t("appointments.persons.max", max=self.chosen.max_quantity), key="appointments.count.max"
                )
            )
        controls.append(note(t("appointments.offices.hint"), key="appointments.offices.hint"))
        controls.append(
            text_button(
                t("appointments.location"),
                key="appointments.location",
                icon=ft.Icons.MY_LOCATION,
                on_click=lambda e: self.ctx.page.run_task(self._use_location),
            )
        )
        problem = self.location_problem
        if problem is not None and problem.settings:
            controls.append(
                text_button(
                    t(f"appointments.location.settings.{problem.settings}"),
                    key="appointments.location.settings",
                    icon=ft.Icons.SETTINGS,
                    on_click=lambda e: self.ctx.page.run_task(open_settings, problem),
                )
            )
        for choice in self.choices:
            controls.append(self._office_row(choice.office, choice.distance_km))
        controls.append(
            primary_button(
                t("appointments.show_times"),
                key="appointments.offices.next",
                on_click=lambda e: self.ctx.page.run_task(self._load_slots),
            )
        )
        if self.old is None:  # a new time for an appointment keeps its service
            controls.append(
                text_button(
                    t("appointments.other_service"),
                    key="appointments.offices.back",
                    on_click=lambda e: self.ctx.page.run_task(self._other_service),
                )
            )
        self._show("offices", controls)

    def _office_row(self, office: Office, distance: float | None) -> ft.Control:
        def toggle(e: Any) -> None:
            if e.control.value:
                self.selected.add(office.id)
            else:
                self.selected.discard(office.id)

        return ft.Card(
            content=ft.Container(
                ft.Column(
                    [
                        ft.Checkbox(
                            label=office.name,
                            value=office.id in self.selected,
                            on_change=toggle,
                            key=f"appointments.office.{office.id}",
                        ),
                        # Each line its own text, after the office's name (not all lines as one
                        # label of the card, read before the name).
                        *[
                            ft.Semantics(container=True, content=ft.Text(line))
                            for line in office_lines(self.ctx, office, distance)
                        ],
                    ],
                    spacing=4,
                ),
                padding=12,
            )
        )

    def _change_count(self, delta: int) -> None:
        assert self.chosen is not None
        self.count = max(1, min(self.chosen.max_quantity, self.count + delta))
        self.count_text.value = self.t("appointments.persons", count=self.count)
        self.ctx.announce(self.count_text.value)
        self.count_text.update()

    async def _use_location(self) -> None:
        found = await current_position()  # permission checked and asked for first; never raises
        self.location_problem = found if found.settings else None
        if found.position is not None:
            self.location = found.position
        else:  # the list works without it
            problem = "unavailable" if found.problem == "failed" else found.problem
            self.problem = self.t(f"appointments.location.{problem}")
        await self._show_offices()

    # --- step 3: times as a list -------------------------------------------------------------------------

    async def _load_slots(self) -> None:
        assert self.chosen is not None
        if not self.selected:
            self.problem = self.t("appointments.error.no_office")
            await self._show_offices()
            return
        self._loading()
        self.body.update()
        try:
            # The first days with free times; the others when the resident asks for more (a server without
            # `available-calendar` needs a request per office and day).
            self.free = await self.service.free_times(
                sorted(self.selected), self.chosen.id, self.count, first=DAYS_SHOWN
            )
        except AppError as error:
            self._fail(error)
            await self._show_offices()
            return
        self.slots = self.free.slots
        self._show_slots()

    def _show_slots(self) -> None:
        t = self.t
        names = {c.office.id: c.office.name for c in self.choices}
        controls: list[ft.Control] = []
        days: dict[str, list[Slot]] = {}
        for slot in self.slots:
            days.setdefault(day_text(self.ctx, slot.start), []).append(slot)
        if not days:
            release = self.service.next_release()
            text = t("appointments.times.none")
            if release is not None:
                text += " " + t("appointments.times.next_release", when=when_text(self.ctx, release))
            controls.append(note(text, key="appointments.times.none"))
        index = 0
        for n, (day, slots) in enumerate(days.items()):
            controls.append(heading(day, level=3, key=f"appointments.day.{n}"))
            buttons: list[ft.Control] = []
            for slot in slots:
                label = t(
                    "appointments.slot", time=time_text(slot.start), office=names.get(slot.office_id, "")
                )
                buttons.append(
                    secondary_button(
                        label,
                        key=f"appointments.slot.{index}",
                        on_click=lambda e, s=slot: self.ctx.page.run_task(self._hold, s),
                    )
                )
                index += 1
            controls.append(ft.Row(buttons, wrap=True, spacing=8, run_spacing=8))
        if self.free is not None and not self.free.complete:
            controls.append(
                text_button(
                    t("appointments.times.more"),
                    key="appointments.times.more",
                    on_click=lambda e: self.ctx.page.run_task(self._more_days),
                )
            )
        controls.append(
            text_button(
                t("appointments.change_offices"),
                key="appointments.times.back",
                on_click=lambda e: self.ctx.page.run_task(self._show_offices),
            )
        )
        self._show("times", controls, announce=t("appointments.times.count", count=len(self.slots)))

    async def _more_days(self) -> None:
        if self.free is None:
            return
        try:
            await self.free.more(DAYS_SHOWN)
        except AppError as error:
            self._fail(error)
        if self.left:
            return
        self.slots = self.free.slots
        self._show_slots()

    async def _hold(self, slot: Slot) -> None:
        assert self.chosen is not None
        await self._release()
        try:
            held = await self.service.hold(slot, self.chosen.id, self.count)
        except AppError as error:
            if self.left:
                return
            self._fail(error)
            if isinstance(error, SlotTakenError):
                await self._load_slots()
            else:
                self._show_slots()
            return
        # A second tap may have held another time meanwhile: only the latest one is kept.
        previous, self.held = self.held, held
        if previous is not None:
            await self.service.release(previous)
        if self.left:  # the resident left while the server reserved it: nobody can continue this booking
            await self._release()
            return
        if self.old is not None:
            self._show_review()
        else:
            self._show_contact()
