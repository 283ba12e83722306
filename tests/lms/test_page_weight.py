"""Pages stay light for phones on weak connections: under 100 KB of HTML + CSS + JS each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curriculum.db import db
from curriculum.glossary import BUNDLED_GLOSSARY
from curriculum.importer import import_bundled_packs

LIMIT = 100 * 1024
TEST_GLOSSARY = Path(__file__).resolve().parents[1] / "curriculum" / "glossaries" / "glossary.yaml"


@pytest.fixture
def bundled(app):
    for _line in import_bundled_packs():
        pass
    db.session.commit()


def weight(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data()
    total = len(html)
    for asset in re.findall(rb'(?:href|src)="(/lms-static/[^"]+\.(?:css|js))"', html):
        total += len(client.get(asset.decode()).get_data())
    return total


def test_main_pages_weigh_less_than_100_kb(app, client, make_user, login, bundled):
    # the packs' glossary when it is there, else the test one: the page is never empty
    if not BUNDLED_GLOSSARY.exists():
        app.config["LMS_GLOSSARY_PATH"] = str(TEST_GLOSSARY)
    login(make_user(roles=("learner",)))
    client.post("/courses/solving-public-problems/enrol")
    pages = [
        "/",
        "/courses",
        "/courses/solving-public-problems",
        "/my",
        "/certificates",
        "/courses/solving-public-problems/mindset/public-problem",
        "/courses/solving-public-problems/mindset/check-mindset",
        "/courses/solving-public-problems/mindset/territory-assets",
        "/glossary",
    ]
    for url in pages:
        assert weight(client, url) < LIMIT, url
