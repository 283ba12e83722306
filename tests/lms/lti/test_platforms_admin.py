"""Admin › LTI platforms: register a platform by hand (validated, clear errors, nothing written
on a refusal), edit it, disable and enable it (a disabled platform's launches are refused, its
users keep their accounts), and the admin menu links the page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.lti.models import LtiPlatform, LtiUserLink

from .test_launch import post, start

FORM = {
    "name": "Moodle of the university",
    "issuer": "https://moodle.example.org",
    "client_id": "abc123",
    "deployment_ids": "1\n 2 \n1\n",
    "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.org/mod/lti/token.php",
    "key_set_url": "https://moodle.example.org/mod/lti/certs.php",
    "frame_origins": "",
}


@pytest.fixture
def admin(make_user, login):
    user = make_user(email="admin@example.org", name="Admin", roles=("admin",))
    login(user)
    return user


def platforms() -> list[LtiPlatform]:
    db.session.expire_all()
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def test_the_admin_menu_links_the_platforms_page(client, admin):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/admin/lti/platforms"' in html
    page = client.get("/admin/lti/platforms").get_data(as_text=True)
    assert "No platform is registered yet." in page
    assert "http://lms.test/lti/login" in page and "http://lms.test/lti/jwks.json" in page


def test_register_by_hand_then_edit(client, admin):
    response = client.post("/admin/lti/platforms/new", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    [platform] = platforms()
    assert platform.deployment_ids == ["1", "2"] and platform.enabled
    assert platform.registered_by == "manual" and platform.frame_origins == []
    listed = client.get("/admin/lti/platforms").get_data(as_text=True)
    assert "Moodle of the university" in listed and "abc123" in listed

    edit = client.get(f"/admin/lti/platforms/{platform.id}").get_data(as_text=True)
    assert 'value="https://moodle.example.org/mod/lti/certs.php"' in edit
    changed = {**FORM, "name": "Moodle", "frame_origins": "https://courses.example.org/"}
    assert client.post(f"/admin/lti/platforms/{platform.id}", data=changed).status_code == 302
    [platform] = platforms()
    assert platform.name == "Moodle" and platform.frame_origins == ["https://courses.example.org"]
    assert platform.origins == ["https://moodle.example.org", "https://courses.example.org"]
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["lti.platform_registered", "lti.platform_updated"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("issuer", "moodle.example.org", "Enter a full web address starting with https://"),
        ("key_set_url", "ftp://moodle.example.org/certs", "Enter a full web address"),
        ("client_id", "", "This field is required."),
        ("deployment_ids", " \n ", "Enter at least one deployment id"),
        ("frame_origins", "https://school.example.org/courses", "Not a web origin"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_written(client, admin, field, value, message):
    response = client.post("/admin/lti/platforms/new", data={**FORM, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert platforms() == []


def test_the_same_issuer_and_client_id_twice_is_refused(client, admin):
    assert client.post("/admin/lti/platforms/new", data=FORM).status_code == 302
    response = client.post("/admin/lti/platforms/new", data={**FORM, "name": "Again"})
    assert response.status_code == 400
    assert "already registered" in response.get_data(as_text=True)
    assert len(platforms()) == 1
    other = {**FORM, "client_id": "other"}
    assert client.post("/admin/lti/platforms/new", data=other).status_code == 302
    first, second = platforms()
    response = client.post(f"/admin/lti/platforms/{second.id}", data=FORM)  # now a duplicate
    assert response.status_code == 400 and platforms()[1].client_id == "other"


def test_disabled_platform_refuses_launches_and_keeps_its_users(
    client, app, platform, registered, make_course, make_user, login
):
    make_course()
    learner = type(client)(app)
    assert post(learner, platform.launch(start(learner, platform))).status_code == 302
    admin = make_user(email="admin@example.org", roles=("admin",))
    login(admin)
    assert client.post(f"/admin/lti/platforms/{registered.id}/disable").status_code == 302
    assert not platforms()[0].enabled
    assert "Disabled" in client.get("/admin/lti/platforms").get_data(as_text=True)

    again = type(client)(app)
    again.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = again.get("/lti/login?" + platform.login_url("user-1").split("?", 1)[1])
    assert response.status_code == 403 and "disabled" in response.get_data(as_text=True)
    # the account is kept and still works for what it has
    assert db.session.scalar(select(func.count()).select_from(LtiUserLink)) == 1
    assert "/courses/civics" in learner.get("/my").get_data(as_text=True)

    assert client.post(f"/admin/lti/platforms/{registered.id}/enable").status_code == 302
    third = type(client)(app)
    assert post(third, platform.launch(start(third, platform))).status_code == 302
