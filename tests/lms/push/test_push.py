"""Web Push end to end against a push service on this machine (tests/lms/push/pushservice.py):
a learner's browser subscribes, an announcement or a new or moved session reaches it encrypted for that
browser, signed with the site's VAPID key, in the learner's language; expired subscriptions go;
a service that is down is tried again; bad subscriptions are refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from curriculum.db import db, utcnow
from lms.cohorts.models import Cohort
from lms.learning.operations import enrol
from lms.messages.operations import post_announcement
from lms.push import keys
from lms.push.delivery import send_pending
from lms.push.models import PushMessage, PushSubscription
from lms.sessions.models import CohortSession
from lms.sessions.operations import reschedule_session, schedule_session
from tests.conftest import PASSWORD

from .pushservice import PushService


@pytest.fixture(scope="module")
def service():
    server = PushService().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_PUSH_INSECURE_ENDPOINTS": True, "LMS_MAIL_SENDER": "lms@example.org"}


@pytest.fixture
def world(make_user, make_course):
    trainer = make_user(email="youssef@example.org", roles=("trainer",))
    course = make_course(sequential=False)
    cohort = Cohort(course_id=course.id, join_code="PUSH0001", name="Tinghir", trainers=[trainer])
    db.session.add(cohort)
    amina = make_user(email="amina@example.org", locale="ar")
    omar = make_user(email="omar@example.org", locale="fr")
    for learner in (amina, omar):
        enrol(learner, course, cohort)
    db.session.commit()
    return {"trainer": trainer, "course": course, "cohort": cohort, "amina": amina, "omar": omar}


def subscribe(app, user, browser):
    """``user`` turns notifications on in ``browser`` (her own client: she stays logged in there,
    a logout would remove the subscription)."""
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/push/subscribe.json", json=browser.subscription())
    assert response.status_code == 200, response.get_data(as_text=True)


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def statuses():
    db.session.rollback()
    return sorted(db.session.scalars(select(PushMessage.status)))


def test_an_announcement_reaches_each_subscribed_browser_encrypted_in_its_learners_language(
    app, client, login, world, service
):
    amina_phone, omar_phone = service.browser("amina-1"), service.browser("omar-1")
    subscribe(app, world["amina"], amina_phone)
    subscribe(app, world["omar"], omar_phone)
    post_announcement(world["trainer"], world["cohort"], "Atelier", "Samedi à 9 h.")
    db.session.commit()  # the request's commit: the sender is woken after it, in a thread

    wait_until(lambda: statuses() == ["sent", "sent"])
    (to_amina,), (to_omar,) = service.got(amina_phone), service.got(omar_phone)
    amina, omar = amina_phone.decrypt(to_amina.body), omar_phone.decrypt(to_omar.body)
    assert amina["lang"] == "ar" and amina["dir"] == "rtl" and "Atelier" in amina["body"]
    assert (
        omar["lang"] == "fr"
        and omar["body"].startswith("Nouveau message")
        and "Atelier" in omar["body"]
    )
    assert amina["body"] != omar["body"]  # each in her or his language
    assert "/announcements/" in amina["url"] and amina["url"] == omar["url"]
    # The service cannot read it without the browser's key; it knows who sends by the signature.
    assert b"Atelier" not in to_amina.body
    claims = to_amina.vapid_claims(keys.public_key())
    assert claims["sub"] == "mailto:lms@example.org"
    assert claims["aud"] == f"http://127.0.0.1:{service.server.server_port}"
    assert int(to_amina.headers["ttl"]) > 0


def test_a_moved_session_is_pushed_and_an_expired_subscription_is_removed(
    app, client, login, world, service, make_course
):
    phone, old_phone = service.browser("amina-2"), service.browser("amina-old")
    subscribe(app, world["amina"], phone)
    subscribe(app, world["amina"], old_phone)
    service.answers[old_phone.path] = 410  # uninstalled: the push service says it is gone
    lesson = next(
        lesson for m in world["course"].modules for lesson in m.lessons if lesson.kind == "session"
    )
    session = CohortSession(
        cohort_id=world["cohort"].id,
        lesson=lesson,
        starts_at=datetime(2026, 12, 12, 9, 0, tzinfo=UTC),
        place="Maison des jeunes",
    )
    db.session.add(session)
    db.session.commit()
    reschedule_session(world["trainer"], session, session.starts_at + timedelta(days=1), "Lycée")
    db.session.commit()

    wait_until(lambda: statuses() == ["gone", "sent"])
    (sent,) = service.got(phone)
    payload = phone.decrypt(sent.body)
    assert payload["lang"] == "ar" and "Lycée" in payload["body"]
    endpoints = db.session.scalars(select(PushSubscription.endpoint)).all()
    assert endpoints == [phone.endpoint]  # the expired one is gone, the other kept


def test_a_new_session_is_pushed_with_a_title_saying_what_it_is_about(
    app, client, login, world, service
):
    amina_phone, omar_phone = service.browser("amina-4"), service.browser("omar-4")
    subscribe(app, world["amina"], amina_phone)
    subscribe(app, world["omar"], omar_phone)
    lesson = next(
        lesson for m in world["course"].modules for lesson in m.lessons if lesson.kind == "session"
    )
    starts = datetime(2026, 12, 19, 9, 0, tzinfo=UTC)
    schedule_session(world["trainer"], world["cohort"], lesson, starts, "Dar Chabab")
    db.session.commit()

    wait_until(lambda: statuses() == ["sent", "sent"])
    amina = amina_phone.decrypt(service.got(amina_phone)[0].body)
    omar = omar_phone.decrypt(service.got(omar_phone)[0].body)
    assert omar["title"] == "Nouvelle session en présentiel – Tinghir"
    assert amina["title"] == "جلسة حضورية جديدة · Tinghir"
    assert "Dar Chabab" in omar["body"] and omar["body"].startswith("Nouvelle session")
    assert "/courses/civics/" in omar["url"]
    post_announcement(world["trainer"], world["cohort"], "Atelier", "Samedi à 9 h.")
    db.session.commit()
    wait_until(lambda: statuses() == ["sent"] * 4)
    announced = omar_phone.decrypt(service.got(omar_phone)[1].body)
    assert announced["title"] == "Message de votre formateur·rice – Tinghir"


def test_a_service_that_is_down_is_tried_again_later_and_nothing_is_sent_twice(
    app, client, login, world, service, monkeypatch
):
    from lms.push import outbox

    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)  # the sender is run by hand
    phone = service.browser("omar-3")
    subscribe(app, world["omar"], phone)
    service.answers[phone.path] = 503
    post_announcement(world["trainer"], world["cohort"], "Report", "Dimanche.")
    db.session.commit()
    outcome = send_pending(app)
    assert (outcome.sent, outcome.failed) == (0, 1)
    message = db.session.scalar(select(PushMessage))
    db.session.refresh(message)
    assert message.status == "failed" and "503" in message.error
    assert message.next_attempt_at > utcnow()
    assert send_pending(app).failed == 0  # its wait is not over: not tried

    service.answers[phone.path] = 201
    db.session.execute(update(PushMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert send_pending(app).sent == 1
    assert send_pending(app).sent == 0
    assert len(service.got(phone)) == 2
    assert statuses() == ["sent"]


def test_subscriptions_are_checked_owned_and_removed(app, client, login, world, service):
    login(world["amina"])
    phone = service.browser("amina-4").subscription()
    bad_key = {**phone, "keys": {**phone["keys"], "p256dh": "AAAA"}}
    response = client.post("/push/subscribe.json", json=bad_key)
    assert response.status_code == 400 and "p256dh" in response.get_json()["message"]
    assert client.post("/push/subscribe.json", json={"endpoint": "ftp://x"}).status_code == 400
    assert client.post("/push/subscribe.json", json=phone).status_code == 200
    assert client.post("/push/subscribe.json", json=phone).status_code == 200  # again: one row
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 1

    omar = app.test_client()  # another learner, on his own browser, cannot remove it
    omar.post("/login", data={"email": world["omar"].email, "password": PASSWORD})
    response = omar.post("/push/unsubscribe.json", json={"endpoint": phone["endpoint"]})
    assert response.status_code == 404
    response = client.post("/push/unsubscribe.json", json={"endpoint": phone["endpoint"]})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_without_the_local_exception_only_https_push_services_on_the_internet(
    app, client, login, world, service
):
    app.config["LMS_PUSH_INSECURE_ENDPOINTS"] = False
    login(world["amina"])
    phone = service.browser("amina-5").subscription()
    for endpoint in (phone["endpoint"], "https://127.0.0.1/push/x", "https://10.0.0.8/push/x"):
        response = client.post("/push/subscribe.json", json={**phone, "endpoint": endpoint})
        assert response.status_code == 400, endpoint
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_the_account_page_offers_notifications_to_scripts_only(app, client, login, world):
    login(world["amina"])
    page = client.get("/account").get_data(as_text=True)
    assert '<section id="lms-push" hidden' in page and "push.js" in page
    assert f'data-key="{keys.public_key()}"' in page
    assert keys.key_path().is_file() and keys.key_path().stat().st_mode & 0o077 == 0
    assert "الإشعارات" in page  # in her language


def test_the_keygen_command_keeps_the_key_unless_asked(app, runner):
    first = runner.invoke(args=["push", "keygen"])
    assert first.exit_code == 0 and "Public key: " in first.output
    key = keys.public_key()
    assert "already exists" in runner.invoke(args=["push", "keygen"]).output
    assert keys.public_key() == key
    runner.invoke(args=["push", "keygen", "--replace"])
    assert keys.public_key() != key


def test_logging_out_stops_the_notifications_of_the_account_on_every_browser(
    app, client, login, world, service
):
    phone, tablet = service.browser("amina-phone"), service.browser("amina-tablet")
    omar_phone = service.browser("omar-phone")
    subscribe(app, world["amina"], phone)
    subscribe(app, world["amina"], tablet)
    subscribe(app, world["omar"], omar_phone)
    login(world["amina"])
    assert client.post("/logout").status_code == 302
    # the session ends on all of her devices (one token per account): so do her notifications
    owners = db.session.scalars(select(PushSubscription.user_id)).all()
    assert owners == [world["omar"].id]
    post_announcement(world["trainer"], world["cohort"], "Atelier", "Samedi à 9 h.")
    db.session.commit()
    wait_until(lambda: statuses() == ["sent"])
    assert service.got(phone) == [] and service.got(tablet) == []
    assert len(service.got(omar_phone)) == 1
    # "log out everywhere" too
    login(world["omar"])
    assert client.post("/account/logout-everywhere").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
