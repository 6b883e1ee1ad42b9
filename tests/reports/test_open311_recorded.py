"""The Open311 adapter against recorded answers of other server styles (httpx.MockTransport).

- an XML-only server (404 with an HTML page for every `.json` URL), answering batch tokens,
- a JSON server that takes photos only as `media_url` (uploaded to a separate photo endpoint),
- a server that answers a single object instead of a list and keywords as a list,
- transport failures before and after the request left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.open311 import Open311Client
from leipzig_app.domain.errors import InvalidResponseError, OfflineError, ServerError
from leipzig_app.domain.reports import DeliveryUncertainError, Location, PhotoFile, ReportDraft

BASE = "https://311.example.org/v2/"

XML_SERVICES = b"""<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code><service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans left out.</description><metadata>true</metadata>
    <type>batch</type><keywords>lorem, ipsum, dolor</keywords><group>sanitation</group>
  </service>
</services>"""

XML_DEFINITION = b"""<?xml version="1.0" encoding="utf-8"?>
<service_definition><service_code>001</service_code><attributes>
  <attribute><variable>true</variable><code>WHISHETN</code><datatype>singlevaluelist</datatype>
    <required>true</required><datatype_description></datatype_description><order>1</order>
    <description>What is the ticket/tag/DL number?</description>
    <values><value><key>123</key><name>Ford</name></value></values>
  </attribute>
</attributes></service_definition>"""

XML_TOKEN_ANSWER = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><token>12345</token>
<service_notice>The City will inspect.</service_notice><account_id/></request></service_requests>"""

XML_TOKEN_RESOLVED = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>638344</service_request_id><token>12345</token></request>
</service_requests>"""

XML_ERROR = b"""<?xml version="1.0" encoding="utf-8"?>
<errors><error><code>403</code><description>Invalid api_key received</description></error></errors>"""


def _client_for(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return make_client(transport=httpx.MockTransport(handler))


@pytest.fixture
def recorded() -> list[httpx.Request]:
    return []


async def test_xml_only_server_with_batch_tokens(recorded: list[httpx.Request]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        path = request.url.path
        if path.endswith(".json"):
            return httpx.Response(404, html="<html>Not Found</html>")
        if path.endswith("/services.xml"):
            return httpx.Response(200, content=XML_SERVICES, headers={"content-type": "text/xml"})
        if path.endswith("/services/001.xml"):
            return httpx.Response(200, content=XML_DEFINITION)
        if path.endswith("/requests.xml") and request.method == "POST":
            form = parse_qs(request.content.decode())
            if form["api_key"] != ["good"]:
                return httpx.Response(403, content=XML_ERROR)
            return httpx.Response(201, content=XML_TOKEN_ANSWER)
        if path.endswith("/tokens/12345.xml"):
            return httpx.Response(200, content=XML_TOKEN_RESOLVED)
        return httpx.Response(
            404, content=b"<errors><error><code>404</code><description>no</description></error></errors>"
        )

    async with _client_for(handler) as http:
        client = Open311Client(http, BASE, api_key="good", jurisdiction_id="city.example")
        services = await client.services()
        assert client.format == "xml"
        assert services[0].keywords == ("lorem", "ipsum", "dolor")
        assert services[0].type == "batch"
        definition = await client.definition("001")
        assert definition.attributes[0].values[0].name == "Ford"
        assert definition.attributes[0].required
        draft = ReportDraft("001", Location(lat=51.3, long=12.4), "Tonnen", attributes={"WHISHETN": ("123",)})
        receipt = await client.submit(draft, [])
        assert (receipt.token, receipt.service_request_id) == ("12345", None)
        assert receipt.service_notice == "The City will inspect."
        assert await client.token("12345") == "638344"
        bad = Open311Client(http, BASE, api_key="bad")
        bad.format = "xml"
        with pytest.raises(ServerError) as caught:
            await bad.submit(draft, [])
    assert caught.value.key == "reports.error.api_key"
    assert "Invalid api_key received" in str(caught.value)
    post = next(r for r in recorded if r.method == "POST")
    form = parse_qs(post.content.decode())
    assert form["jurisdiction_id"] == ["city.example"]
    assert form["lat"] == ["51.3000000"]
    assert form["attribute[WHISHETN]"] == ["123"]


async def test_media_url_server_and_repeated_attributes(recorded: list[httpx.Request]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        if request.url.path == "/photos":
            assert b'name="media"; filename="p.jpg"' in request.content
            return httpx.Response(201, json={"media_url": "https://photos.example.org/p/1.jpg"})
        if request.url.path.endswith("/requests.json"):
            return httpx.Response(
                201, json=[{"service_request_id": "7", "service_notice": "", "account_id": None}]
            )
        return httpx.Response(404, json=[{"code": 404, "description": "nope"}])

    async with _client_for(handler) as http:
        client = Open311Client(
            http,
            BASE,
            api_key="k",
            photo_upload="media_url",
            media_upload_url="https://photos.example.org/photos",
        )
        draft = ReportDraft(
            "muell",
            Location(address="Markt 1"),
            "Text",
            attributes={"art": ("a", "b")},
            email="x@example.org",
        )
        receipt = await client.submit(draft, [PhotoFile("p.jpg", b"\xff\xd8\xff")], idempotency_key="abc")
    assert receipt.service_request_id == "7"
    post = recorded[-1]
    form = parse_qs(post.content.decode())
    assert form["media_url"] == ["https://photos.example.org/p/1.jpg"]
    assert form["attribute[art]"] == ["a", "b"]
    assert form["address_string"] == ["Markt 1"]
    assert form["email"] == ["x@example.org"]
    assert post.headers["Idempotency-Key"] == "abc"
    assert post.headers["content-type"].startswith("application/x-www-form-urlencoded")


async def test_multipart_server_gets_file_and_fields(recorded: list[httpx.Request]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        return httpx.Response(201, json={"service_request_id": "9"})  # an object, not a list

    async with _client_for(handler) as http:
        client = Open311Client(http, BASE, api_key="k", photo_upload="multipart")
        receipt = await client.submit(
            ReportDraft("c", Location(address="A"), "Ä Beschreibung"),
            [PhotoFile("1.jpg", b"\xff\xd8\xffDATA")],
        )
    assert receipt.service_request_id == "9"
    body = recorded[0].content
    assert recorded[0].headers["content-type"].startswith("multipart/form-data")
    assert b'name="media"; filename="1.jpg"' in body
    assert b"\xff\xd8\xffDATA" in body
    assert "Ä Beschreibung".encode() in body


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("refused"), OfflineError),
        (httpx.ReadTimeout("slow"), DeliveryUncertainError),
        (httpx.RemoteProtocolError("peer closed"), DeliveryUncertainError),
    ],
)
async def test_transport_failures_tell_before_from_after(failure: Exception, expected: type) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    async with _client_for(handler) as http:
        client = Open311Client(http, BASE, api_key="k")
        with pytest.raises(expected) as caught:
            await client.submit(ReportDraft("c", Location(address="A"), "d"), [])
    assert type(caught.value) is expected


async def test_503_keeps_retry_after_and_garbage_is_invalid() -> None:
    answers: list[Any] = [
        httpx.Response(503, headers={"Retry-After": "30"}, json=[{"code": 503, "description": "busy"}]),
        httpx.Response(200, content=b"{not json", headers={"content-type": "application/json"}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    async with _client_for(handler) as http:
        client = Open311Client(http, BASE)
        with pytest.raises(ServerError) as caught:
            await client.services()
        assert caught.value.retryable
        assert caught.value.retry_after == 30
        with pytest.raises(InvalidResponseError):
            await client.services()


async def test_xml_bombs_are_refused() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<services><service><service_code>&b;</service_code></service></services>"""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(".json"):
            return httpx.Response(404, text="no json here")
        return httpx.Response(200, content=bomb)

    async with _client_for(handler) as http:
        with pytest.raises(InvalidResponseError):
            await Open311Client(http, BASE).services()
