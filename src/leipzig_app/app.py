"""The composition root: the one place that sees every layer.

`AppRuntime.create` reads the city profile, opens the local database with every feature's migrations,
starts the demo city when the profile asks for it (on a free port of 127.0.0.1, then binds the profile's
`{sandbox}` URLs to it), builds the HTTP client and each feature's adapters and services, and hands them
to the UI as one `AppServices`. Problems on the way (a bad profile, a busy port, a demo city that does not
start) are collected and shown on the home screen; the app still opens wherever it can.

Heavy modules are imported inside the functions that need them, so `import leipzig_app.app` stays fast.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leipzig_app.domain.errors import AppError, ProfileError
from leipzig_app.domain.profile import CityProfile
from leipzig_app.services.container import AppServices

if TYPE_CHECKING:
    import flet as ft
    import httpx

    from leipzig_app.adapters.process_lease import ProcessLease
    from leipzig_app.adapters.sqlite_store import Database, Migrations
    from leipzig_app.sandbox.server import SandboxServer

log = logging.getLogger(__name__)


class SandboxUnavailableError(AppError):
    key = "error.sandbox"


def migrations() -> list[Migrations]:
    """Every component's schema, applied when the database opens."""
    from leipzig_app.adapters import (
        appointment_store,
        hub_store,
        letters_store,
        news_store,
        outbox_store,
        report_drafts_store,
        settings_store,
    )

    return [
        settings_store.MIGRATIONS,
        news_store.MIGRATIONS,
        appointment_store.MIGRATIONS,
        outbox_store.MIGRATIONS,
        report_drafts_store.MIGRATIONS,
        letters_store.MIGRATIONS,
        hub_store.MIGRATIONS,
    ]


@dataclass
class AppRuntime:
    """Everything the running app owns and must close: database, HTTP client, demo city, lease."""

    data_dir: Path
    db: Database
    services: AppServices
    http: httpx.AsyncClient | None = None
    sandbox: SandboxServer | None = None
    #: This running app's lease in the data folder (taken when appointments are first wired): tells its
    #: held times from those of another copy of the app running on the same folder.
    lease: ProcessLease | None = None
    #: Shells (one per page) to refresh after the city changed.
    listeners: list[Callable[[], None]] = field(default_factory=list)

    #: Set once every feature is wired (see `create(defer_start=True)` and `start()`).
    ready: threading.Event = field(default_factory=threading.Event)
    _start_lock: threading.Lock = field(default_factory=threading.Lock)
    _start_thread: threading.Thread | None = None
    #: The running background jobs and the wiring generation they belong to.
    _jobs: list[concurrent.futures.Future[None]] = field(default_factory=list)
    _jobs_generation: int = -1
    #: The event loop the jobs run on: the server's, which every page's session shares. Not a page: the
    #: page that started them may be long closed when the city is switched in another tab.
    _job_loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def create(
        cls,
        *,
        city: str | None = None,
        default_city: str | None = None,
        data_dir: Path | str | None = None,
        defer_start: bool = False,
    ) -> AppRuntime:
        """Open the database and read the profile; then wire every feature, unless `defer_start`.

        Which city: `city` when given (an explicit `--city`), else the one chosen in Settings and saved in
        the data folder, else `default_city` (flet.toml's `city`), else the built-in default (Leipzig).

        With `defer_start=True` the caller runs `start()` itself (web mode does it in a thread while the
        browser loads the Flutter client, so the slow part, the demo city, does not delay the first page).
        A profile that cannot be read at all raises here, before anything is served.
        """
        from leipzig_app.adapters import paths, profiles
        from leipzig_app.adapters.settings_store import SqliteSettingsStore
        from leipzig_app.adapters.sqlite_store import Database
        from leipzig_app.services.settings import SettingsService

        folder = paths.data_dir(data_dir)
        db = Database(folder / "leipzig-app.sqlite3", migrations())
        store = SqliteSettingsStore(db)
        problems: list[AppError] = []
        saved = store.get("city")
        chosen = city or (saved if isinstance(saved, str) else None) or default_city or None
        profile = _load_profile_or_default(chosen, problems, fallback=default_city)
        settings = SettingsService(store, languages=profile.languages)
        services = AppServices(
            profile=profile, settings=settings, problems=problems, cities=tuple(profiles.city_choices())
        )
        runtime = cls(data_dir=folder, db=db, services=services)
        services.switch_city = runtime.switch_city
        services.is_ready = runtime.ready.is_set
        services.when_ready = runtime.wait_ready
        if not defer_start:
            runtime.start()
        return runtime

    def start_in_background(self) -> None:
        """`start()` in a thread, once, however often it is called (first page drawn, or a timer)."""
        with self._start_lock:
            if self._start_thread is not None:
                return
            self._start_thread = threading.Thread(target=self.start, name="app-start", daemon=True)
            self._start_thread.start()

    async def wait_ready(self) -> None:
        if not self.ready.is_set():
            await asyncio.to_thread(self.ready.wait)

    def start(self) -> None:
        """Start the demo city if the profile needs it and wire every feature; sets `ready`."""
        try:
            self._wire_or_report(self.services.profile)
        finally:
            self.ready.set()

    def _wire_or_report(self, profile: CityProfile) -> None:
        """`_wire`, with anything it lets through recorded as a problem for Home instead of raised (in web
        mode this runs in a thread, where a raised error would only be a traceback on the console)."""
        try:
            self._wire(profile)
        except Exception as error:  # noqa: BLE001 - the app opens and says what is wrong
            log.warning("starting the features failed: %s", type(error).__name__)
            self.services.problems.append(
                AppError(f"starting the features failed ({type(error).__name__})", key="error.feature_failed")
            )

    # --- wiring ----------------------------------------------------------------------------------------

    def _wire(self, profile: CityProfile) -> None:
        """(Re)build every feature for a profile; starts the demo city first when the profile needs it."""
        from leipzig_app.adapters.http import make_client

        if profile.start_sandbox:
            profile = self._bind_sandbox(profile)
        self.services.profile = profile
        if self.http is None:
            self.http = make_client()
        self.services.background.clear()
        self.services.generation += 1
        for wire in FEATURE_WIRING:
            try:
                wire(self, profile)
            except AppError as error:
                self.services.problems.append(error)
            except Exception as error:  # one feature failing to wire must not stop the others
                log.exception("wiring %s failed", wire.__name__)
                self.services.problems.append(
                    AppError(f"{wire.__name__}: {error}", key="error.feature_failed")
                )

    def _bind_sandbox(self, profile: CityProfile) -> CityProfile:
        from leipzig_app.sandbox.server import SandboxServer, SandboxStartError

        if self.sandbox is None:
            server = SandboxServer(self.data_dir / "demo-city")
            try:
                server.start()
            except Exception as error:  # noqa: BLE001 - SandboxStartError, or whatever else stops it
                if not isinstance(error, SandboxStartError):
                    error = SandboxStartError(f"the demo city could not start ({type(error).__name__})")
                self.services.problems.append(
                    SandboxUnavailableError(str(error), key=error.key, params={"reason": str(error)})
                )
                return profile.bind_sandbox(
                    "http://127.0.0.1:9"
                )  # nothing listens there: features say "offline"
            self.sandbox = server
        return profile.bind_sandbox(self.sandbox.base_url)

    async def switch_city(self, name: str) -> None:
        """Switch to another shipped profile (Settings); a bad profile leaves the current one in place."""
        from leipzig_app.adapters import profiles

        try:
            profile = profiles.load_profile(name)
        except ProfileError as error:
            self.services.problems.append(error)
        else:
            self.services.settings.switch_city(name, profile.languages)
            self.services.problems.clear()
            self._wire_or_report(profile)
        if self._job_loop is not None:
            self._start_jobs(self._job_loop)
        for listener in list(self.listeners):
            with contextlib.suppress(Exception):
                listener()

    # --- lifecycle ------------------------------------------------------------------------------------

    def ensure_background(self) -> None:
        """Run the background jobs exactly once per runtime (not once per open page or browser tab), and
        replace them when the features were re-wired for another city.

        Called from a page's `main`, on the event loop every page shares; the page itself may have lost its
        connection by then (a phone in a tunnel while the app was starting)."""
        self._start_jobs(asyncio.get_running_loop())

    def _start_jobs(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._jobs_generation == self.services.generation:
            return
        for job in self._jobs:
            job.cancel()
        self._jobs = [asyncio.run_coroutine_threadsafe(_run(job), loop) for job in self.services.background]
        for running in self._jobs:
            running.add_done_callback(_log_job_failure)
        self._jobs_generation = self.services.generation
        self._job_loop = loop

    @property
    def background_jobs(self) -> tuple[concurrent.futures.Future[None], ...]:
        return tuple(self._jobs)

    def stop_background(self) -> None:
        for job in self._jobs:
            job.cancel()
        self._jobs = []
        self._jobs_generation = -1

    def create_main(self) -> Callable[[ft.Page], Awaitable[None]]:
        return create_main(self)

    async def aclose(self) -> None:
        self.stop_background()
        closers, self.services.closers = self.services.closers, []
        for closer in closers:
            try:
                await closer()
            except Exception as error:  # noqa: BLE001 - closing goes on whatever one clean-up throws
                log.warning("a clean-up at close failed: %s", type(error).__name__)
        if self.http is not None:
            await self.http.aclose()
            self.http = None
        self.close()

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
        if self.lease is not None:
            self.lease.close()
            self.lease = None


async def _run(job: Callable[[], Awaitable[None]]) -> None:
    await job()


def _log_job_failure(job: concurrent.futures.Future[None]) -> None:
    if not job.cancelled() and job.exception() is not None:
        log.error("a background job stopped", exc_info=job.exception())


def _load_profile_or_default(
    city: str | None, problems: list[AppError], *, fallback: str | None = None
) -> CityProfile:
    """The profile `city`; when it cannot be read, `fallback` (the run profile's city), then the built-in
    default, with the problem recorded. Only a built-in default that cannot be read raises."""
    from leipzig_app.adapters import profiles

    try:
        return profiles.load_profile(city)
    except ProfileError as error:
        if city in (None, profiles.DEFAULT_CITY):
            raise
        problems.append(error)
    if fallback and fallback not in (city, profiles.DEFAULT_CITY):
        try:
            return profiles.load_profile(fallback)
        except ProfileError as error:
            problems.append(error)
    return profiles.load_profile(None)


def create_main(runtime: AppRuntime) -> Callable[[ft.Page], Awaitable[None]]:
    """The Flet `main`: one shell per page, all sharing the runtime's services.

    The shell is shown at once, even while the features are still being wired (web mode wires them in
    the background): Home draws at once and fills its cards when they are ready, other sections wait.
    """

    from leipzig_app.ui import flet_fixes

    flet_fixes.install()

    async def main(page: ft.Page) -> None:
        from leipzig_app.ui.shell import Shell

        shell = Shell(page, runtime.services)
        runtime.listeners.append(shell.refresh)

        async def on_close(e: Any) -> None:
            # The session ended for good (see Shell.close for why this and not on_disconnect).
            if shell.refresh in runtime.listeners:
                runtime.listeners.remove(shell.refresh)
            await shell.close()

        page.on_close = on_close
        shell.start()
        if not runtime.ready.is_set():
            runtime.start_in_background()  # the first screen is out: now the slower part
            await runtime.wait_ready()
            shell.on_ready()
        runtime.ensure_background()

    return main


# --- feature wiring: one function per feature, each reads its profile section -----------------------------

FeatureWiring = Callable[[AppRuntime, CityProfile], None]


def _noop(runtime: AppRuntime, profile: CityProfile) -> Any:
    return None


#: Called in order by `AppRuntime._wire`; each sets its `AppServices` attribute (or leaves it None).
FEATURE_WIRING: list[FeatureWiring] = []


def _wire_news(runtime: AppRuntime, profile: CityProfile) -> None:
    """City news: the profile's feeds, fetched over the shared client, cached in the database."""
    from leipzig_app.adapters.feeds import FeedFetcher
    from leipzig_app.adapters.image_cache import ImageCache
    from leipzig_app.adapters.news_store import SqliteNewsStore
    from leipzig_app.services.news import NewsService

    runtime.services.news = None
    if "news" not in profile.modules or runtime.http is None:
        return
    service = NewsService(
        profile.news.feeds,
        FeedFetcher(runtime.http),
        SqliteNewsStore(runtime.db, city=profile.id),
        images=ImageCache(runtime.http, runtime.data_dir / "news-images"),
        timezone=profile.timezone,
    )
    runtime.services.news = service
    runtime.services.background.append(service.keep_fresh)


FEATURE_WIRING.append(_wire_news)


#: The folder below the data folder with the leases of the running copies of the app.
HOLD_LEASES = ".holds"


def _wire_appointments(runtime: AppRuntime, profile: CityProfile) -> None:
    """Citizen-office appointments: the ZMS citizen API, "Meine Termine" in the database, secrets apart."""
    from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
    from leipzig_app.adapters.process_lease import ProcessLease
    from leipzig_app.adapters.secrets import FileSecretStore
    from leipzig_app.adapters.zms import ZmsBooking
    from leipzig_app.services.appointments import AppointmentService

    runtime.services.appointments = None
    endpoint = profile.appointments.endpoint
    if "appointments" not in profile.modules or runtime.http is None or not endpoint:
        return
    if runtime.lease is None:
        # One per running app, kept across city switches: its held times are its own until it closes.
        runtime.lease = ProcessLease(runtime.data_dir / HOLD_LEASES)
    service = AppointmentService(
        ZmsBooking(runtime.http, endpoint),
        # The city's own bookings: another city's server does not know their process ids.
        SqliteAppointmentStore(runtime.db, city=profile.id),
        # Desktop and web: a 0600 file in the data folder (see adapters/secrets.py).
        FileSecretStore(runtime.data_dir),
        profile.appointments,
        city=profile.id,
        owners=runtime.lease,
    )
    runtime.services.appointments = service
    # Gives back the times a run that has ended held and never booked: at start for the file, again when a
    # phone's appointments section switches to the device's secure storage, and later for those of another
    # copy of the app that was still running.
    runtime.services.background.append(service.run_background)


FEATURE_WIRING.append(_wire_appointments)


def _wire_reports(runtime: AppRuntime, profile: CityProfile) -> None:
    """Problem reports: Open311 (or a hand-off to the city's portal), a durable outbox, private photos."""
    import os

    from leipzig_app.adapters.open311 import Open311Client
    from leipzig_app.adapters.outbox_store import SqliteOutboxStore
    from leipzig_app.adapters.photos import OpenCvPhotoProcessor
    from leipzig_app.adapters.tiles import tiles_reachable
    from leipzig_app.services.reports import ReportsService

    runtime.services.reports = None
    settings = profile.reports
    if "reports" not in profile.modules or settings.mode == "none" or runtime.http is None:
        return
    reporting = None
    if settings.mode == "open311" and settings.endpoint:
        api_key = settings.api_key or (os.environ.get(settings.api_key_env) if settings.api_key_env else None)
        reporting = Open311Client(
            runtime.http,
            settings.endpoint,
            api_key=api_key,
            jurisdiction_id=settings.jurisdiction_id,
            photo_upload=settings.photo_upload,
            media_upload_url=settings.media_upload_url,
        )
    http, tiles = runtime.http, settings.map_tile_url
    service = ReportsService(
        # The city's own outbox: another city's reports wait until that city is active again.
        outbox=SqliteOutboxStore(runtime.db, runtime.data_dir / "outbox", city=profile.id),
        reporting=reporting,
        photos=OpenCvPhotoProcessor(),
        mode=settings.mode,
        handoff_url=settings.handoff_url,
        map_tile_url=tiles,
        map_probe=(
            (lambda origin: tiles_reachable(http, tiles, *settings.map_center, origin=origin))
            if tiles
            else None
        ),
    )
    runtime.services.reports = service
    runtime.services.closers.append(service.aclose)
    if reporting is not None:
        runtime.services.background.append(service.run_background)


FEATURE_WIRING.append(_wire_reports)


def _wire_report_drafts(runtime: AppRuntime, profile: CityProfile) -> None:
    """Drafts of the report wizard: kept in the database per city, photos (processed only) as files."""
    from leipzig_app.adapters.report_drafts_store import SqliteReportDraftStore
    from leipzig_app.services.report_drafts import ReportDraftsService, photo_limit

    runtime.services.report_drafts = None
    if runtime.services.reports is None:
        return
    runtime.services.report_drafts = ReportDraftsService(
        SqliteReportDraftStore(runtime.db, runtime.data_dir / "report-drafts", city=profile.id),
        runtime.services.reports,
        max_photos=photo_limit(profile.reports),
    )


FEATURE_WIRING.append(_wire_report_drafts)


def _wire_notices(runtime: AppRuntime, profile: CityProfile) -> None:
    """Official letters: inspect codes with the city's keys and signed key list, pay, remind, object."""
    from datetime import date

    from leipzig_app.adapters.calendar_export import IcsReminderCalendar
    from leipzig_app.adapters.keylist import KeyListStore
    from leipzig_app.adapters.letters_store import SqliteLettersStore
    from leipzig_app.adapters.objection_pdf import ObjectionLetterPdf
    from leipzig_app.adapters.payments import PaymentStatusClient
    from leipzig_app.domain.notices.trust import KeyList
    from leipzig_app.services.notices import NoticesService

    runtime.services.notices = None
    if "scanner" not in profile.modules or runtime.http is None:
        return
    http = runtime.http
    payments = None
    if profile.payments.status_url:
        parameter = profile.payments.parameters.get("cash_reference", "kassenzeichen")
        payments = PaymentStatusClient(http, profile.payments.status_url, parameter=parameter)
    trust = None
    key_list_url, signers = profile.notices.key_list_url, profile.notices.key_list_signers
    if key_list_url and signers:
        cache = KeyListStore(runtime.data_dir / "notices")

        async def refresh_key_list(today: date) -> KeyList | None:
            return (await cache.refresh(http, key_list_url, signers, today)).key_list

        trust = refresh_key_list
    runtime.services.notices = NoticesService(
        profile,
        SqliteLettersStore(runtime.db),
        calendar=IcsReminderCalendar(profile.timezone),
        renderer=ObjectionLetterPdf(),
        payments=payments,
        trust=trust,
    )


FEATURE_WIRING.append(_wire_notices)


def _wire_scanner(runtime: AppRuntime, profile: CityProfile) -> None:
    """The scanner screen: decoding (zxing-cpp or the portable path, chosen by the engine), a desktop
    webcam through OpenCV, and the folder web-mode uploads land in (the one `cli/run.py` serves)."""
    from leipzig_app.adapters.camera import OpenCvCameras
    from leipzig_app.adapters.decoding import QrDecoder
    from leipzig_app.services.scanner import ScannerService
    from leipzig_app.ui.scanner.ports import ScannerPorts

    runtime.services.scanner = None
    if "scanner" not in profile.modules:
        return
    runtime.services.scanner = ScannerPorts(
        service=ScannerService(QrDecoder()),
        cameras=OpenCvCameras(),
        upload_dir=runtime.data_dir / "uploads",
    )


FEATURE_WIRING.append(_wire_scanner)


def _wire_hub(runtime: AppRuntime, profile: CityProfile) -> None:
    """The services hub ("Mehr"): the profile's hub modules; library card store, waste calendar over HTTP."""
    from leipzig_app.adapters.barcodes import PythonBarcodeRenderer
    from leipzig_app.adapters.card_store import FileCardStore
    from leipzig_app.adapters.hub_store import SqliteHubStore
    from leipzig_app.adapters.waste_calendar import IcsWasteExporter, WasteCalendarClient
    from leipzig_app.services.hub import HubService
    from leipzig_app.services.library import LibraryCardService
    from leipzig_app.services.waste import WasteService

    runtime.services.hub = None
    library = waste = None
    library_settings = profile.services.get("library")
    if "library" in profile.modules and library_settings is not None:
        # Desktop and web: a 0600 file in the data folder; phones swap in secure storage (ui/services).
        library = LibraryCardService(
            library_settings, FileCardStore(runtime.data_dir), PythonBarcodeRenderer(), profile.id
        )
    waste_settings = profile.services.get("waste")
    if "waste" in profile.modules and waste_settings is not None and runtime.http is not None:
        waste = WasteService(
            waste_settings,
            WasteCalendarClient(runtime.http, waste_settings.feed_url, waste_settings.streets_url),
            SqliteHubStore(runtime.db, profile.id),
            IcsWasteExporter(),
            city_name=profile.name,
        )
    runtime.services.hub = HubService(profile, library=library, waste=waste)


FEATURE_WIRING.append(_wire_hub)
