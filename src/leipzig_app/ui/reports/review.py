"""The last step: everything on one screen, "Schon gemeldet?", then send (or hand off to the portal).

Sending goes through the outbox: the report is stored first, then sent; the resident hears whether it was
sent, is waiting for a connection, or was refused with the city's reason. The saved draft goes once the
outbox has the report; a corrected report takes the place of the refused one (services/report_drafts.py).
A city without Open311 gets the report as text to copy and a button that opens its portal; its photos
cannot travel in that text, so each can be saved (as processed, the file a portal takes) and the text
says they are to be uploaded there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.outbox import OutboxState
from leipzig_app.services.reports import waits_for_connection
from leipzig_app.ui.notices.common import save_file
from leipzig_app.ui.widgets.common import heading, primary_button, secondary_button
from leipzig_app.ui.widgets.links import launch

if TYPE_CHECKING:
    from leipzig_app.ui.reports.wizard import ReportWizard


def _row(label: str, value: str, key: str) -> ft.Control:
    return ft.Column(
        [
            ft.Text(label, weight=ft.FontWeight.BOLD),
            ft.Text(value, selectable=True, semantics_label=value, key=key),
        ],
        spacing=2,
    )


def review_controls(wizard: ReportWizard) -> list[ft.Control]:
    t = wizard.t
    draft = wizard.draft()
    none = t("reports.review.none")
    place = draft.location.address or ""
    if wizard.position:
        place = f"{place} ({wizard.position[0]:.5f}, {wizard.position[1]:.5f})".strip()
    controls: list[ft.Control] = [
        _row(t("reports.review.category"), draft.service_name, "reports.review.category"),
    ]
    if wizard.definition:
        for attr in wizard.definition.attributes:
            values = draft.attributes.get(attr.code, ())
            names = {v.key: v.name for v in attr.values}
            shown = ", ".join(names.get(v, v) for v in values) or none
            controls.append(_row(attr.description, shown, f"reports.review.attr.{attr.code}"))
    controls += [
        _row(t("reports.description"), draft.description, "reports.review.description"),
        _row(t("reports.review.location"), place or none, "reports.review.location"),
        _row(
            t("reports.review.photos"),
            t("reports.review.photos.count", count=len(wizard.photos)) if wizard.photos else none,
            "reports.review.photos",
        ),
        _row(t("reports.review.email"), draft.email or none, "reports.review.email"),
        heading(t("reports.duplicates"), level=3, key="reports.duplicates"),
    ]
    if wizard.nearby is None:
        controls.append(ft.ProgressRing(width=24, height=24, semantics_label=t("common.loading")))
    elif not wizard.nearby:
        controls.append(ft.Text(t("reports.duplicates.none"), key="reports.duplicates.none"))
    else:
        controls.append(ft.Text(t("reports.duplicates.intro")))
        for request in wizard.nearby[:5]:
            controls.append(
                ft.ListTile(
                    key=f"reports.duplicate.{request.id}",
                    title=ft.Text(request.description or request.service_name),
                    subtitle=ft.Text(" · ".join(x for x in (request.address, request.status_notes) if x)),
                    content_padding=0,
                )
            )
    if wizard.service_api.mode == "handoff":
        controls += handoff_controls(wizard)
    return controls


def handoff_controls(wizard: ReportWizard) -> list[ft.Control]:
    t = wizard.t
    labels = {
        "category": t("reports.handoff.label.category"),
        "location": t("reports.handoff.label.location"),
        "position": t("reports.handoff.label.position"),
        "email": t("reports.handoff.label.email"),
        "photos": t("reports.handoff.label.photos"),
    }
    if wizard.definition:
        labels.update({f"attr:{a.code}": a.description for a in wizard.definition.attributes})
    text = wizard.service_api.handoff_text(wizard.draft(), labels, photos=len(wizard.photos))
    url = wizard.service_api.handoff_url or ""

    async def copy(e: Any) -> None:
        await ft.Clipboard().set(text)
        wizard.ctx.announce(t("reports.handoff.copied"))

    async def open_portal(e: Any) -> None:
        await ft.Clipboard().set(text)
        if not await launch(url):
            wizard.ctx.announce(t("reports.handoff.open_failed", url=url))
        else:
            wizard.ctx.announce(t("reports.handoff.copied"))

    return [
        heading(t("reports.handoff.title"), level=3),
        ft.Text(t("reports.handoff.intro")),
        ft.Container(
            ft.Text(text, selectable=True, semantics_label=text, key="reports.handoff.text"),
            padding=12,
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            border_radius=8,
        ),
        *_handoff_photos(wizard),
        ft.Row(
            [
                secondary_button(t("reports.handoff.copy"), key="reports.handoff.copy", on_click=copy),
                primary_button(t("reports.handoff.open"), key="reports.handoff.open", on_click=open_portal),
            ],
            wrap=True,
        ),
    ]


def _handoff_photos(wizard: ReportWizard) -> list[ft.Control]:
    """The photos do not travel with the copied text: each can be saved, as it was processed (blurred
    areas, no position or camera data), to be uploaded in the portal."""
    t = wizard.t
    if not wizard.photos:
        return []
    buttons: list[ft.Control] = []
    for number, photo in enumerate(wizard.photos, start=1):

        async def save(e: Any, number: int = number, data: bytes = photo.processed.data) -> None:
            saved = await save_file(wizard.ctx, f"meldung-foto-{number}.jpg", data, "jpg")
            key = "reports.handoff.photo_saved" if saved else "reports.handoff.photo_not_saved"
            wizard.ctx.announce(t(key, number=number))

        buttons.append(
            secondary_button(
                t("reports.handoff.photo_save", number=number),
                key=f"reports.handoff.photo.{number}",
                icon=ft.Icons.DOWNLOAD,
                on_click=save,
            )
        )
    return [
        ft.Text(t("reports.handoff.photos", count=len(wizard.photos)), key="reports.handoff.photos"),
        ft.Row(buttons, wrap=True),
    ]


async def send(wizard: ReportWizard) -> None:
    t = wizard.t
    if wizard.busy or wizard.service_api.mode == "handoff":
        return
    problems = wizard.check_step()
    if problems:  # a continued or corrected draft can reach this step with answers still to fix
        await wizard.show_problems(problems)
        return
    wizard.busy = True
    wizard.ctx.announce(t("reports.sending"))
    wizard.refresh()
    try:
        if wizard.drafts is not None:
            item = await wizard.drafts.submit(
                wizard.slot, wizard.snapshot(), wizard.draft(), wizard.definition
            )
        else:
            item = await wizard.service_api.submit_report(
                wizard.draft(), [p.processed.data for p in wizard.photos], wizard.definition
            )
    except AppError as error:
        wizard.busy = False
        wizard.error = t(error.key, **error.params)
        wizard.ctx.announce(wizard.error)
        wizard.refresh()
        return
    wizard.busy = False
    wizard.sent = True  # leaving the wizard now must not save the draft again
    if item.state == OutboxState.SENT:
        message = (
            t("reports.sent", id=item.service_request_id)
            if item.service_request_id
            else t("reports.sent_token")
        )
    elif item.state == OutboxState.FAILED:
        message = t("reports.failed", reason=t(item.error_key or "error.server", **item.error_params))
    else:  # kept in the outbox: say truly why it waits (no connection, or the city's server)
        message = t("reports.queued" if waits_for_connection(item) else "reports.queued.server")
    wizard.ctx.navigate(f"/reports/mine/{item.id}")
    wizard.ctx.announce(message)
