"""The platform's keys (its JWKS) are fetched once, not at every launch, and fetched again when
the platform has rotated them; a token naming an unknown key right after a fetch is refused
without asking the platform again; a platform that does not answer makes the launch refused in
time, not hang."""

import time

import pytest
from werkzeug.wrappers import Request

from curriculum.db import db
from lms.lti import http, platform_keys
from lms.lti.models import LtiPlatform

from . import platform as test_platform
from .platform import LEARNER, new_private_key
from .test_launch import post, start


class CountingPlatform(test_platform.TestPlatform):
    def __init__(self, tool_url):
        self.fetches = 0
        self.stall = 0.0
        super().__init__(tool_url)

    def _wsgi(self, environ, start_response):
        if Request(environ).path == "/jwks":
            self.fetches += 1
            time.sleep(self.stall)
        return super()._wsgi(environ, start_response)

    def rotate(self) -> None:
        self.private_key = new_private_key()
        self.registration = self._registration(self.private_key)


@pytest.fixture
def counting(app):
    platform = CountingPlatform("http://lms.test")
    db.session.add(LtiPlatform(**platform.platform_fields()))
    db.session.commit()
    yield platform
    platform.close()


def launch(client, platform):
    browser = type(client)(client.application)
    return post(browser, platform.launch(start(browser, platform), roles=(LEARNER,)))


def test_the_key_set_is_fetched_once_then_again_after_a_rotation(
    client, counting, make_course, monkeypatch
):
    make_course()
    assert launch(client, counting).status_code == 302
    assert launch(client, counting).status_code == 302
    assert counting.fetches == 1
    counting.rotate()
    # just fetched: an unknown key is not a reason to ask again (forged tokens cannot flood it)
    refused = launch(client, counting)
    assert refused.status_code == 400 and "refused" in refused.get_data(as_text=True)
    assert counting.fetches == 1
    monkeypatch.setattr(platform_keys, "REFETCH", 0.0)  # later: the rotation is picked up
    assert launch(client, counting).status_code == 302
    assert counting.fetches == 2
    assert launch(client, counting).status_code == 302
    assert counting.fetches == 2


def test_a_platform_that_does_not_answer_gets_the_launch_refused_in_time(
    client, counting, make_course, monkeypatch
):
    make_course()
    monkeypatch.setattr(http, "TIMEOUT", (0.5, 0.5))
    counting.stall = 3.0
    began = time.monotonic()
    refused = launch(client, counting)
    assert time.monotonic() - began < 2.5
    assert refused.status_code == 400 and "refused" in refused.get_data(as_text=True)
