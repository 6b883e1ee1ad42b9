"""The harness tests use the e2e fixtures plugin even before the top-level conftest lists it."""

from __future__ import annotations

import pytest

PLUGIN = "tests.support.fixtures"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
