"""Pull to refresh, told apart from ordinary scrolling by the list's scroll notifications."""

from __future__ import annotations

import pytest

from leipzig_app.ui.widgets.pull import MAX_DISTANCE, MIN_DISTANCE, PullToRefresh, pull_distance

VIEW = 640.0  # a phone list's visible height: the pull must go 96 px


class Recorder:
    def __init__(self) -> None:
        self.pulls = 0
        self.armed: list[bool] = []
        self.gesture = PullToRefresh(on_pull=self.pull, on_armed=self.armed.append)

    def pull(self) -> None:
        self.pulls += 1

    def send(self, kind: str, pixels: float = 0.0, **more: float | None) -> None:
        self.gesture.handle(kind, pixels=pixels, top=0.0, viewport=VIEW, **more)

    def clamped_pull(self, steps: list[float], *, velocity: float = 0.0) -> None:
        """Android, web, desktop: the list stays at 0 and reports what it could not move."""
        self.send("start")
        for step in steps:
            self.send("overscroll", overscroll=-step, velocity=velocity)
        self.send("end")


def test_the_distance_is_a_share_of_the_list_within_bounds() -> None:
    assert pull_distance(VIEW) == pytest.approx(96.0)
    assert pull_distance(200) == MIN_DISTANCE
    assert pull_distance(3000) == MAX_DISTANCE


def test_a_long_enough_pull_refreshes_when_let_go() -> None:
    r = Recorder()
    r.send("start")
    for _ in range(5):
        r.send("overscroll", overscroll=-25.0, velocity=0.0)
    assert r.armed == [True]  # "Loslassen zum Aktualisieren" shows from 100 px on
    assert r.pulls == 0  # nothing happens before the finger lifts
    r.send("end")
    assert r.pulls == 1
    assert r.armed == [True, False]


def test_a_short_pull_does_nothing() -> None:
    r = Recorder()
    r.clamped_pull([20.0, 20.0, 20.0])
    assert r.pulls == 0
    assert r.armed == []


def test_a_fling_that_runs_into_the_top_is_no_pull() -> None:
    r = Recorder()
    r.clamped_pull([300.0], velocity=-2400.0)
    assert r.pulls == 0


def test_a_drag_that_starts_down_the_list_is_no_pull() -> None:
    r = Recorder()
    r.send("start", pixels=800.0)
    r.send("update", pixels=0.0)
    for _ in range(6):
        r.send("overscroll", overscroll=-30.0, velocity=0.0)
    r.send("end")
    assert r.pulls == 0


def test_pushing_the_pull_back_into_the_list_cancels_it() -> None:
    r = Recorder()
    r.send("start")
    for _ in range(5):
        r.send("overscroll", overscroll=-30.0, velocity=0.0)
    r.send("update", pixels=40.0)  # the finger went back up: the list scrolls
    r.send("end", pixels=40.0)
    assert r.pulls == 0
    assert r.armed == [True, False]


def test_ios_bouncing_pull_counts_its_furthest_point() -> None:
    """iOS: the list follows the finger above its top, and bounces back before the end comes."""
    r = Recorder()
    r.send("start")
    for pixels in (-30.0, -70.0, -110.0):
        r.send("update", pixels=pixels)
    for pixels in (-60.0, -10.0, 0.0):  # let go: bouncing back
        r.send("update", pixels=pixels)
    r.send("end")
    assert r.pulls == 1


def test_each_gesture_counts_once() -> None:
    r = Recorder()
    r.clamped_pull([60.0, 60.0])
    r.clamped_pull([60.0, 60.0])
    r.send("end")  # a stray end without a gesture
    assert r.pulls == 2
