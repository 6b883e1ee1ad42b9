"""Loading city profiles from TOML files (`assets/cities/<id>.toml` or any path)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from leipzig_app.adapters.paths import cities_dir
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.profile import CityChoice, CityProfile, parse_profile

DEFAULT_CITY = "leipzig"


def profile_path(city: str | None = None) -> Path:
    """A city name resolves under assets/cities/; anything with a slash or a .toml ending is a path."""
    name = city or DEFAULT_CITY
    if name.endswith(".toml") or "/" in name or "\\" in name:
        return Path(name)
    return cities_dir() / f"{name}.toml"


def available_cities() -> list[str]:
    """Names of the profiles shipped under assets/cities/, sorted."""
    return sorted(p.stem for p in cities_dir().glob("*.toml"))


def city_choices() -> list[CityChoice]:
    """The shipped cities by their names, for the city choice in Settings. A profile that does not load keeps
    its file name there: choosing it says what is wrong with it."""
    choices = []
    for city in available_cities():
        try:
            profile = load_profile(city)
        except ProfileError:
            choices.append(CityChoice(city, city))
        else:
            choices.append(CityChoice(city, profile.name, profile.names))
    return choices


def load_profile(city: str | None = None) -> CityProfile:
    """Read and validate a profile; `ProfileError` names the file, the field and what was expected."""
    path = profile_path(city)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        known = ", ".join(available_cities()) or "none"
        raise ProfileError(source, "(file)", f"an existing city profile (shipped: {known})") from None
    except OSError as error:
        raise ProfileError(source, "(file)", f"a readable file ({error.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(source, "(file)", "UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(source, "(syntax)", f"valid TOML ({error})") from None
    return parse_profile(data, source)
