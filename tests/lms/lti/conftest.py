import pytest

from curriculum.db import db
from lms.lti.models import LtiPlatform

from .grading_platform import GradingPlatform
from .platform import TestPlatform


@pytest.fixture
def platform(app):
    test_platform = TestPlatform("http://lms.test")
    yield test_platform
    test_platform.close()


@pytest.fixture
def registered(platform):
    row = LtiPlatform(**platform.platform_fields())
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def grading(app, client):
    """A registered platform with AGS (line items, scores, results)."""
    platform = GradingPlatform("http://lms.test")
    platform.tool_keys = client.get("/lti/jwks.json").get_json()
    db.session.add(LtiPlatform(**platform.platform_fields()))
    db.session.commit()
    yield platform
    platform.close()
