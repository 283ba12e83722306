"""LTI Dynamic Registration in a real browser: the platform's page frames the tool's one-time
registration link (as Moodle and Canvas do); the tool registers the platform and its page, under
its Content-Security-Policy, posts the spec's close message to the frame's parent."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from curriculum.db import db
from lms.lti.models import LtiPlatform
from lms.lti.platforms.operations import create_registration_link
from tests.lms.lti.registering_platform import RegisteringPlatform

pytestmark = pytest.mark.browser


@pytest.fixture
def platform(live_server):
    test_platform = RegisteringPlatform(live_server)
    yield test_platform
    test_platform.close()


def test_the_framed_registration_registers_the_platform_and_closes_itself(
    live_server, platform, new_page, make_user
):
    admin = make_user(email="admin@example.org", roles=("admin",))
    _link, token = create_registration_link(admin, "Moodle of the university")
    db.session.commit()
    page = new_page(width=1280, height=900)
    link = f"{live_server}/lti/register/{token}"
    page.goto(f"{platform.url}/admin/tool-registration?" + urlencode({"link": link}))
    expect(page.locator("#state")).to_have_text(f"closed by {live_server}")
    db.session.expire_all()
    [row] = db.session.scalars(select(LtiPlatform)).all()
    assert (row.issuer, row.client_id, row.registered_by) == (
        platform.url, "dynamic-client-1", "dynamic")  # fmt: skip
    assert platform.tool["jwks_uri"] == f"{live_server}/lti/jwks.json"
