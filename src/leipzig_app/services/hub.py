"""The services hub ("Mehr"): which modules this city offers here, searchable, and their link rules.

`HubService` answers the hub screen: the enabled modules in the profile's order for the platform the app
runs on, filtered by a search text (title, description and the module's search words, in the resident's
language). It also holds the modules' use cases that need no I/O: checking a link against the city's
allow-list before it opens (the domain is shown first), the ticket targets for a platform, the searchable
online services and the phone numbers that work offline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from leipzig_app.domain.hub_settings import LinkItem, LinkListSettings, NumberSettings, TicketSettings
from leipzig_app.domain.modules import REGISTRY, ModuleRegistry, ModuleSpec
from leipzig_app.domain.profile import CityProfile, local_text
from leipzig_app.domain.urls import host_of, is_allowed_link
from leipzig_app.services.library import LibraryCardService
from leipzig_app.services.waste import WasteService

Translate = Callable[[str], str]

#: Numbers every German resident can call, kept in the app so they work offline: (id, number).
NATIONAL_NUMBERS: tuple[tuple[str, str], ...] = (("112", "112"), ("110", "110"), ("115", "115"),
                                                  ("116117", "116 117"))  # fmt: skip


@dataclass(frozen=True)
class LinkCheck:
    url: str
    host: str
    allowed: bool


@dataclass(frozen=True)
class TicketTarget:
    kind: str  # "app" or "web"
    url: str
    host: str


@dataclass(frozen=True)
class DialEntry:
    id: str
    #: A message key for the national numbers, else the profile's text in the resident's language.
    title: str
    number: str
    tel_url: str
    description: str = ""
    national: bool = False


def tel_url(number: str) -> str:
    """RFC 3966 `tel:` URI: digits and a leading +, nothing else."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "tel:" + ("+" if number.strip().startswith("+") else "") + digits


def local(text: Any, language: str) -> str:
    return local_text(text, language)


def _is_web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _matches(query: str, *texts: str) -> bool:
    words = query.casefold().split()
    haystack = " ".join(texts).casefold()
    return all(w in haystack for w in words)


class HubService:
    def __init__(
        self,
        profile: CityProfile,
        *,
        library: LibraryCardService | None = None,
        waste: WasteService | None = None,
        registry: ModuleRegistry = REGISTRY,
    ):
        self.profile = profile
        self.library = library
        self.waste = waste
        self.registry = registry

    # --- the hub list ----------------------------------------------------------------------------------

    def modules(
        self, platform: str | None = None, query: str = "", translate: Translate | None = None
    ) -> list[ModuleSpec]:
        """Enabled modules in the profile's order for the platform, matching every word of `query`."""
        specs = self.registry.enabled(self.profile.modules, platform)
        if not query.strip():
            return specs
        t = translate or (lambda key: key)
        return [
            s
            for s in specs
            if _matches(query, t(s.title_key), t(s.subtitle_key), t(s.keywords_key) if s.keywords_key else "")
        ]

    def settings(self, module_id: str) -> Any:
        """The parsed profile section of an enabled module, or None."""
        if module_id not in self.profile.modules:
            return None
        return self.profile.services.get(module_id)

    # --- links -----------------------------------------------------------------------------------------

    def check_link(self, url: str) -> LinkCheck:
        """May this link open? Only https (or loopback) on the city's allow-list, or the operator's app link
        the profile names (its scheme was checked at load). `host` is what the resident is shown first."""
        ticket: TicketSettings | None = self.settings("ticket")
        if ticket is not None and ticket.app_url and url == ticket.app_url and not _is_web(url):
            return LinkCheck(url=url, host=url.split(":", 1)[0], allowed=True)
        allowed = is_allowed_link(url, self.profile.links.allowed_domains)
        return LinkCheck(url=url, host=host_of(url) if _is_web(url) else "", allowed=allowed)

    def ticket_targets(self, platform: str) -> list[TicketTarget]:
        """The operator's app first where apps exist (phones), always the web shop as the fallback."""
        settings: TicketSettings | None = self.settings("ticket")
        if settings is None:
            return []
        targets = []
        if settings.app_url and platform in ("android", "ios"):
            app = self.check_link(settings.app_url)
            if app.allowed:
                targets.append(TicketTarget("app", settings.app_url, app.host))
        web = self.check_link(settings.web_url)
        if web.allowed:
            targets.append(TicketTarget("web", settings.web_url, web.host))
        return targets

    def links(self, module_id: str, query: str = "", language: str = "de") -> list[LinkItem]:
        """Online services or participation portals matching the search, allowed links only."""
        settings: LinkListSettings | None = self.settings(module_id)
        if settings is None:
            return []
        return [
            item
            for item in settings.items
            if self.check_link(item.url).allowed
            and _matches(
                query, local(item.title, language), local(item.description, language), *item.keywords
            )
        ]

    # --- numbers ---------------------------------------------------------------------------------------

    def numbers(self, language: str = "de") -> list[DialEntry]:
        """Emergency and service numbers (always, offline) followed by the city's own from the profile."""
        entries = [
            DialEntry(id=i, title=f"hub.numbers.{i}.title", number=n, tel_url=tel_url(n),
                      description=f"hub.numbers.{i}.subtitle", national=True)
            for i, n in NATIONAL_NUMBERS
        ]  # fmt: skip
        settings: NumberSettings | None = self.settings("numbers")
        for item in settings.items if settings else ():
            entries.append(
                DialEntry(
                    id=item.id,
                    title=local(item.title, language),
                    number=item.number,
                    tel_url=tel_url(item.number),
                    description=local(item.description, language),
                )
            )
        return entries


def platform_name(platform: str | None, web: bool) -> str:
    """The registry's platform name for a page: web, android, ios or desktop."""
    if web:
        return "web"
    if platform in ("android", "android_tv"):
        return "android"
    if platform == "ios":
        return "ios"
    return "desktop"


__all__: Sequence[str] = ("DialEntry", "HubService", "LinkCheck", "TicketTarget", "platform_name", "tel_url")
