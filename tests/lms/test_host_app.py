"""The example host site (examples/host_app.py): its own pages stay its own, and a learner uses the
LMS mounted under /academy."""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import render_template_string

from curriculum.db import db
from lms.users.operations import create_user
from tests.clients import IsolatedClient
from tests.conftest import PASSWORD, _empty_all_tables

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def host(monkeypatch, database_url_for_tests):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    host_app = importlib.import_module("host_app")
    app = host_app.create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url_for_tests,
            "WTF_CSRF_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,  # show the error pages a visitor would see
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
    _empty_all_tables(app)


@pytest.fixture
def learner(host):
    user = create_user("salma@example.org", "Salma Apprenante", PASSWORD, ["learner"])
    db.session.commit()
    return user


def test_the_host_keeps_its_own_pages(host):
    client = host.test_client()
    home = client.get("/")
    assert home.status_code == 200
    assert "Our council brings young people and the commune together." in home.get_data(
        as_text=True
    )
    assert 'href="/academy/"' in home.get_data(as_text=True)
    about = client.get("/about")
    assert about.status_code == 200 and "About us" in about.get_data(as_text=True)
    # the LMS's headers and error pages are for its own pages only
    assert "Content-Security-Policy" not in home.headers
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Académie" not in missing.get_data(as_text=True)


def test_a_learner_logs_in_and_uses_the_lms_under_academy(host, learner):
    client = host.test_client()
    # A page that needs an account sends the visitor to the LMS's login page, under the prefix.
    response = client.get("/academy/account")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/academy/login"
    assert parse_qs(location.query) == {"next": ["/academy/account"]}

    response = client.post(
        "/academy/login?next=%2Facademy%2Faccount",
        data={"email": "Salma@Example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/academy/account"

    page = client.get("/academy/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "salma@example.org" in html
    assert "· Youth Council Academy</title>" in html  # the host's LMS_SITE_NAME
    assert 'action="/academy/logout"' in html
    assert "Content-Security-Policy" in page.headers

    # The host's pages see the same logged-in session.
    assert client.get("/").status_code == 200
    assert client.post("/academy/logout").status_code == 302
    assert client.get("/academy/account").status_code == 302


def test_errors_inside_the_lms_get_its_pages_and_errors_of_the_host_keep_the_hosts(host, learner):
    @host.get("/broken")
    def broken():
        raise RuntimeError("the host's own bug")

    client = host.test_client()
    client.post("/academy/login", data={"email": learner.email, "password": PASSWORD})
    denied = client.get("/academy/admin/users", headers={"Accept": "application/json"})
    assert denied.status_code == 403
    assert denied.get_json()["status"] == 403

    crash = client.get("/broken")
    assert crash.status_code == 500
    assert "Youth Council Academy" not in crash.get_data(as_text=True)  # Flask's page, not ours


def test_the_lms_template_variables_stay_out_of_the_hosts_pages(make_host_app):
    host = make_host_app()

    @host.context_processor
    def host_variables():
        return {"lang": "host-language"}

    @host.get("/page")
    def page():
        return render_template_string("{{ lang }}|{{ site_name }}|{{ text_dir }}")

    client = host.test_client()
    assert client.get("/page").get_data(as_text=True) == "host-language||"
    assert '<html lang="fr" dir="ltr">' in client.get("/academy/").get_data(as_text=True)
