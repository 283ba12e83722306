"""E-mail leaves over SMTP only after the real commit, and only for what was committed; all of a
transaction's messages go over one connection; a message that could not be sent keeps its error
and is sent later by ``lms mail send-pending``."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_string, policy

import pytest
from sqlalchemy import select, update

from curriculum.db import db, utcnow
from lms.cohorts.models import Cohort
from lms.learning.operations import enrol
from lms.mail.models import OutboxMessage
from lms.mail.operations import send_mail
from lms.messages.models import Announcement


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def received(server) -> list:
    return [message_from_string(data, policy=policy.default) for data in server.messages]


def subjects(server) -> list[str]:
    return [message["Subject"] for message in received(server)]


def test_mail_leaves_after_the_commit_and_never_for_a_rolled_back_savepoint(app, smtp):
    send_mail("amina@example.org", "Kept", "Bonjour Amina")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        send_mail("omar@example.org", "Undone", "Ce message est annulé")
        raise RuntimeError("this item fails")
    assert smtp.messages == []  # nothing before the commit
    db.session.commit()
    assert subjects(smtp) == ["Kept"]
    assert [(m.subject, m.status, m.sent_at is not None) for m in outbox()] == [
        ("Kept", "sent", True)
    ]
    assert "Bonjour Amina" in received(smtp)[0].get_content()
    # once the server has it, its text (a reset link, an invitation) is not kept for anyone
    assert [m.body for m in outbox()] == [""]


def test_a_rolled_back_request_mails_nobody(app, smtp):
    send_mail("amina@example.org", "Never", "...")
    db.session.rollback()
    db.session.commit()
    assert smtp.messages == []


def test_without_smtp_the_message_is_only_kept_in_the_outbox(app, runner):
    send_mail("amina@example.org", "Bienvenue", "Bonjour")
    db.session.commit()
    assert [(m.status, m.attempts) for m in outbox()] == [("logged", 0)]
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code != 0 and "LMS_SMTP_HOST" in result.output


def test_the_messages_of_a_transaction_share_one_connection(app, smtp):
    for name in ("amina", "omar", "salma"):
        send_mail(f"{name}@example.org", f"Invitation {name}", "Bienvenue")
    db.session.commit()
    assert subjects(smtp) == ["Invitation amina", "Invitation omar", "Invitation salma"]
    assert smtp.connections == 1
    assert [(m.status, m.attempts) for m in outbox()] == [("sent", 1)] * 3


def test_a_dropped_connection_is_opened_again_and_nothing_is_lost(app, smtp):
    smtp.drop_after = 2
    for number in range(3):
        send_mail(f"learner{number}@example.org", f"Message {number}", "...")
    db.session.commit()
    assert subjects(smtp) == ["Message 0", "Message 1", "Message 2"]
    assert smtp.connections == 2
    assert {m.status for m in outbox()} == {"sent"}


def test_a_failing_server_leaves_the_messages_queued_and_send_pending_sends_them_later(
    app, smtp, runner, make_user, login, client
):
    smtp.refuse = b"451 4.3.0 Mailbox busy, try later"
    send_mail("amina@example.org", "Invitation", "Votre lien")
    send_mail("omar@example.org", "Invitation", "Votre lien")
    db.session.commit()
    assert smtp.messages == [] and smtp.connections == 1
    failed = outbox()
    assert [(m.status, m.attempts, m.sent_at) for m in failed] == [("failed", 1, None)] * 2
    assert all("451 4.3.0 Mailbox busy" in m.error for m in failed)
    assert all(m.next_attempt_at > utcnow() for m in failed)  # a backoff before the next try

    login(make_user(email="admin@example.org", roles=("admin",)))
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "2 e-mails could not be sent" in page
    assert page.count("451 4.3.0 Mailbox busy, try later") == 2

    smtp.refuse = None
    result = runner.invoke(args=["mail", "send-pending"])
    assert (result.exit_code, result.output) == (0, "Sent 0, failed 0.\n")  # still waiting
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(1)))
    db.session.commit()
    result = runner.invoke(args=["mail", "send-pending", "--max-attempts", "1"])
    assert result.output == "Sent 0, failed 0.\n"  # they had their one attempt
    result = runner.invoke(args=["mail", "send-pending"])
    assert (result.exit_code, result.output) == (0, "Sent 2, failed 0.\n")
    assert sorted(message["To"] for message in received(smtp)) == [
        "amina@example.org",
        "omar@example.org",
    ]
    assert smtp.connections == 2  # the retry: one more connection for both
    assert [(m.status, m.attempts, m.error) for m in outbox()] == [("sent", 2, None)] * 2
    assert "could not be sent" not in client.get("/admin/outbox").get_data(as_text=True)
    assert runner.invoke(args=["mail", "send-pending"]).output == "Sent 0, failed 0.\n"


def test_a_server_that_is_down_fails_every_message_and_they_are_retried(app, smtp, runner):
    smtp.shutdown()
    smtp.server_close()  # nothing listens there any more
    send_mail("amina@example.org", "Un", "...")
    send_mail("omar@example.org", "Deux", "...")
    db.session.commit()
    assert [(m.status, m.attempts) for m in outbox()] == [("failed", 1)] * 2
    assert all("ConnectionRefusedError" in m.error for m in outbox())
    db.session.execute(update(OutboxMessage).values(next_attempt_at=None))
    db.session.commit()
    result = runner.invoke(args=["mail", "send-pending", "--backoff", "3600"])
    assert result.output == "Sent 0, failed 2.\n"
    waits = [m.next_attempt_at - utcnow() for m in outbox()]
    assert all(timedelta(hours=1, minutes=59) < wait <= timedelta(hours=2) for wait in waits)


def test_a_subject_with_line_breaks_goes_out_on_one_line(app, smtp):
    send_mail("amina@example.org", "Réunion\r\nBcc: everyone@example.org\n demain", "...")
    send_mail("omar@example.org", "Deuxième", "...")
    db.session.commit()
    first, second = received(smtp)
    assert first["Subject"] == "Réunion Bcc: everyone@example.org demain"
    assert first["Bcc"] is None and second["Subject"] == "Deuxième"
    assert [m.status for m in outbox()] == ["sent", "sent"]


def test_a_message_that_cannot_be_sent_keeps_its_error_and_does_not_stop_the_others(app, smtp):
    send_mail("amina@example.org\r\nBcc: everyone@example.org", "Un", "...")
    send_mail("omar@example.org", "Deux", "...")
    db.session.commit()
    assert subjects(smtp) == ["Deux"]
    bad, good = outbox()
    assert (bad.status, good.status) == ("failed", "sent")
    assert "ValueError" in bad.error and "linefeed" in bad.error


def test_an_announcement_title_with_line_breaks_reaches_every_learner(
    app, smtp, make_user, make_course, login, client
):
    trainer = make_user(email="youssef@example.org", roles=("trainer",))
    course = make_course(sequential=False)
    cohort = Cohort(course_id=course.id, join_code="CRLF0001", name="Tinghir", trainers=[trainer])
    db.session.add(cohort)
    for email in ("amina@example.org", "omar@example.org", "salma@example.org"):
        enrol(make_user(email=email), course, cohort)
    db.session.commit()
    login(trainer)
    response = client.post(
        f"/cohorts/{cohort.id}/announcements",
        data={"title": "Séance\r\nde samedi", "body": "Rendez-vous à 9 h."},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Announcement.title)) == "Séance de samedi"
    assert subjects(smtp) == ["Séance de samedi"] * 3 and smtp.connections == 1
    assert {m.status for m in outbox()} == {"sent"}


def test_with_celery_a_failure_schedules_the_retry_task_which_sends_the_pending_mail(app, smtp):
    pytest.importorskip("celery")
    from lms.jobs.celery_app import celery_for

    app.config["LMS_CELERY_BROKER_URL"] = "memory://"
    celery = celery_for(app)
    scheduled = []
    celery.send_task = lambda name, **options: scheduled.append((name, options["countdown"]))
    smtp.refuse = b"451 try later"
    send_mail("amina@example.org", "Invitation", "Votre lien")
    db.session.commit()
    assert [(name, countdown > 0) for name, countdown in scheduled] == [
        ("lms.mail.send_pending", True)
    ]

    smtp.refuse = None
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    result = celery.tasks["lms.mail.send_pending"].apply().get()  # what a worker runs
    assert result == {"sent": 1, "failed": 0} and subjects(smtp) == ["Invitation"]


def test_the_outbox_page_counts_the_messages_in_each_state(app, smtp, make_user, login, client):
    smtp.refuse = b"451 4.3.0 Mailbox busy, try later"
    send_mail("amina@example.org", "Invitation", "Votre lien")
    db.session.commit()
    smtp.refuse = None
    send_mail("omar@example.org", "Invitation", "Votre lien")
    db.session.commit()
    app.config["LMS_SMTP_HOST"] = None  # then SMTP is turned off: kept here only
    send_mail("salma@example.org", "Invitation", "Votre lien")
    db.session.commit()
    assert sorted(m.status for m in outbox()) == ["failed", "logged", "sent"]

    login(make_user(email="admin@example.org", roles=("admin",)))
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'data-count="pending">1<' in page and 'data-count="failed">1<' in page
    assert 'data-count="sent">1<' in page and 'data-count="logged">1<' in page
    french = client.get("/admin/outbox", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Gardés ici seulement (pas de SMTP)" in french
