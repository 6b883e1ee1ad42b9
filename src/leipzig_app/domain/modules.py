"""The services hub's module registry: what each "Mehr" module is and what it needs from the city profile.

A module declares its id (one of the profile's `MODULE_IDS`), its title and description message keys, a
Material icon name, its route under `/more/`, the platforms it works on, and the parser of its profile
section `[services.<id>]`. The city profile enables modules and orders them (`modules.enabled`); at load
time `parse_services` validates the section of every enabled hub module and replaces the raw tables in
`CityProfile.services` by the parsed settings, so a bad section stops the profile from loading like any
other field. `enabled_modules` lists what the hub shows, in the profile's order, for one platform.

Adding a module: docs/adding-a-module.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leipzig_app.domain import hub_settings as hs
from leipzig_app.domain.errors import ProfileError

if TYPE_CHECKING:
    from leipzig_app.domain.profile import CityProfile

#: Where the app runs: a phone app, the browser, or a desktop window.
PLATFORMS = ("android", "ios", "web", "desktop")
ALL_PLATFORMS = frozenset(PLATFORMS)


@dataclass(frozen=True)
class ModuleSpec:
    id: str
    title_key: str
    subtitle_key: str
    #: A Material icon name (`ft.Icons` member in lower case), resolved by the UI.
    icon: str
    route: str
    platforms: frozenset[str]
    #: Validates `[services.<id>]` and returns its settings; raises `ProfileError`.
    parse: Callable[[hs.SectionReader], Any]
    #: Message key of extra search words (synonyms residents type), or "".
    keywords_key: str = ""


def _spec(
    module_id: str,
    icon: str,
    parse: Callable[[hs.SectionReader], Any],
    platforms: Iterable[str] = PLATFORMS,
) -> ModuleSpec:
    return ModuleSpec(
        id=module_id,
        title_key=f"hub.{module_id}.title",
        subtitle_key=f"hub.{module_id}.subtitle",
        icon=icon,
        route=f"/more/{module_id}",
        platforms=frozenset(platforms),
        parse=parse,
        keywords_key=f"hub.{module_id}.keywords",
    )


#: The built-in hub modules. Top-level sections (news, appointments, reports, scanner) are not hub modules.
BUILT_IN: tuple[ModuleSpec, ...] = (
    _spec("ticket", "confirmation_number_outlined", hs.parse_ticket),
    _spec("library", "local_library_outlined", hs.parse_library),
    _spec("waste", "delete_outline", hs.parse_waste),
    _spec("online_services", "language", hs.parse_online_services),
    _spec("participation", "forum_outlined", hs.parse_participation),
    _spec("numbers", "phone_outlined", hs.parse_numbers),
)


class ModuleRegistry:
    """The known hub modules by id; the profile decides which are enabled and in what order."""

    def __init__(self, specs: Iterable[ModuleSpec] = BUILT_IN):
        self._specs: dict[str, ModuleSpec] = {}
        for spec in specs:
            if spec.id in self._specs:
                raise ValueError(f"hub module '{spec.id}' is registered twice")
            unknown = spec.platforms - ALL_PLATFORMS
            if unknown or not spec.platforms:
                raise ValueError(f"hub module '{spec.id}': platforms must be from {PLATFORMS}")
            if not spec.route.startswith("/more/"):
                raise ValueError(f"hub module '{spec.id}': its route must start with /more/")
            self._specs[spec.id] = spec

    def __contains__(self, module_id: object) -> bool:
        return module_id in self._specs

    def get(self, module_id: str) -> ModuleSpec | None:
        return self._specs.get(module_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def enabled(self, modules: Iterable[str], platform: str | None = None) -> list[ModuleSpec]:
        """The hub modules among the profile's enabled ones, in the profile's order, for one platform."""
        specs = [self._specs[m] for m in modules if m in self._specs]
        return [s for s in specs if platform is None or platform in s.platforms]

    def parse(
        self,
        raw: Mapping[str, Any],
        *,
        modules: Iterable[str],
        source: str,
        allowed_domains: tuple[str, ...],
        start_sandbox: bool,
    ) -> dict[str, Any]:
        """Settings of every enabled hub module; `ProfileError` for a missing, unknown or bad section."""
        enabled = [m for m in modules if m in self._specs]
        for name in raw:
            if name not in self._specs:
                known = ", ".join(self._specs)
                raise ProfileError(source, f"services.{name}", f"a hub module section ({known})")
        parsed: dict[str, Any] = {}
        for module_id in enabled:
            section = raw.get(module_id, {})
            if not isinstance(section, dict):
                raise ProfileError(source, f"services.{module_id}", "a table")
            reader = hs.SectionReader(
                section,
                source,
                f"services.{module_id}",
                allowed_domains=allowed_domains,
                start_sandbox=start_sandbox,
            )
            parsed[module_id] = self._specs[module_id].parse(reader)
        return parsed


REGISTRY = ModuleRegistry()


def parse_services(profile: CityProfile, registry: ModuleRegistry = REGISTRY) -> dict[str, Any]:
    """Validate the profile's `[services]` tables for its enabled hub modules (called by `parse_profile`)."""
    return registry.parse(
        profile.services,
        modules=profile.modules,
        source=profile.source,
        allowed_domains=profile.links.allowed_domains,
        start_sandbox=profile.start_sandbox,
    )
