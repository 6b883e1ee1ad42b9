"""Whether map tiles load: one tile near the city centre, fetched with a short timeout.

The map pin in the report wizard is optional; it is offered only when this says tiles arrive (no tile
server configured, no network or a refusing server all mean "no map", and the address field remains). In
a browser the tile server must also allow the page's origin, or the browser draws no tile.
"""

from __future__ import annotations

import math

import httpx

from leipzig_app.adapters.http import guarded
from leipzig_app.domain.errors import AppError

PROBE_TIMEOUT = 3.0


def tile_url(template: str, lat: float, long: float, zoom: int) -> str:
    """The URL of the slippy-map tile (Web Mercator) that contains the point."""
    n = 2**zoom
    x = int((long + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return template.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))


async def tiles_reachable(
    http: httpx.AsyncClient,
    template: str,
    lat: float,
    long: float,
    zoom: int = 15,
    *,
    origin: str | None = None,
) -> bool:
    """Whether a tile loads. `origin`: the web page's origin when a browser draws the map; the browser
    shows a tile from another origin only if the server allows it (CORS `Access-Control-Allow-Origin`)."""
    url = tile_url(template, lat, long, zoom)
    headers = {"Origin": origin} if origin else None

    async def call() -> httpx.Response:
        return await http.get(url, timeout=PROBE_TIMEOUT, headers=headers)

    try:
        response = await guarded(call, what="map tiles")
    except AppError:
        return False
    if not (response.is_success and response.headers.get("content-type", "").startswith("image/")):
        return False
    if origin and _origin_of(url) != origin:
        return response.headers.get("access-control-allow-origin", "") in ("*", origin)
    return True


def _origin_of(url: str) -> str:
    parts = httpx.URL(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
    return f"{parts.scheme}://{parts.host}{port}"
