# ruff: noqa: F811 - the fixtures imported from test_push are the tests' parameters
"""The administrators' push outbox page: the queue's counts and the push services' last error,
the latest notifications with their recipient; "send again" puts a refused one back in the queue
and the sender delivers it (to the push service on this machine) after the request; learners
get 403; the forms need their CSRF token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.messages.operations import post_announcement
from lms.push import outbox
from lms.push.delivery import send_pending
from lms.push.models import PushMessage

from .test_push import service, statuses, subscribe, wait_until, world  # noqa: F401 - fixtures


def status_of(message_id: int) -> str:
    db.session.rollback()  # what the sender's own connection wrote
    return db.session.get(PushMessage, message_id).status


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_PUSH_INSECURE_ENDPOINTS": True, "LMS_MAIL_SENDER": "lms@example.org"}


@pytest.fixture
def refused(app, client, login, world, service, monkeypatch):
    """An announcement whose push service refused Amina's copy (400) and was away for Omar's
    (503): (the refused message, the failed message)."""
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)  # the sender is run by hand
    amina_phone, omar_phone = service.browser("amina-admin"), service.browser("omar-admin")
    subscribe(app, world["amina"], amina_phone)
    subscribe(app, world["omar"], omar_phone)
    service.answers[amina_phone.path] = 400
    service.answers[omar_phone.path] = 503
    post_announcement(world["trainer"], world["cohort"], "Atelier", "Samedi à 9 h.")
    db.session.commit()
    outcome = send_pending(app)
    assert (outcome.rejected, outcome.failed) == (1, 1)
    monkeypatch.undo()
    rows = {m.user_id: m for m in db.session.scalars(select(PushMessage))}
    service.answers[amina_phone.path] = 201
    return rows[world["amina"].id], rows[world["omar"].id], amina_phone


def test_the_page_shows_the_queue_and_the_errors(client, login, make_user, world, refused):
    to_amina, to_omar, _ = refused
    login(make_user(roles=("admin",), name="Nadia Admin"))
    page = client.get("/admin/push").get_data(as_text=True)
    assert 'data-count="pending">1<' in page and 'data-count="failed">1<' in page
    assert 'data-count="rejected">1<' in page and 'data-count="sent">0<' in page
    assert "answered 400" in page and "answered 503" in page
    assert world["amina"].name in page and world["omar"].name in page
    assert f'name="message" value="{to_amina.id}"' in page
    assert f'name="message" value="{to_omar.id}"' in page
    sent_only = client.get("/admin/push?status=sent").get_data(as_text=True)
    assert "No notification here." in sent_only and world["amina"].name not in sent_only
    assert 'href="/admin/push"' in client.get("/admin/users").get_data(as_text=True)  # the menu
    arabic = client.get("/admin/push", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "إشعارات الهاتف" in arabic and "أرسل من جديد" in arabic
    french = client.get("/admin/push", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Notifications push" in french and "refusée par le service push" in french


def test_send_again_queues_a_refused_one_and_it_is_delivered(
    app,
    client,
    login,
    make_user,
    world,
    service,
    refused,
):
    to_amina, to_omar, amina_phone = refused
    login(make_user(roles=("admin",)))
    response = client.post("/admin/push/retry", data={"message": to_amina.id})
    assert response.status_code == 302
    # the sender is woken after the request's commit, in a thread: it delivers it
    wait_until(lambda: status_of(to_amina.id) == "sent")
    assert len(service.got(amina_phone)) == 2  # the refused try, then this one
    assert status_of(to_omar.id) == "failed"  # only the one asked for
    assert amina_phone.decrypt(service.got(amina_phone)[-1].body)["lang"] == "ar"
    again = client.post("/admin/push/retry", data={"message": to_amina.id})
    assert again.status_code == 302  # sent: nothing to send again, said in a message
    page = client.get("/admin/push").get_data(as_text=True)
    assert "This notification is not waiting to be sent again." in page
    assert client.post("/admin/push/send").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["push.retry", "push.send_now"]


def test_learners_get_403_and_nothing_is_queued_again(
    app,
    client,
    login,
    world,
    refused,
):
    to_amina, _, _ = refused
    login(world["amina"])
    assert client.get("/admin/push").status_code == 403
    assert client.post("/admin/push/retry", data={"message": to_amina.id}).status_code == 403
    assert client.post("/admin/push/send").status_code == 403
    assert statuses() == ["failed", "rejected"]


def test_the_buttons_need_their_csrf_token(app, client, login, make_user, refused):
    to_amina, _, _ = refused
    login(make_user(roles=("admin",)))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/admin/push/retry", data={"message": to_amina.id}).status_code == 400
    assert statuses() == ["failed", "rejected"]
