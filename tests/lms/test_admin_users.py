"""User administration: list, search and page through users, change roles, deactivate and reactivate."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.users.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_USERS_PER_PAGE": 2}


@pytest.fixture
def admin(make_user, login):
    user = make_user(email="amina@example.org", name="Amina Admin", roles=("admin",))
    login(user)
    return user


def names_listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/admin/users/\d+">([^<]+)</a></td>', html)


def test_users_are_listed_by_name_a_page_at_a_time(client, admin, make_user):
    for name in ("Zineb", "Brahim", "Youssef"):
        make_user(name=name)
    first = client.get("/admin/users").get_data(as_text=True)
    assert names_listed(first) == ["Amina Admin", "Brahim"]
    assert "4 users" in first and "Page 1 of 2" in first
    assert 'href="/admin/users?page=2' in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert names_listed(second) == ["Youssef", "Zineb"]
    assert client.get("/admin/users?page=9").status_code == 200  # past the end: an empty page


def test_search_by_name_or_email_in_any_case_and_filter_by_role(client, admin, make_user):
    make_user(name="Salma Bennani", email="salma@example.org")
    make_user(name="Youssef", email="y.bennani@example.org", roles=("trainer",))
    make_user(name="Karim 100%", email="karim@example.org")

    def search(query: str) -> list[str]:
        return names_listed(client.get("/admin/users", query_string=query).get_data(as_text=True))

    assert search({"q": "BENNANI"}) == ["Salma Bennani", "Youssef"]  # a name, and an e-mail
    assert search({"q": "Bennani", "role": "trainer"}) == ["Youssef"]
    assert search({"q": "100%"}) == ["Karim 100%"]  # "%" is a character, not a wildcard
    assert search({"q": "_"}) == []


def test_an_admin_changes_roles_and_it_is_audited(client, admin, make_user):
    user = make_user(email="youssef@example.org")
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert '<input checked id="roles-0" name="roles" type="checkbox" value="learner">' in page
    assert '<input id="roles-1" name="roles" type="checkbox" value="trainer">' in page
    response = client.post(f"/admin/users/{user.id}", data={"roles": ["learner", "trainer"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert user.roles == {"learner", "trainer"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.roles_changed"))
    assert (event.actor_id, event.object_id) == (admin.id, str(user.id))
    assert event.data == {"before": ["learner"], "after": ["learner", "trainer"]}


def test_an_admin_cannot_remove_their_own_admin_role(client, admin):
    response = client.post(
        f"/admin/users/{admin.id}", data={"roles": ["learner"]}, follow_redirects=True
    )
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.roles == {"admin"}


def test_a_deactivated_user_cannot_log_in_and_loses_nothing(app, client, admin, make_user):
    user = make_user(email="salma@example.org", roles=("learner", "trainer"), locale="ar")
    learner_browser = app.test_client()
    learner_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert learner_browser.get("/account").status_code == 200

    response = client.post(f"/admin/users/{user.id}/deactivate", follow_redirects=True)
    assert "Account deactivated." in response.get_data(as_text=True)
    assert "Deactivated" in client.get("/admin/users").get_data(as_text=True)

    # Logged out at the next click, and refused at the login form.
    assert learner_browser.get("/account").status_code == 302
    refused = learner_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert learner_browser.get("/account").status_code == 302

    db.session.expire_all()
    assert (user.email, user.roles, user.locale) == (
        "salma@example.org",
        {"learner", "trainer"},
        "ar",
    )
    assert user.check_password(PASSWORD)

    client.post(f"/admin/users/{user.id}/reactivate")
    assert (
        learner_browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 302
    )
    assert learner_browser.get("/account").status_code == 200
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))
    )
    assert {"user.deactivated", "user.reactivated"} <= set(actions)


def test_an_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.expire_all()
    assert admin.active


def test_the_outbox_shows_the_mails_the_site_sent(client, admin, make_user):
    make_user(email="salma@example.org")
    client.post("/password/forgot", data={"email": "salma@example.org"})
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "salma@example.org" in page and "/password/reset/" in page


def test_unknown_users_are_404(client, admin):
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999/deactivate").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
