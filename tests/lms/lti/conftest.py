import pytest

from curriculum.db import db
from lms.lti.models import LtiPlatform

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
