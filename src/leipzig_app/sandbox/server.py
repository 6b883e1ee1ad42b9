"""The demo city: a FastAPI application that speaks the open standards a real city would.

`create_app` applies each module's schema, seeds deterministic demo data once and mounts the module's
router; `SandboxServer` runs it with uvicorn on a loopback socket in a background thread (for the app and
the tests) or in the foreground (`leipzig-app sandbox`). The app only ever talks to it over HTTP.

Every answer carries `X-Demo-Data: true`: nothing here is real.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
import sqlite3
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI, Request, Response

from leipzig_app import __version__
from leipzig_app.sandbox.context import SandboxContext

#: The standards the demo city speaks, each a module of this package (see `context.py` for the contract).
MODULES: tuple[str, ...] = ("zms", "feeds", "open311", "open311_offenbach", "payments", "notices", "waste")

_CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
"""


class SandboxStartError(RuntimeError):
    """The demo city could not start (busy port, unwritable data folder, damaged database, ...).

    The message is plain English for the command line; `key` names the app's translated text for it.
    Neither carries more than the demo city's own folder and file names.
    """

    def __init__(self, message: str, *, key: str = "error.sandbox"):
        super().__init__(message)
        self.key = key


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"leipzig_app.sandbox.{name}") for name in MODULES]


def create_app(ctx: SandboxContext) -> FastAPI:
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    modules = _modules()
    with ctx.db() as conn:
        conn.execute(_CORE_SCHEMA)
        for module in modules:
            for statement in getattr(module, "SCHEMA", []):
                conn.execute(statement)
    for module in modules:
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(ctx)

    app = FastAPI(
        title="Demo-Stadt Leipzig (Demodaten)", version=__version__, docs_url="/docs", redoc_url=None
    )

    @app.middleware("http")
    async def mark_demo(request: Request, call_next: Any) -> Response:
        if not ctx.base_url:
            ctx.base_url = str(request.base_url).rstrip("/")
        response: Response = await call_next(request)
        response.headers["X-Demo-Data"] = "true"
        return response

    @app.get("/health")
    def health() -> dict[str, Any]:
        with ctx.db() as conn:
            conn.execute("SELECT 1").fetchone()
        return {"status": "ok", "demo": True, "version": __version__}

    @app.get("/")
    def discovery(request: Request) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        services = []
        for module in modules:
            for entry in getattr(module, "DISCOVERY", []):
                kind = entry.get("type") or entry.get("id")
                services.append({**entry, "type": kind, "url": base + entry["path"]})
        return {
            "name": "Demo-Stadt Leipzig",
            "demo": True,
            "notice": "Alle Daten sind Demodaten. / All data are demo data.",
            "version": __version__,
            "services": services,
        }

    for module in modules:
        app.include_router(module.create_router(ctx))
    return app


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; a busy port or a bad address becomes `SandboxStartError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if port:
            raise SandboxStartError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        raise SandboxStartError(f"cannot listen on {host}: {error.strerror}") from None
    return sock


class SandboxServer:
    """One running demo city. Use as a context manager, or `start()`/`stop()`."""

    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1", port: int = 0):
        self.ctx = SandboxContext(data_dir=Path(data_dir))
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.ctx.base_url

    def prepare(self) -> str:
        """Create the application and bind the socket (so the URL is known); returns the base URL."""
        self._prepare()
        return self.base_url

    def _prepare(self) -> Any:
        import uvicorn

        if self._server is not None:
            return self._server
        try:
            app = create_app(self.ctx)
        except sqlite3.OperationalError as error:
            # Cannot be opened or written (a folder in its place, read-only, locked): not damaged as such.
            raise SandboxStartError(
                f"the demo city cannot use its database {self.ctx.data_dir.name}/{self.ctx.db_path.name} "
                f"({error})"
            ) from None
        except sqlite3.DatabaseError:
            # Not a database, or damaged: the demo city's data are demo data and can be made afresh.
            raise SandboxStartError(
                f"the demo city's database {self.ctx.data_dir.name}/{self.ctx.db_path.name} is damaged or "
                f"is not a database; delete the folder {self.ctx.data_dir.name} to start it afresh",
                key="error.sandbox.database",
            ) from None
        except OSError as error:
            raise SandboxStartError(f"cannot use the data folder {self.ctx.data_dir}: {error}") from None
        except Exception as error:  # noqa: BLE001 - whatever stops the demo city, the app still opens
            raise SandboxStartError(f"the demo city could not be prepared ({type(error).__name__})") from None
        self._sock = bind_socket(self.host, self.port)
        self.port = self._sock.getsockname()[1]
        shown_host = f"[{self.host}]" if ":" in self.host else self.host
        self.ctx.base_url = f"http://{shown_host}:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        return self._server

    def start(self, timeout: float = 15.0) -> str:
        """Start in a background thread; returns the base URL once requests are served."""
        server = self._prepare()
        sock = self._sock
        assert sock is not None

        failure: list[BaseException] = []

        def serve() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except Exception as error:  # noqa: BLE001 - reported by start() below, not as a traceback
                failure.append(error)

        self._thread = threading.Thread(target=serve, name="demo-city", daemon=True)
        self._thread.start()
        if not self._wait_started(timeout):
            self.stop()
            if failure:
                raise SandboxStartError(f"the demo city stopped while starting ({type(failure[0]).__name__})")
            raise SandboxStartError("the demo city did not start in time")
        return self.base_url

    def _wait_started(self, timeout: float) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._server is not None and self._server.started:
                return True
            if self._thread is not None and not self._thread.is_alive():
                return False
            time.sleep(0.01)
        return False

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (Ctrl+C); prepares first if needed."""
        server = self._prepare()
        sock = self._sock
        assert sock is not None
        try:
            asyncio.run(server.serve(sockets=[sock]))
        finally:
            self._close_socket()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._close_socket()

    def _close_socket(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
