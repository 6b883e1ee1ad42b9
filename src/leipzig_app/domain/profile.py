"""The city profile: everything that makes the app Leipzig's (or another city's), validated as a whole.

A profile is a TOML document (see `assets/cities/leipzig.toml`). `parse_profile` turns its parsed mapping
into a frozen `CityProfile` or raises `ProfileError` naming the file, the field and what was expected, so
the app never starts half-configured. URLs may use the placeholder `{sandbox}` for the demo city's base
URL; such a profile must set `sandbox.start = true`, and `CityProfile.bind_sandbox` substitutes the real
loopback URL once the demo city is listening. Everything else in the app sees plain URLs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from leipzig_app.domain.contrast import contrast_ratio, parse_hex_color
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.hub_settings import AccessibilityGap, SectionReader, parse_accessibility_gaps
from leipzig_app.domain.palette import CITY_COLOURS, PAIRS, THEMES, palettes
from leipzig_app.domain.urls import SANDBOX_PLACEHOLDER, check_endpoint_url

SUPPORTED_LANGUAGES = ("de", "en", "uk", "ar")
MODULE_IDS = (
    "news",
    "appointments",
    "reports",
    "scanner",
    "ticket",
    "library",
    "waste",
    "online_services",
    "participation",
    "numbers",
)
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_T = TypeVar("_T")

LocalText = Mapping[str, str]
#: A city's text missing in the chosen language is shown in English, then in German (the city's own).
TEXT_FALLBACKS = ("en", "de")


def city_name(names: LocalText, language: str) -> str:
    """A city's name in `language` ("Лейпциг"), else its official German name (never the English one: a
    city's name is German unless the profile gives it in the resident's language)."""
    return str(names.get(language) or names["de"])


def local_text(text: LocalText | None, language: str) -> str:
    """`text` in `language`, else in the first fallback the city wrote it in; "" when there is none."""
    if not text:
        return ""
    for code in (language, *TEXT_FALLBACKS):
        if text.get(code):
            return str(text[code])
    return ""


@dataclass(frozen=True)
class Colors:
    primary: str
    on_primary: str
    secondary: str
    on_secondary: str
    primary_dark: str
    on_primary_dark: str


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    url: str
    category: str = ""


@dataclass(frozen=True)
class NewsSettings:
    feeds: tuple[Feed, ...] = ()


@dataclass(frozen=True)
class AppointmentSettings:
    endpoint: str | None = None
    hints: tuple[LocalText, ...] = ()
    release_times: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportSettings:
    mode: str = "none"  # "open311", "handoff" or "none"
    endpoint: str | None = None
    jurisdiction_id: str | None = None
    api_key: str | None = None
    api_key_env: str | None = None
    photo_upload: str = "media_url"  # "multipart" or "media_url"
    media_upload_url: str | None = None
    handoff_url: str | None = None
    #: Map tiles for the optional pin ({z}/{x}/{y}); the map is shown only when a tile loads.
    map_tile_url: str | None = None
    #: Where the map opens when no position is known yet (latitude, longitude).
    map_center: tuple[float, float] = (51.3397, 12.3731)


@dataclass(frozen=True)
class PaymentSettings:
    page_url: str | None = None
    status_url: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    official_accounts: tuple[str, ...] = ()
    provider: str = ""
    #: The account holder's name on transfers to the official accounts (letters typed in by hand).
    payee: str = ""


@dataclass(frozen=True)
class NoticeSettings:
    trusted_keys: tuple[Any, ...] = ()
    key_list_url: str | None = None
    key_list_signers: tuple[Any, ...] = ()
    objection_forms: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkSettings:
    allowed_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalSettings:
    imprint: LocalText = field(default_factory=dict)
    privacy: LocalText = field(default_factory=dict)
    contact_email: str = ""
    contact_phone: str = ""
    accessibility_feedback_email: str = ""
    accessibility_assessed_on: date | None = None
    accessibility_method: LocalText = field(default_factory=dict)
    accessibility_status: str = "partial"  # "full", "partial" or "none"
    accessibility_known_gaps: tuple[AccessibilityGap, ...] = ()
    enforcement_body_name: str = ""
    enforcement_body_url: str = ""


@dataclass(frozen=True)
class CityChoice:
    """A city the resident can switch to in Settings: its profile's id and the city's full official name
    ("Offenbach am Main", not the profile's file name), with its names in other languages."""

    id: str
    name: str
    names: LocalText = field(default_factory=dict)

    def name_in(self, language: str) -> str:
        return city_name({**self.names, "de": self.name}, language)


@dataclass(frozen=True)
class CityProfile:
    source: str
    id: str
    name: str
    app_name: str
    state: str
    municipality_key: str
    timezone: str
    languages: tuple[str, ...]
    demo: bool
    start_sandbox: bool
    colors: Colors
    modules: tuple[str, ...]
    links: LinkSettings
    legal: LegalSettings
    news: NewsSettings
    appointments: AppointmentSettings
    reports: ReportSettings
    payments: PaymentSettings
    notices: NoticeSettings
    services: Mapping[str, Any] = field(default_factory=dict)
    #: The city's name per language (`name` is the German, official one, and always among them).
    names: LocalText = field(default_factory=dict)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def name_in(self, language: str) -> str:
        """The city's name as a resident reading `language` knows it ("Лейпциг"), else the German one."""
        return city_name({**self.names, "de": self.name}, language)

    def bind_sandbox(self, base_url: str) -> CityProfile:
        """A copy with every `{sandbox}` placeholder replaced by the demo city's real base URL."""
        return _substitute(self, base_url.rstrip("/"))


def parse_profile(data: Mapping[str, Any], source: str) -> CityProfile:
    """Validate a parsed TOML profile; raises `ProfileError` at the first problem."""
    r = _Reader(data, source)
    version = r.integer("schema_version")
    if version != 1:
        raise ProfileError(source, "schema_version", "1 (the only version this app understands)")
    city = r.table("city")
    start_sandbox = r.table("sandbox", required=False).boolean("start", default=False)
    languages = tuple(city.str_list("languages"))
    if not languages or languages[0] not in SUPPORTED_LANGUAGES:
        raise ProfileError(source, "city.languages", f"a list starting with one of {SUPPORTED_LANGUAGES}")
    for lang in languages:
        if lang not in SUPPORTED_LANGUAGES:
            raise ProfileError(source, "city.languages", f"only languages from {SUPPORTED_LANGUAGES}")
    demo = city.boolean("demo", default=False)
    modules = tuple(r.table("modules").str_list("enabled"))
    allowed_domains = tuple(d.lower() for d in r.table("links").str_list("allowed_domains"))
    for module in modules:
        if module not in MODULE_IDS:
            raise ProfileError(source, "modules.enabled", f"module ids from {MODULE_IDS}, not '{module}'")
    names = _city_names(city)
    profile = CityProfile(
        source=source,
        id=city.slug("id"),
        name=names["de"],
        names=names,
        app_name=city.string("app_name"),
        state=city.string("state", pattern=r"^[A-Z]{2}$", expected="a two-letter state code such as SN"),
        municipality_key=city.string("municipality_key", pattern=r"^\d{8}$", expected="8 digits (AGS)"),
        timezone=_timezone(city),
        languages=languages,
        demo=demo,
        start_sandbox=start_sandbox,
        colors=_colors(r.table("colors")),
        modules=modules,
        links=LinkSettings(allowed_domains=allowed_domains),
        legal=_legal(r.table("legal"), allowed_domains, start_sandbox),
        news=_news(r.table("news", required=False)),
        appointments=_appointments(r.table("appointments", required=False)),
        reports=_reports(r.table("reports", required=False)),
        payments=_payments(r.table("payments", required=False)),
        notices=_notices(r.table("notices", required=False), demo),
        services=dict(r.raw_table("services")),
    )
    r.reject_unknown()
    _check_enabled_sections(profile)
    _check_urls(profile)
    # The services hub's modules validate their own [services.<module>] sections (domain/modules.py).
    from leipzig_app.domain.modules import parse_services

    return replace(profile, services=parse_services(profile))


# --- sections -------------------------------------------------------------------------------------------


def _city_names(t: _Reader) -> dict[str, str]:
    """`name`: the city's official (German) name, or a table of its names per language with at least 'de'
    (`name = { de = "Leipzig", uk = "Лейпциг", ar = "لايبزيغ" }`)."""
    languages = ", ".join(SUPPORTED_LANGUAGES)
    value = t._get("name", (str, dict), f"a non-empty text, or a table of names per language ({languages})")
    names = {"de": value} if isinstance(value, str) else dict(value)
    if "de" not in names:
        raise t._fail("name", "a table of names per language that has at least 'de' (the official name)")
    for language, text in names.items():
        if language not in SUPPORTED_LANGUAGES:
            raise t._fail("name", f"names only in languages the app speaks ({languages}), not '{language}'")
        if not isinstance(text, str) or not text.strip():
            raise t._fail("name", f"a non-empty text as the name in '{language}'")
    return {language: text.strip() for language, text in names.items()}


def _timezone(t: _Reader) -> str:
    """An IANA time zone the app can use (news dates, reminders, appointment times are shown in it)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = t.string("timezone", default="Europe/Berlin", expected="an IANA time zone such as Europe/Berlin")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise t._fail("timezone", f"an IANA time zone such as Europe/Berlin, not '{name}'") from None
    return name


def _check_enabled_sections(profile: CityProfile) -> None:
    """Every enabled top-level module has what it needs to work: a section turned on must not open empty.
    (The services hub's modules are checked by `domain/modules.py`.)"""
    source, modules = profile.source, profile.modules
    if "news" in modules and not profile.news.feeds:
        raise ProfileError(source, "news.feeds", "at least one [[news.feeds]] table when 'news' is enabled")
    if "appointments" in modules and not profile.appointments.endpoint:
        raise ProfileError(
            source,
            "appointments.endpoint",
            "the base URL of the ZMS citizen API when 'appointments' is enabled (missing)",
        )
    if "reports" in modules and profile.reports.mode == "none":
        raise ProfileError(
            source, "reports.mode", "'open311' or 'handoff' when 'reports' is enabled (a [reports] table)"
        )


def _colors(t: _Reader) -> Colors:
    """The city's colours; every text/background pair the themes draw with them must be readable
    (`domain/palette.py` lists the pairs, the same list the UI's themes are built from)."""
    colors = Colors(
        **{
            name: t.string(name, pattern=_HEX.pattern, expected="a colour like #0A5EA8")
            for name in Colors.__dataclass_fields__
        }
    )
    for theme, palette in zip(THEMES, palettes(colors), strict=True):
        city = CITY_COLOURS[theme]
        for foreground, background, required in PAIRS:
            ratio = contrast_ratio(
                parse_hex_color(getattr(palette, foreground)), parse_hex_color(getattr(palette, background))
            )
            if ratio >= required:
                continue
            # The city's colour in the pair is the one to change (the foreground when both are the city's).
            field = city.get(foreground) or city.get(background)
            what = "text" if required >= 4.5 else "graphics"
            raise ProfileError(
                t.source,
                f"{t.path}.{field}" if field else t.path,
                f"{what} contrast of at least {required:g}:1 for {foreground} on {background} in the {theme} "
                f"theme (is {ratio:.2f}:1)",
            )
    return colors


def _legal(t: _Reader, allowed_domains: tuple[str, ...], start_sandbox: bool) -> LegalSettings:
    # the gaps and the enforcement body's link follow the services hub's link rules (https, allow-listed)
    links = SectionReader(
        t.data, t.source, t.path, allowed_domains=allowed_domains, start_sandbox=start_sandbox
    )
    t.known.update(("accessibility_known_gaps", "enforcement_body_url"))
    return LegalSettings(
        imprint=t.local_text("imprint"),
        privacy=t.local_text("privacy"),
        contact_email=t.string("contact_email"),
        contact_phone=t.string("contact_phone", default=""),
        accessibility_feedback_email=t.string("accessibility_feedback_email"),
        accessibility_assessed_on=t.date("accessibility_assessed_on"),
        accessibility_method=t.local_text("accessibility_method"),
        accessibility_status=t.choice("accessibility_status", ("full", "partial", "none")),
        accessibility_known_gaps=parse_accessibility_gaps(links),
        enforcement_body_name=t.string("enforcement_body_name"),
        enforcement_body_url=links.link("enforcement_body_url"),
    )


def _news(t: _Reader) -> NewsSettings:
    feeds = []
    for i, item in enumerate(t.table_list("feeds")):
        feeds.append(
            Feed(
                id=item.slug("id"),
                title=item.string("title"),
                url=item.string("url"),
                category=item.string("category", default=""),
            )
        )
        if any(f.id == feeds[-1].id for f in feeds[:-1]):
            raise ProfileError(t.source, f"news.feeds[{i}].id", "a unique feed id")
    return NewsSettings(feeds=tuple(feeds))


def _appointments(t: _Reader) -> AppointmentSettings:
    return AppointmentSettings(
        endpoint=t.optional_string("endpoint"),
        hints=tuple(t.local_text_list("hints")),
        release_times=tuple(t.str_list("release_times", required=False)),
    )


def _reports(t: _Reader) -> ReportSettings:
    mode = t.choice("mode", ("open311", "handoff", "none"), default="none")
    settings = ReportSettings(
        mode=mode,
        endpoint=t.optional_string("endpoint"),
        jurisdiction_id=t.optional_string("jurisdiction_id"),
        api_key=t.optional_string("api_key"),
        api_key_env=t.optional_string("api_key_env"),
        photo_upload=t.choice("photo_upload", ("multipart", "media_url"), default="media_url"),
        media_upload_url=t.optional_string("media_upload_url"),
        handoff_url=t.optional_string("handoff_url"),
        map_tile_url=t.optional_string("map_tile_url"),
        map_center=_map_center(t),
    )
    if mode == "open311" and not settings.endpoint:
        raise ProfileError(t.source, "reports.endpoint", "the Open311 base URL when mode is 'open311'")
    if mode == "handoff" and not settings.handoff_url:
        raise ProfileError(
            t.source, "reports.handoff_url", "the reporting portal's URL when mode is 'handoff'"
        )
    if settings.photo_upload == "media_url" and mode == "open311" and not settings.media_upload_url:
        raise ProfileError(
            t.source, "reports.media_upload_url", "where photos go when photo_upload is 'media_url'"
        )
    return settings


def _map_center(t: _Reader) -> tuple[float, float]:
    t.known.add("map_center")
    value = t.data.get("map_center", [51.3397, 12.3731])
    ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)
    if not ok or not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180):
        raise ProfileError(t.source, "reports.map_center", "[latitude, longitude], e.g. [51.3397, 12.3731]")
    return float(value[0]), float(value[1])


def _payments(t: _Reader) -> PaymentSettings:
    return PaymentSettings(
        page_url=t.optional_string("page_url"),
        status_url=t.optional_string("status_url"),
        parameters=t.str_mapping("parameters"),
        official_accounts=tuple(
            a.replace(" ", "").upper() for a in t.str_list("official_accounts", required=False)
        ),
        provider=t.string("provider", default=""),
        payee=t.string("payee", default=""),
    )


def _notices(t: _Reader, demo_profile: bool) -> NoticeSettings:
    def keys(name: str) -> tuple[Any, ...]:
        parsed = []
        for i, item in enumerate(t.table_list(name)):
            from leipzig_app.domain.notices.trust import parse_trusted_key

            where = f"{t.path}.{name}[{i}]"
            item.known.update(item.data)  # parse_trusted_key checks the key's own fields
            try:
                key = parse_trusted_key(item.data, where)
            except ValueError as error:
                raise ProfileError(t.source, where, str(error)) from None
            # `demo` is also true for a known demo key described with `demo = false` (trust.py).
            if getattr(key, "demo", False) and not demo_profile:
                raise ProfileError(
                    t.source,
                    where,
                    "a key of the city's own: this is one of the demo city's keys (known by its public"
                    " key, whatever its demo flag says), whose private half is public; only a profile"
                    " marked city.demo = true may list it",
                )
            parsed.append(key)
        return tuple(parsed)

    return NoticeSettings(
        trusted_keys=keys("trusted_keys"),
        key_list_url=t.optional_string("key_list_url"),
        key_list_signers=keys("key_list_signers"),
        objection_forms=t.str_mapping("objection_forms"),
    )


def _check_urls(profile: CityProfile) -> None:
    for where, url in _iter_urls(profile):
        if SANDBOX_PLACEHOLDER in url and not profile.start_sandbox:
            raise ProfileError(
                profile.source, where, "a real URL, or sandbox.start = true for '{sandbox}' URLs"
            )
        problem = check_endpoint_url(url)
        if problem:
            raise ProfileError(profile.source, where, problem)


def _iter_urls(profile: CityProfile) -> list[tuple[str, str]]:
    urls: list[tuple[str, str]] = [(f"news.feeds[{i}].url", f.url) for i, f in enumerate(profile.news.feeds)]
    for section, obj in (
        ("appointments", profile.appointments),
        ("reports", profile.reports),
        ("payments", profile.payments),
        ("notices", profile.notices),
    ):
        for name, value in vars(obj).items():
            if (name.endswith("url") or name == "endpoint") and isinstance(value, str):
                urls.append((f"{section}.{name}", value))
    urls += [(f"notices.objection_forms.{k}", v) for k, v in profile.notices.objection_forms.items()]
    return urls


def _substitute(obj: _T, base_url: str) -> _T:
    if isinstance(obj, str):
        return obj.replace(SANDBOX_PLACEHOLDER, base_url)  # type: ignore[return-value]
    if isinstance(obj, tuple):
        return tuple(_substitute(v, base_url) for v in obj)  # type: ignore[return-value]
    if isinstance(obj, Mapping):
        return {k: _substitute(v, base_url) for k, v in obj.items()}  # type: ignore[return-value]
    if hasattr(obj, "__dataclass_fields__"):
        changes = {name: _substitute(getattr(obj, name), base_url) for name in obj.__dataclass_fields__}
        return replace(obj, **changes)  # type: ignore[type-var]
    return obj


# --- a reader that knows where it is --------------------------------------------------------------------


class _Reader:
    """Typed access to one TOML table; every failure names the file, the dotted field and the expectation."""

    def __init__(self, data: Mapping[str, Any], source: str, path: str = ""):
        self.data = data
        self.source = source
        self.path = path
        #: The fields read so far; `reject_unknown` refuses the others (a typo must not go unnoticed).
        self.known: set[str] = set()
        self._children: list[_Reader] = []

    def reject_unknown(self) -> None:
        """Raise `ProfileError` for a field of this table (or a table read below it) that nothing read."""
        for name in self.data:
            if name not in self.known:
                where = f"[{self.path}]" if self.path else "the top level"
                fields = ", ".join(sorted(self.known))
                raise self._fail(name, f"no such field in {where}; known fields: {fields}")
        for child in self._children:
            child.reject_unknown()

    def _where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _fail(self, name: str, expected: str) -> ProfileError:
        return ProfileError(self.source, self._where(name), expected)

    def _get(self, name: str, kind: type | tuple[type, ...], expected: str, default: Any = ...) -> Any:
        self.known.add(name)
        if name not in self.data:
            if default is ...:
                raise self._fail(name, f"{expected} (missing)")
            return default
        value = self.data[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self._fail(name, expected)
        return value

    def table(self, name: str, *, required: bool = True) -> _Reader:
        value = self._get(name, dict, "a table", default=... if required else {})
        reader = _Reader(value, self.source, self._where(name))
        self._children.append(reader)
        return reader

    def raw_table(self, name: str) -> Mapping[str, Any]:
        return dict(self._get(name, dict, "a table", default={}))

    def table_list(self, name: str) -> list[_Reader]:
        items = self._get(name, list, "a list of tables", default=[])
        readers = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self._fail(f"{name}[{i}]", "a table")
            readers.append(_Reader(item, self.source, f"{self._where(name)}[{i}]"))
        self._children.extend(readers)
        return readers

    def string(self, name: str, *, default: Any = ..., pattern: str | None = None, expected: str = "") -> str:
        value: str = self._get(name, str, expected or "a text", default)
        if value is default:
            fallback: str = default
            return fallback
        if not value.strip():
            raise self._fail(name, expected or "a non-empty text")
        if pattern and not re.match(pattern, value):
            raise self._fail(name, expected or f"a text matching {pattern}")
        return value

    def optional_string(self, name: str) -> str | None:
        value: str | None = self.string(name, default=None)
        return value

    def slug(self, name: str) -> str:
        return self.string(
            name, pattern=r"^[a-z0-9][a-z0-9_-]*$", expected="lower-case letters, digits, - or _"
        )

    def integer(self, name: str) -> int:
        value: int = self._get(name, int, "a whole number")
        return value

    def boolean(self, name: str, *, default: Any = ...) -> bool:
        value: bool = self._get(name, bool, "true or false", default)
        return value

    def date(self, name: str) -> date:
        value: date = self._get(name, date, "a date such as 2026-11-01")
        return value

    def choice(self, name: str, options: Sequence[str], *, default: Any = ...) -> str:
        value = self.string(name, default=default, expected=f"one of {', '.join(options)}")
        if value not in options:
            raise self._fail(name, f"one of {', '.join(options)}")
        return value

    def str_list(self, name: str, *, required: bool = True) -> list[str]:
        values = self._get(name, list, "a list of texts", default=... if required else [])
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self._fail(name, "a list of non-empty texts")
        return list(values)

    def str_mapping(self, name: str) -> dict[str, str]:
        values = self._get(name, dict, "a table of texts", default={})
        if not all(isinstance(v, str) and v.strip() for v in values.values()):
            raise self._fail(name, "a table whose values are non-empty texts")
        return dict(values)

    def local_text(self, name: str) -> LocalText:
        value = self._get(name, (str, dict), "a text, or a table of texts per language (de, en, ...)")
        if isinstance(value, str):
            return {"de": value}
        if "de" not in value or not all(isinstance(v, str) for v in value.values()):
            raise self._fail(name, "a table of texts per language that has at least 'de'")
        return dict(value)

    def local_text_list(self, name: str) -> list[LocalText]:
        values = self._get(name, list, "a list of texts or per-language tables", default=[])
        return [
            _Reader({"item": v}, self.source, f"{self._where(name)}[{i}]").local_text("item")
            for i, v in enumerate(values)
        ]
