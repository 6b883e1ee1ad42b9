"""Whether map tiles load: one tile near the city centre, fetched with a short timeout.

The map pin in the report wizard is optional; it is offered only when this says tiles arrive (no tile
server configured, no network or a refusing server all mean "no map", and the address field remains).
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
    http: httpx.AsyncClient, template: str, lat: float, long: float, zoom: int = 15
) -> bool:
    url = tile_url(template, lat, long, zoom)

    async def call() -> httpx.Response:
        return await http.get(url, timeout=PROBE_TIMEOUT)

    try:
        response = await guarded(call, what="map tiles")
    except AppError:
        return False
    return response.is_success and response.headers.get("content-type", "").startswith("image/")
