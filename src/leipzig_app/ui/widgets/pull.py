"""Pull to refresh, read from a list's scroll events (Flet 1.0.5 has no RefreshIndicator control).

The resident drags the list down while it is already at its top and lets go: that is a pull. Flutter
reports it on the list's `on_scroll` as notifications: a start, then, on Android, the web and desktops
(clamping physics), "overscroll" events with the distance the list could not move, or, on iOS (bouncing
physics), updates whose position runs above the top; then an end when the finger lifts (on iOS after the
list has bounced back). A pull counts when the drag began at the top and went far enough (a share of the
list's height, like Material's RefreshIndicator, within fixed bounds); a fling that merely hits the top
carries a velocity and does not count, nor does a drag that started further down the list.

A pull is a path-based gesture, so it is never the only way: the screens that offer it keep their refresh
button (WCAG 2.5.1), and screen readers use that button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: How far the list must be pulled: this share of its visible height, but at least/at most these pixels.
SHARE_OF_VIEWPORT = 0.15
MIN_DISTANCE = 64.0
MAX_DISTANCE = 140.0
#: The list counts as "at the top" within this many pixels (positions are floating point).
AT_TOP = 1.0


def pull_distance(viewport: float) -> float:
    """How far (logical pixels) a list of this visible height must be pulled to refresh."""
    return min(MAX_DISTANCE, max(MIN_DISTANCE, SHARE_OF_VIEWPORT * viewport))


class PullToRefresh:
    """Tells a pull from ordinary scrolling. Give `on_scroll` to the list.

    `on_armed(True)` when the pull has gone far enough (the screen shows "Loslassen zum Aktualisieren"),
    `on_armed(False)` when it is no longer (pushed back, or over); `on_pull()` when the resident lets go
    of a pull that was far enough.
    """

    def __init__(self, on_pull: Callable[[], Any], on_armed: Callable[[bool], Any] | None = None) -> None:
        self.on_pull = on_pull
        self.on_armed = on_armed
        self._tracking = False
        self._pulled = 0.0
        self._armed = False

    def on_scroll(self, e: Any) -> None:
        kind = getattr(e.event_type, "value", e.event_type)
        self.handle(
            str(kind),
            pixels=float(e.pixels),
            top=float(e.min_scroll_extent),
            viewport=float(e.viewport_dimension),
            overscroll=e.overscroll,
            velocity=e.velocity,
        )

    def handle(
        self,
        kind: str,
        *,
        pixels: float,
        top: float,
        viewport: float,
        overscroll: float | None = None,
        velocity: float | None = None,
    ) -> None:
        """One scroll notification (`kind` as Flet names it: start, update, overscroll, end, user)."""
        if kind == "start":
            self._tracking = pixels <= top + AT_TOP
            self._pulled = 0.0
            self._set_armed(False)
        elif not self._tracking:
            return
        elif kind == "overscroll":
            if velocity:  # a fling running into the top, not a finger pulling
                return
            if overscroll is not None and overscroll < 0:
                self._pulled += -overscroll
            self._set_armed(self._pulled >= pull_distance(viewport))
        elif kind == "update":
            if pixels > top + AT_TOP:  # the resident scrolls into the list (or pushed the pull back)
                self._tracking = False
                self._pulled = 0.0
                self._set_armed(False)
                return
            if pixels < top:  # bouncing physics: the list itself follows the finger above its top
                # The furthest point counts: after letting go the list bounces back before the end comes.
                self._pulled = max(self._pulled, top - pixels)
            self._set_armed(self._pulled >= pull_distance(viewport))
        elif kind == "end":
            pulled = self._armed
            self._tracking = False
            self._pulled = 0.0
            self._set_armed(False)
            if pulled:
                self.on_pull()

    def _set_armed(self, armed: bool) -> None:
        if armed != self._armed:
            self._armed = armed
            if self.on_armed is not None:
                self.on_armed(armed)
