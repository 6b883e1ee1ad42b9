"""The Open311 adapter against the real demo city over HTTP (JSON and XML, errors, tokens, photos)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.open311 import Open311Client
from leipzig_app.domain.errors import ServerError
from leipzig_app.domain.reports import DATATYPES, Location, PhotoFile, ReportDraft
from leipzig_app.sandbox.server import SandboxServer


def _client(http: Any, profile: Any, **overrides: Any) -> Open311Client:
    settings = profile.reports
    options = {
        "api_key": settings.api_key,
        "jurisdiction_id": settings.jurisdiction_id,
        "photo_upload": settings.photo_upload,
        "media_upload_url": settings.media_upload_url,
        **overrides,
    }
    return Open311Client(http, settings.endpoint, **options)


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_services_grouped_with_every_datatype(http: Any, profile: Any) -> None:
    client = _client(http, profile)
    services = await client.services()
    assert {s.group for s in services} >= {"Straße und Verkehr", "Sauberkeit", "Stadtgrün"}
    assert {s.type for s in services} == {"realtime", "batch"}
    assert "Laterne" in next(s for s in services if s.code == "strassenlaterne").keywords
    datatypes = set()
    for service in services:
        if service.metadata:
            definition = await client.definition(service.code)
            datatypes |= {a.datatype for a in definition.attributes}
    assert datatypes == set(DATATYPES)


async def test_submit_multipart_photo_and_read_it_back(http: Any, profile: Any) -> None:
    client = _client(http, profile)
    draft = ReportDraft(
        service_code="muell",
        location=Location(lat=51.3397, long=12.3731),
        description="Zwei Reifen und Säcke am Gehweg.",
        attributes={"art": ("reifen", "saecke"), "menge": ("1.5",)},
        email="anwohner@example.org",
    )
    receipt = await client.submit(draft, [PhotoFile("a.jpg", _jpeg())], idempotency_key="k-1")
    assert receipt.service_request_id
    request = await client.request(receipt.service_request_id)
    assert request.status == "open"
    assert request.description == draft.description
    assert request.lat == pytest.approx(51.3397)
    photo = await http.get(request.media_url)
    assert photo.status_code == 200
    assert photo.content.startswith(b"\xff\xd8")


async def test_idempotency_key_is_honoured(http: Any, profile: Any) -> None:
    client = _client(http, profile)
    draft = ReportDraft("ampel", Location(address="Roßplatz 1, Leipzig"), "Ampel aus.")
    first = await client.submit(draft, [], idempotency_key="same")
    second = await client.submit(draft, [], idempotency_key="same")
    assert first.service_request_id == second.service_request_id
    matching = [r for r in await client.requests(service_code="ampel") if r.description == "Ampel aus."]
    assert len(matching) == 1


async def test_a_used_idempotency_key_with_another_request_is_refused(http: Any, profile: Any) -> None:
    """As the IETF Idempotency-Key draft asks: 422, and nothing stored under the changed request."""
    client = _client(http, profile)
    draft = ReportDraft("ampel", Location(address="Roßplatz 2, Leipzig"), "Ampel blinkt nur gelb.")
    first = await client.submit(draft, [PhotoFile("1.jpg", _jpeg())], idempotency_key="used")
    changed = ReportDraft(
        "ampel", Location(address="Roßplatz 2, Leipzig"), "Ampel blinkt gelb, seit gestern."
    )
    with pytest.raises(ServerError) as refused:
        await client.submit(changed, [PhotoFile("1.jpg", _jpeg())], idempotency_key="used")
    assert refused.value.status == 422
    assert refused.value.key == "reports.error.field"  # handed back to the resident, never retried
    assert "another request" in str(refused.value)
    with pytest.raises(ServerError):  # another photo is another request too
        await client.submit(draft, [PhotoFile("1.jpg", _jpeg() + b"\0")], idempotency_key="used")
    again = await client.submit(draft, [PhotoFile("1.jpg", _jpeg())], idempotency_key="used")
    assert again.service_request_id == first.service_request_id
    found = [r.description for r in await client.requests(service_code="ampel")]
    assert found.count("Ampel blinkt nur gelb.") == 1
    assert "Ampel blinkt gelb, seit gestern." not in found


async def test_batch_token_resolves_after_processing(http: Any, profile: Any, sandbox_url: str) -> None:
    client = _client(http, profile)
    draft = ReportDraft(
        "graffiti", Location(address="Prager Straße 5"), "Schmiererei.", attributes={"anstoessig": ("nein",)}
    )
    receipt = await client.submit(draft, [])
    assert receipt.token
    assert not receipt.service_request_id
    assert await client.token(receipt.token) is None
    await http.post(f"{sandbox_url}/demo/open311/process-batch")
    request_id = await client.token(receipt.token)
    assert request_id
    assert (await client.request(request_id)).service_code == "graffiti"


async def test_status_changes_through_demo_endpoint(http: Any, profile: Any, sandbox_url: str) -> None:
    client = _client(http, profile)
    receipt = await client.submit(ReportDraft("ampel", Location(address="Markt 1"), "Blinkt."), [])
    response = await http.post(
        f"{sandbox_url}/demo/open311/requests/{receipt.service_request_id}/status",
        json={"status": "closed", "status_notes": "Repariert."},
    )
    assert response.status_code == 200
    request = await client.request(str(receipt.service_request_id))
    assert (request.status, request.status_notes) == ("closed", "Repariert.")
    closed = await client.requests(status="closed")
    assert receipt.service_request_id in {r.id for r in closed}


async def test_status_changes_over_time(http: Any, profile: Any, sandbox: SandboxServer) -> None:
    client = _client(http, profile)
    receipt = await client.submit(ReportDraft("ampel", Location(address="Markt 1"), "Dunkel."), [])
    real_clock = sandbox.ctx.clock
    later = real_clock() + timedelta(days=3)
    sandbox.ctx.clock = lambda: later
    try:
        request = await client.request(str(receipt.service_request_id))
    finally:
        sandbox.ctx.clock = real_clock
    assert request.status == "closed"
    assert "Erledigt" in request.status_notes


async def test_xml_works_like_json(http: Any, profile: Any) -> None:
    client = _client(http, profile)
    client.format = "xml"
    services = await client.services()
    definition = await client.definition("muell")
    assert [a.code for a in definition.attributes] == ["art", "menge", "hinweise"]
    assert len(definition.attributes[0].values) == 5
    receipt = await client.submit(
        ReportDraft("muell", Location(address="Markt 1"), "XML", attributes={"art": ("saecke",)}), []
    )
    assert receipt.service_request_id
    assert any(s.code == "muell" for s in services)


@pytest.mark.parametrize(
    ("overrides", "draft_args", "status", "key", "words"),
    [
        ({"api_key": "bad"}, ("ampel", Location(address="M"), "x"), 403, "reports.error.api_key", "api_key"),
        ({}, ("muell", Location(address="Markt 1"), "x"), 400, "reports.error.field", "attribute[art]"),
        ({}, ("gibtsnicht", Location(address="Markt 1"), "x"), 400, "reports.error.field", "service_code"),
        (
            {"jurisdiction_id": "dresden.de"}, ("ampel", Location(address="M"), "x"), 404,
            "reports.error.not_found", "jurisdiction",
        ),
    ],
)  # fmt: skip
async def test_server_errors_become_clear_messages(
    http: Any, profile: Any, overrides: Any, draft_args: Any, status: int, key: str, words: str
) -> None:
    client = _client(http, profile, **overrides)
    with pytest.raises(ServerError) as caught:
        await client.submit(ReportDraft(*draft_args), [])
    assert caught.value.status == status
    assert caught.value.key == key
    assert words in str(caught.value)
    assert not caught.value.retryable


async def test_unknown_request_is_404(http: Any, profile: Any) -> None:
    with pytest.raises(ServerError) as caught:
        await _client(http, profile).request("424242")
    assert caught.value.key == "reports.error.not_found"


async def test_media_url_mode_uploads_first(http: Any, profile: Any, sandbox_url: str) -> None:
    client = _client(http, profile, photo_upload="media_url", media_upload_url=f"{sandbox_url}/open311/media")
    receipt = await client.submit(
        ReportDraft("ampel", Location(address="Markt 2"), "Mit Foto-URL."), [PhotoFile("a.jpg", _jpeg())]
    )
    request = await client.request(str(receipt.service_request_id))
    assert request.media_url.startswith(f"{sandbox_url}/open311/media/")
    assert (await http.get(request.media_url)).status_code == 200


async def test_demo_faults_are_injected_and_counted(http: Any, sandbox_url: str) -> None:
    response = await http.post(
        f"{sandbox_url}/demo/open311/faults", json={"fail_next": 1, "modes": ["status"]}
    )
    assert response.status_code == 200
    bad = await http.post(f"{sandbox_url}/demo/open311/faults", json={"modes": ["explode"]})
    assert bad.status_code == 400
    form = {"api_key": "demo-open311-key", "service_code": "ampel", "address_string": "M", "description": "d"}
    first = await http.post(f"{sandbox_url}/open311/v2/requests.json", data=form)
    assert first.status_code == 503
    await http.post(f"{sandbox_url}/demo/open311/faults", json={"fail_next": 1, "modes": ["reset_after"]})
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post(f"{sandbox_url}/open311/v2/requests.json", data=form)
    stats = (await http.get(f"{sandbox_url}/demo/open311/stats")).json()
    assert stats["faults_injected"] == 1  # the second configuration reset the counter
    await http.delete(f"{sandbox_url}/demo/open311/faults")


async def test_the_demo_city_can_answer_too_many_requests(http: Any, profile: Any, sandbox_url: str) -> None:
    """A rate limit (429, with the seconds to wait): the app waits at least that long and sends again."""
    faults, stats = f"{sandbox_url}/demo/open311/faults", f"{sandbox_url}/demo/open311/stats"
    before = (await http.get(stats)).json()["requests"]
    answer = await http.post(
        faults, json={"fail_next": 1, "modes": ["status"], "status": 429, "retry_after": 7}
    )
    assert answer.json()["retry_after"] == 7
    assert (await http.post(faults, json={"status": 429, "retry_after": -1})).status_code == 400
    assert (await http.post(faults, json={"status": 418})).status_code == 400
    with pytest.raises(ServerError) as caught:
        await _client(http, profile).submit(
            ReportDraft("ampel", Location(address="Markt 3"), "Zu viele."), []
        )
    assert (caught.value.status, caught.value.retry_after) == (429, 7.0)
    assert caught.value.retryable
    after = (await http.get(stats)).json()
    assert (after["requests"], after["faults_injected"]) == (before, 1)  # refused before it was stored
    await http.delete(faults)


async def test_demo_tiles_and_the_probe(http: Any, profile: Any, sandbox_url: str) -> None:
    from leipzig_app.adapters.tiles import tile_url, tiles_reachable

    template = profile.reports.map_tile_url
    assert tile_url("T/{z}/{x}/{y}", 51.3397, 12.3731, 15) == "T/15/17510/10920"
    assert await tiles_reachable(http, template, *profile.reports.map_center)
    assert not await tiles_reachable(http, template, 51.34, 12.37, zoom=25)  # no such tile: 404
    assert not await tiles_reachable(http, "http://127.0.0.1:9/{z}/{x}/{y}.png", 51.34, 12.37)
    tile = await http.get(tile_url(template, 51.34, 12.37, 3))
    assert tile.headers["content-type"] == "image/png"
    assert tile.content.startswith(b"\x89PNG")
    # the web app's page (another port) may draw them: a browser shows them only with this header
    assert tile.headers["access-control-allow-origin"] == "*"
    assert await tiles_reachable(http, template, *profile.reports.map_center, origin="http://127.0.0.1:8550")


async def test_probe_in_a_browser_needs_the_tile_server_to_allow_the_page() -> None:
    from leipzig_app.adapters.tiles import tiles_reachable

    png = {"content-type": "image/png"}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "open.example":
            return httpx.Response(
                200, headers={**png, "Access-Control-Allow-Origin": "*"}, content=b"\x89PNG"
            )
        if request.url.host == "echo.example":
            allowed = request.headers.get("origin", "")
            return httpx.Response(200, headers={**png, "Access-Control-Allow-Origin": allowed}, content=b"P")
        return httpx.Response(200, headers=png, content=b"\x89PNG")  # no CORS header

    page = "https://app.example"
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        for host in ("open.example", "echo.example", "closed.example"):
            # drawn by the app itself (desktop, phone): any tile server that answers with an image
            assert await tiles_reachable(client, f"https://{host}/{{z}}/{{x}}/{{y}}.png", 51.34, 12.37)
        assert await tiles_reachable(
            client, "https://open.example/{z}/{x}/{y}.png", 51.34, 12.37, origin=page
        )
        assert await tiles_reachable(
            client, "https://echo.example/{z}/{x}/{y}.png", 51.34, 12.37, origin=page
        )
        # the browser would refuse these tiles: no map, the address field stays
        assert not await tiles_reachable(
            client, "https://closed.example/{z}/{x}/{y}.png", 51.34, 12.37, origin=page
        )
        # tiles from the page's own origin need no permission
        assert await tiles_reachable(
            client, "https://app.example/tiles/{z}/{x}/{y}.png", 51.34, 12.37, origin=page
        )


@pytest.mark.parametrize(
    "path",
    ["services.{fmt}", "services/muell.{fmt}", "requests.{fmt}", "requests/424242.{fmt}"],
)
async def test_every_read_endpoint_refuses_unknown_formats_and_foreign_jurisdictions(
    http: Any, sandbox_url: str, path: str
) -> None:
    base = f"{sandbox_url}/open311/v2/"
    wrong_format = await http.get(base + path.format(fmt="yaml"))
    assert wrong_format.status_code == 404
    assert "unknown format" in wrong_format.text
    foreign = await http.get(base + path.format(fmt="json"), params={"jurisdiction_id": "dresden.de"})
    assert foreign.status_code == 404
    assert "dresden.de" in foreign.text
    served = await http.get(base + path.format(fmt="xml"), params={"jurisdiction_id": "leipzig.de"})
    assert served.status_code in (200, 404)  # the unknown request id answers 404 in XML
    assert served.headers["content-type"].startswith(("text/xml", "application/xml"))
