"""Marking the codes found over the camera picture: an outline through each code's corner points.

Corner points come in the pixels of the decoded frame; the viewfinder shows that frame scaled to its own
width, so every point is scaled by the same factor. Pure functions of the outcome: easy to test.
"""

from __future__ import annotations

from collections.abc import Sequence

import flet as ft
import flet.canvas as cv

from leipzig_app.domain.scanning import Quad

#: Outline of a code read (drawn on top of any picture: a bright colour with a dark edge).
FOUND_COLOR = "#00E676"
EDGE_COLOR = "#1B5E20"
CANDIDATE_COLOR = "#FFD600"


def scaled(quad: Quad, factor: float) -> Quad:
    a, b, c, d = ((x * factor, y * factor) for x, y in quad)
    return (a, b, c, d)


def quad_path(quad: Quad, color: str, width: float) -> cv.Path:
    first, *rest = quad
    elements: list[cv.Path.PathElement] = [cv.Path.MoveTo(first[0], first[1])]
    elements.extend(cv.Path.LineTo(x, y) for x, y in rest)
    elements.append(cv.Path.Close())
    return cv.Path(
        elements,
        paint=ft.Paint(color=color, stroke_width=width, style=ft.PaintingStyle.STROKE),
    )


def code_shapes(
    codes: Sequence[Quad], candidates: Sequence[Quad], frame_width: int, view_width: float
) -> list[cv.Shape]:
    """Shapes for the overlay canvas: codes read in green with corner dots, unread symbols in yellow."""
    if frame_width <= 0 or view_width <= 0:
        return []
    factor = view_width / frame_width
    shapes: list[cv.Shape] = []
    for quad in candidates:
        shapes.append(quad_path(scaled(quad, factor), CANDIDATE_COLOR, 2))
    for quad in codes:
        view_quad = scaled(quad, factor)
        shapes.append(quad_path(view_quad, EDGE_COLOR, 6))
        shapes.append(quad_path(view_quad, FOUND_COLOR, 3))
        shapes.extend(
            cv.Circle(x, y, 5, paint=ft.Paint(color=FOUND_COLOR, style=ft.PaintingStyle.FILL))
            for x, y in view_quad
        )
    return shapes
