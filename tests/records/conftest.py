from __future__ import annotations

import pytest

from .ralph import PASSWORD, USERNAME, Ralph


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, ralph):
    return {
        **app_config,
        "LMS_XAPI_ENDPOINT": ralph.endpoint,
        "LMS_XAPI_USERNAME": USERNAME,
        "LMS_XAPI_PASSWORD": PASSWORD,
    }
