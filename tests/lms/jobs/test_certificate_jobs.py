"""Re-issuing after a correction, "your certificate is ready" e-mails, a cohort's ZIP."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile

from sqlalchemy import func, select

from certificates import bulk
from certificates import operations as certificate_ops
from certificates.models import Certificate, CertificateFile
from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.jobs.operations import start_job
from lms.mail.models import OutboxMessage
from tests.waiting import wait_for


def _issue_all(enrolments) -> list[Certificate]:
    certificates = [certificate_ops.issue_for_enrolment(e) for e in enrolments]
    db.session.commit()
    return certificates


def test_a_corrected_course_title_reaches_every_certificate_as_a_new_one(
    app, client, login, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=3)
    hand_corrected = _issue_all(enrolments)
    # One name was corrected by hand earlier: the re-issue keeps the corrected spelling.
    fixed = certificate_ops.correct(admin, hand_corrected[0], "Learnér Ône", "Accent")
    db.session.commit()
    old = [fixed, *hand_corrected[1:]]
    course = cohort.course
    course.titles = {**course.titles, "fr": "Résoudre les problèmes publics"}
    db.session.commit()

    login(admin)
    response = client.post(
        "/admin/certificates/bulk/reissue",
        data={"course": str(course.id), "reason": "Titre corrigé"},
    )
    job = wait_for(int(response.headers["Location"].split("/")[-1]))

    assert (job.status, job.total, job.done) == ("done", 3, 3)
    db.session.expire_all()
    for certificate in old:
        replacement = certificate.superseded_by
        assert replacement is not None and replacement.status() == "valid"
        assert replacement.snapshot["course"]["titles"]["fr"] == "Résoudre les problèmes publics"
        assert replacement.snapshot["learner"]["name"] == certificate.snapshot["learner"]["name"]
        assert replacement.issue_reason == "Titre corrigé"
    assert fixed.superseded_by.snapshot["learner"]["name"] == "Learnér Ône"


def test_reissuing_chosen_serials_skips_those_already_replaced_or_revoked(app, admin, make_cohort):
    cohort, enrolments = make_cohort(completed=3)
    first, second, third = _issue_all(enrolments)
    replaced = certificate_ops.correct(admin, first, "New Name", "typo")
    certificate_ops.revoke(admin, second, "fraud")
    db.session.commit()
    job = start_job(
        "certificates.reissue",
        {"serials": [first.serial, second.serial, third.serial.lower()], "reason": "Logo"},
        admin,
    )
    db.session.commit()
    job = wait_for(job.id)
    assert (job.done, job.skipped, job.failed) == (1, 2, 0)
    db.session.expire_all()
    assert db.session.get(Certificate, first.id).superseded_by_id == replaced.id  # untouched
    assert db.session.get(Certificate, third.id).superseded_by_id is not None


def test_a_reissue_without_a_reason_is_refused(app, client, login, admin, make_cohort):
    cohort, _ = make_cohort(completed=1)
    login(admin)
    response = client.post(
        "/admin/certificates/bulk/reissue", data={"cohort": str(cohort.id), "reason": ""}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_learners_are_told_by_e_mail_that_their_certificate_is_ready(
    app, client, login, admin, make_cohort
):
    cohort, enrolments = make_cohort(completed=3)
    certificates = _issue_all(enrolments)
    enrolments[2].user.active = False
    db.session.commit()
    login(admin)
    response = client.post("/admin/certificates/bulk/notify", data={"cohort": str(cohort.id)})
    job = wait_for(int(response.headers["Location"].split("/")[-1]))

    assert (job.done, job.skipped) == (2, 1)
    messages = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(messages) == {enrolments[0].user.email, enrolments[1].user.email}
    message = messages[enrolments[0].user.email]
    assert "http://lms.test/certificates" in message.body and certificates[0].serial in message.body
    assert "Cours civics" in message.subject  # the course's title in the learner's language (fr)


def test_issuing_with_notify_sends_one_e_mail_per_new_certificate(app, admin, make_cohort):
    cohort, enrolments = make_cohort(completed=2, failing=1)
    job = start_job("certificates.issue", {"cohort_id": cohort.id, "notify": True}, admin)
    db.session.commit()
    assert wait_for(job.id).done == 2
    assert sorted(db.session.scalars(select(OutboxMessage.recipient))) == sorted(
        e.user.email for e in enrolments[:2]
    )


def _fake_certificates(enrolments, size: int) -> None:
    """Certificates with stand-in PDF bytes (the ZIP does not look inside them)."""
    rows = [(e.id, e.user_id, e.course_id) for e in enrolments]
    for number, (enrolment_id, user_id, course_id) in enumerate(rows):
        certificate = Certificate(
            serial=f"TST-2026-{number:04d}-ZZZZ",
            enrolment_id=enrolment_id,
            live_enrolment_id=enrolment_id,
            user_id=user_id,
            course_id=course_id,
            snapshot={"learner": {"name": f"Learner {number}"}},
            signature="x",
            key_id="k",
            pdf_sha256="0" * 64,
        )
        db.session.add(certificate)
        db.session.flush()
        db.session.add(
            CertificateFile(certificate_id=certificate.id, data=b"%PDF-" + os.urandom(size))
        )
        db.session.flush()
        db.session.expunge_all()
    db.session.commit()


def test_a_cohorts_zip_is_streamed_one_certificate_at_a_time_in_flat_memory(app, make_cohort):
    count, size = 200, 100_000
    cohort, enrolments = make_cohort(completed=0, active=count)
    cohort_id = cohort.id
    _fake_certificates(enrolments, size)
    entries = bulk.zip_entries(db.session.get(Cohort, cohort_id))
    assert len(entries) == count

    tracemalloc.start()
    try:
        total, chunks = 0, 0
        for chunk in bulk.stream_zip(entries):
            total += len(chunk)
            chunks += 1
            del chunk
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > count * size and chunks == count + 1
    assert peak < 8 * size, (
        f"peak {peak} bytes while streaming {total} bytes"
    )  # a few PDFs' worth, not 200


def test_the_zip_download_holds_each_valid_certificate_and_is_for_the_cohorts_managers(
    app, client, login, admin, make_user, make_cohort
):
    cohort, enrolments = make_cohort(completed=3)
    certificates = _issue_all(enrolments)
    certificate_ops.revoke(admin, certificates[2], "fraud")
    db.session.commit()
    trainer = make_user(roles=("trainer",))
    login(trainer)
    assert client.get(f"/certificates/cohort/{cohort.id}.zip").status_code == 403
    cohort.trainers.append(db.session.merge(trainer))
    db.session.commit()

    response = client.get(f"/certificates/cohort/{cohort.id}.zip")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert len(names) == 2 and all(name.endswith(".pdf") for name in names)
    stored = {c.serial: db.session.get(CertificateFile, c.id).data for c in certificates[:2]}
    for name in names:
        serial = next(s for s in stored if name.endswith(f"{s}.pdf"))
        assert archive.read(name) == stored[serial]  # the exact issued bytes
    assert client.get("/certificates/cohort/999.zip").status_code == 404


def test_the_bulk_page_offers_every_action_with_a_cohort_selector(
    app, client, login, admin, make_cohort
):
    cohort, _ = make_cohort(completed=1, name="Tinghir 2026")
    login(admin)
    page = client.get("/admin/certificates/bulk").get_data(as_text=True)
    for action in (
        "/admin/certificates/bulk/issue",
        "/admin/certificates/bulk/reissue",
        "/admin/certificates/bulk/notify",
        "/admin/certificates/bulk/zip",
    ):
        assert f'action="{action}"' in page
    assert f'<option value="{cohort.id}">Tinghir 2026' in page
    assert "/admin/certificates/bulk" in client.get("/admin/certificates").get_data(as_text=True)
    response = client.get(f"/admin/certificates/bulk/zip?cohort={cohort.id}")
    assert response.headers["Location"].endswith(f"/certificates/cohort/{cohort.id}.zip")


def test_a_skipped_learner_does_not_cancel_the_other_learners_e_mails(app, admin, make_cohort):
    """With SMTP set, e-mails leave after the batch commits; a skipped item in between (its
    savepoint rolled back) must not drop the others. Port 9 on this machine refuses the
    connection, so each delivery attempt leaves its error on the outbox row."""
    cohort, enrolments = make_cohort(completed=3)
    _issue_all(enrolments)
    enrolments[1].user.active = False
    db.session.commit()
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=9)
    job = start_job("certificates.notify", {"cohort_id": cohort.id}, admin)
    db.session.commit()
    assert (wait_for(job.id).done, job.skipped) == (2, 1)
    messages = list(db.session.scalars(select(OutboxMessage)))
    assert len(messages) == 2
    assert all(message.error for message in messages), "a message was never handed to SMTP"
