"""Running the product for real: behind a reverse proxy, set up by `lms demo`, administered by
people who make mistakes."""

from __future__ import annotations

from flask import request
from sqlalchemy import inspect

from curriculum.db import db
from lms import create_app
from lms.users.models import User


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    """With LMS_PROXY_FIX=1 the login throttle counts per visitor, not per proxy."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite3",
            "LMS_PROXY_FIX": 1,
            "TESTING": True,
        },
        instance_path=str(tmp_path),
    )
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    client = app.test_client()
    client.get(
        "/healthz",
        headers={"X-Forwarded-For": "196.200.1.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    plain = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/q.sqlite3", "TESTING": True},
        instance_path=str(tmp_path),
    )
    plain.before_request(lambda: seen.append(request.remote_addr))
    plain.test_client().get(
        "/healthz",
        headers={"X-Forwarded-For": "196.200.1.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert seen == ["196.200.1.7", "10.0.0.2"]  # without it, a forged header is not believed


def test_demo_refuses_a_short_password_before_writing_anything(empty_app):
    result = empty_app.test_cli_runner().invoke(
        args=["demo", "--setup-only"], env={"LMS_DEMO_PASSWORD": "short"}
    )
    assert result.exit_code == 1
    assert "LMS_DEMO_PASSWORD:" in result.output and "10" in result.output
    assert "Traceback" not in result.output
    with empty_app.app_context():
        assert not inspect(db.engine).get_table_names()  # not even migrated


def test_password_resets_are_throttled_per_account_too(app, client):
    """Many addresses asking for one person's reset link: their mailbox is not flooded."""
    app.config["LMS_RESET_LIMIT"] = "2 per hour"
    statuses = [
        client.post(
            "/password/forgot",
            data={"email": "Salma@Example.org"},
            environ_base={"REMOTE_ADDR": f"196.200.1.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_an_account_keeps_at_least_one_role(client, make_user, login):
    admin = make_user(roles=("admin",))
    learner = make_user(roles=("learner", "trainer"))
    login(admin)
    # every box unticked: the browser sends the form's hidden token only
    response = client.post(f"/admin/users/{learner.id}", data={"csrf_token": "-"})
    assert response.status_code == 400
    assert "Choose at least one role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, learner.id).roles == {"learner", "trainer"}


def test_role_names_are_translated_in_the_users_list(client, make_user, login):
    login(make_user(roles=("admin", "learner"), locale="ar"))
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<td>مدير(ة) المنصة, متعلّم(ة)</td>" in html  # admin, learner
    assert ">admin<" not in html and "admin, " not in html


def served_over(app, scheme: str):
    """``/healthz`` as a TLS-terminating proxy in front of the app passes it on."""
    return app.test_client().get("/healthz", headers={"X-Forwarded-Proto": scheme})


def production_app(path, **config):
    return create_app(
        {
            "LMS_ENV": "production",
            "SECRET_KEY": "production-secret",
            "LMS_PUBLIC_URL": "https://academie.example.org",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}/h.sqlite3",
            "LMS_PROXY_FIX": 1,
            **config,
        },
        instance_path=str(path),
    )


def test_production_over_https_tells_browsers_to_keep_to_https(tmp_path):
    app = production_app(tmp_path)
    assert served_over(app, "https").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in served_over(app, "http").headers  # ignored over HTTP

    shorter = production_app(tmp_path, LMS_HSTS_SECONDS=86400)
    assert served_over(shorter, "https").headers["Strict-Transport-Security"] == "max-age=86400"
    off = production_app(tmp_path, LMS_HSTS_SECONDS=0)
    assert "Strict-Transport-Security" not in served_over(off, "https").headers

    development = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.sqlite3", "LMS_PROXY_FIX": 1},
        instance_path=str(tmp_path),
    )
    assert "Strict-Transport-Security" not in served_over(development, "https").headers
