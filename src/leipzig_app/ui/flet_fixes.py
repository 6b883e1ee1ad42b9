"""A correction to Flet 1.0.5 that the app cannot make from its own screens; installed once by `app.py`.

A late answer to a control's method call. The server asks the client something about a control (the
scanner asks the camera which cameras exist), the resident leaves the screen before the answer comes, and
the update that removes the screen unregisters the control. When the answer then arrives,
`Session.handle_invoke_method_results` raises `RuntimeError("... Control with ID N is not registered")`.
The web transport (flet_web's `FletApp`) and the desktop socket transport read client messages in one loop,
and that error ends it: the connection drops and the page has to reconnect. The coroutine that waits for
the answer is never woken, so it only ends at its own time limit, if it has one.

`install()` makes such an answer what it is, an answer nobody needs any more: it is dropped, and the
waiting call, if any, gets an error ("the control was removed"), just as Flet itself ends pending calls
when a session closes. Answers for registered controls go to Flet's own code unchanged. Whether Flet still
needs this is checked by a test (`tests/ui/test_flet_fixes.py`), which fails once Flet handles it itself.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

log = logging.getLogger(__name__)

_MARK = "_leipzig_app_tolerates_late_answers"


def install() -> bool:
    """Install the correction (once; later calls change nothing). False when this Flet's session lacks the
    parts it relies on, and nothing was changed."""
    from flet.messaging.session import Session

    original = Session.handle_invoke_method_results
    if getattr(original, _MARK, False):
        return True
    if not all(hasattr(Session, name) for name in ("index", "handle_invoke_method_results")):
        log.warning("this Flet version's session is not the one the late-answer correction knows")
        return False

    def handle_invoke_method_results(
        self: Session, control_id: int, call_id: str, result: Any, error: str | None
    ) -> None:
        if control_id in self.index:
            original(self, control_id, call_id, result, error)
            return
        log.debug("an answer came for control %s after it left the page; dropped", control_id)
        # Wake the waiting call with an error, the way Flet ends pending calls of a closed session.
        calls: dict[str, Any] | None = getattr(self, "_Session__method_calls", None)
        results: dict[Any, tuple[Any, str | None]] | None = getattr(
            self, "_Session__method_call_results", None
        )
        if calls is None or results is None:
            return
        waiting = calls.pop(call_id, None)
        if waiting is not None:
            results[waiting] = (None, f"control {control_id} was removed before the client answered")
            waiting.set()

    functools.update_wrapper(handle_invoke_method_results, original)  # keeps Flet's own as `__wrapped__`
    setattr(handle_invoke_method_results, _MARK, True)
    Session.handle_invoke_method_results = handle_invoke_method_results  # type: ignore[method-assign]
    return True
