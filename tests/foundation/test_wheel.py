"""`pip install .` (a wheel, not the editable set-up) gives a working app: the city profiles and the other
assets travel inside the package. Built offline with the development environment's setuptools."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    # a copy, so the build leaves no build/ or egg-info behind in the checkout
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".mypy_cache")
    shutil.copytree(ROOT / "src", source / "src", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "assets", source / "assets")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--quiet", "--wheel-dir", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("leipzig_app-*.whl")
    return built


def test_the_wheel_carries_the_city_profiles_and_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "assets" / "cities").glob("*.toml")}
    assert {"leipzig.toml", "offenbach.toml"} <= shipped
    for city in shipped:
        assert f"leipzig_app/assets/cities/{city}" in names
    assert "leipzig_app/assets/fonts/NotoSansArabic-Regular.ttf" in names
    assert "leipzig_app/assets/icon.png" in names
    assert "leipzig_app/locales/de/app.json" in names


def test_an_installed_wheel_finds_its_profiles_and_starts(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()
    )  # fmt: skip
    # the dependencies come from the development environment; its .pth files (the editable
    # install of this checkout among them) are not read from a folder named in a .pth file
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--disable-pip-version-check", "--quiet", str(wheel)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEIPZIG_APP", "PYTHON"))}
    probe = (
        "import json, leipzig_app\n"
        "from leipzig_app.adapters.paths import assets_dir, run_config_file\n"
        "from leipzig_app.adapters.profiles import available_cities, load_profile\n"
        "print(json.dumps({'package': leipzig_app.__file__, 'assets': str(assets_dir()),\n"
        "  'cities': available_cities(), 'run_config': str(run_config_file()),\n"
        "  'names': [load_profile(c).name for c in available_cities()]}))\n"
    )
    result = subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["package"].startswith(str(site))
    assert found["assets"] == str(site / "leipzig_app" / "assets")
    assert found["cities"] == sorted(p.stem for p in (ROOT / "assets" / "cities").glob("*.toml"))
    assert "Leipzig" in found["names"]
    assert found["run_config"] == "None"  # no flet.toml in a wheel: the defaults apply

    helped = subprocess.run(
        [venv / "bin" / "leipzig-app", "--help"], capture_output=True, text=True, timeout=60, env=env
    )
    assert helped.returncode == 0, helped.stderr
    assert "--city" in helped.stdout
