"""The installable app: its manifest, the service worker controlling the LMS's prefix (also
under a host app's prefix), the offline page in the learner's language, and what a module's
download holds."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from curriculum.db import db
from lms.learning import operations as learning
from lms.offline.operations import user_key
from tests.clients import IsolatedClient
from tests.conftest import _empty_all_tables

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_the_manifest_names_the_site_in_the_learners_language(app, client, make_user, login):
    app.config["LMS_SITE_NAME"] = "Académie citoyenne"
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert data["name"] == "Académie citoyenne" and data["short_name"] == "Académie"
    assert (data["lang"], data["dir"], data["scope"], data["start_url"]) == (
        "en",
        "ltr",
        "/",
        "/my",
    )
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    login(make_user(locale="ar"))
    arabic = client.get("/manifest.webmanifest").get_json(force=True)
    assert (arabic["lang"], arabic["dir"]) == ("ar", "rtl")
    assert arabic["description"] != data["description"]


def test_every_page_links_the_manifest_and_the_scripts(client):
    html = client.get("/courses").get_data(as_text=True)
    # with the session cookie (a manifest is fetched without one otherwise): her language
    assert (
        '<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">' in html
    )
    assert 'src="/lms-static/offline.js" defer' in html
    assert 'data-sw="/sw.js"' in html and 'data-user=""' in html


def test_the_service_worker_controls_the_prefix(client):
    """(What it caches, and what it never caches, is checked where it runs, in Chromium:
    tests/e2e/test_offline_recovery.py.)"""
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert source.startswith('self.LMS = {"scope": "/",')


def test_the_offline_page_speaks_the_language_asked_for(client):
    for language, text in (
        ("fr", "Pas de connexion"),
        ("ar", "لا يوجد اتصال"),
        ("en", "No connection"),
    ):
        page = client.get(f"/offline?lang={language}").get_data(as_text=True)
        assert f'<html lang="{language}"' in page and text in page
    assert 'dir="rtl"' in client.get("/offline?lang=ar").get_data(as_text=True)
    assert client.get("/offline?lang=xx").status_code == 200


def test_a_modules_download_lists_its_pages_images_and_files(
    app, client, make_user, login, make_course
):
    course = make_course(sequential=True)
    intro = course.modules[0].lessons[0]
    intro.bodies = {**intro.bodies, "en": '<p><img src="../assets/map.png" alt="Map"></p>'}
    from curriculum.models import CourseAsset

    db.session.add(CourseAsset(course_id=course.id, path="assets/map.png", mimetype="image/png",
                               sha256="1" * 64, data=b"\x89PNG" + b"0" * 2000))  # fmt: skip
    learner = make_user(locale="en")
    learning.enrol(learner, course)
    db.session.commit()
    login(learner)
    data = client.get("/offline/courses/civics/basics.json").get_json()
    assert data["cache"] == f"lms-{user_key(learner)}-civics~basics~{data['version']}"
    assert data["urls"][:2] == ["/courses/civics", "/courses/civics/basics/intro"]
    assert "/courses/civics/assets/map.png" in data["urls"]
    assert "/lms-static/lms.css" in data["urls"]
    assert not [url for url in data["urls"] if re.search(r"/(cohorts|admin|reviews)", url)]
    assert data["bytes"] > 2000
    # a locked module is not offered; another language, another version
    locked = client.get("/offline/courses/civics/next-steps.json")
    assert locked.status_code == 403
    assert "opens when the previous one is done" in locked.get_json()["message"]
    client.post("/language", data={"language": "fr"})
    assert (
        client.get("/offline/courses/civics/basics.json").get_json()["version"] != data["version"]
    )


@pytest.fixture
def host(monkeypatch, database_url_for_tests):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    host_app = importlib.import_module("host_app")
    app = host_app.create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url_for_tests,
            "WTF_CSRF_ENABLED": False,
        }  # fmt: skip
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
    _empty_all_tables(app)


def test_under_a_host_apps_prefix_the_worker_controls_that_prefix(host):
    client = host.test_client()
    worker = client.get("/academy/sw.js")
    assert worker.headers["Service-Worker-Allowed"] == "/academy/"
    assert worker.get_data(as_text=True).startswith('self.LMS = {"scope": "/academy/",')
    manifest = client.get("/academy/manifest.webmanifest").get_json(force=True)
    assert manifest["scope"] == "/academy/" and manifest["start_url"] == "/academy/my"
    assert client.get("/").status_code == 200  # the host's own pages are not the LMS's
