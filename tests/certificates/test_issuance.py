"""Issuing, freezing, revoking, correcting and verifying certificates, as users meet them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from certificates import operations
from certificates.models import Certificate
from curriculum.db import db
from lms.learning import operations as learning
from lms.learning.models import Enrolment, LessonProgress
from tests.concurrency import mark_done_twice_at_once


def finish(enrolment, course, score: int = 100, skip: tuple[str, ...] = ()):
    """Every required lesson done (quizzes at ``score``), then the completion check."""
    for module in course.modules:
        for lesson in module.lessons:
            if lesson.slug in skip:
                continue
            progress = learning.progress_for(enrolment, lesson)
            progress.status = "done"
            if lesson.kind == "quiz":
                progress.score = score
    db.session.flush()
    learning.complete_if_finished(enrolment)
    db.session.commit()


@pytest.fixture
def enrolled(make_user, make_course):
    course = make_course(sequential=False)
    user = make_user(email="fatima@example.org", name="Fatima Zahra Aït Benhaddou")
    enrolment = learning.enrol(user, course)
    db.session.commit()
    return user, course, enrolment


def test_completing_the_course_issues_the_certificate_at_once(app, client, login, enrolled):
    user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.status() == "valid"
    assert certificate.serial.startswith("TST-")
    login(user)
    page = client.get("/my").get_data(as_text=True)
    assert certificate.serial in page
    first = client.get(f"/certificates/{certificate.serial}.pdf")
    second = client.get(f"/certificates/{certificate.serial}.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    assert first.data == second.data
    assert first.headers["ETag"].strip('"') == certificate.pdf_sha256
    assert (
        f'filename="certificate-{certificate.serial}.pdf"' in first.headers["Content-Disposition"]
    )
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    french = client.get(f"/certificates/{certificate.serial}.pdf")
    assert (
        f'filename="certificat-{certificate.serial}.pdf"' in french.headers["Content-Disposition"]
    )
    assert (
        client.get(
            f"/certificates/{certificate.serial}.pdf",
            headers={"If-None-Match": first.headers["ETag"]},
        ).status_code
        == 304
    )


def test_the_rule_not_met_means_no_certificate_and_the_missing_requirement_is_named(
    app, runner, enrolled
):
    user, course, enrolment = enrolled
    finish(enrolment, course, score=50)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    result = runner.invoke(
        args=["certificates", "issue", "--email", user.email, "--course", course.slug]
    )
    # The command speaks the site's default language (French): the figures are what matter.
    assert result.exit_code == 1
    assert "50" in result.output and "70" in result.output
    result = runner.invoke(
        args=["certificates", "issue", "--email", user.email, "--course", course.slug, "--force"]
    )
    assert (
        result.exit_code == 1
        and db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    )
    result = runner.invoke(
        args=[
            "certificates",
            "issue",
            "--email",
            user.email,
            "--course",
            course.slug,
            "--force",
            "--reason",
            "Attended in person",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Certificate.serial)) == result.output.strip()


def test_an_issued_certificate_never_changes(app, client, login, enrolled):
    user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    login(user)
    before = client.get(f"/certificates/{certificate.serial}.pdf").data
    user.name = "Someone Else"
    course.titles = {"fr": "Autre titre", "en": "Other"}
    db.session.commit()
    assert client.get(f"/certificates/{certificate.serial}.pdf").data == before
    db.session.refresh(certificate)
    assert certificate.snapshot["learner"]["name"] == "Fatima Zahra Aït Benhaddou"
    assert operations.signature_valid(certificate)
    certificate.snapshot = {**certificate.snapshot, "learner": {"name": "Forged"}}
    assert not operations.signature_valid(certificate)


def test_revoke_then_verify_page_says_revoked_and_twice_says_already(
    app, client, make_user, login, enrolled
):
    _user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    admin = make_user(roles=("admin",))
    login(admin)
    response = client.post(
        f"/admin/certificates/{certificate.serial}/revoke", data={"reason": "Fraude à l'examen"}
    )
    assert response.status_code == 302
    page = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "This certificate was revoked on" in page and "Fraude à l&#39;examen" in page
    client.post(
        f"/admin/certificates/{certificate.serial}/revoke",
        data={"reason": "again"},
        follow_redirects=False,
    )
    page = client.get(f"/admin/certificates/{certificate.serial}").get_data(as_text=True)
    assert "This certificate was already revoked on" in page
    data = client.get(f"/verify/{certificate.serial}.json").get_json()
    assert data["status"] == "revoked" and "fatima@example.org" not in str(data)


def test_a_correction_supersedes_the_old_certificate(app, client, make_user, login, enrolled):
    _user, course, enrolment = enrolled
    finish(enrolment, course)
    old = db.session.scalar(select(Certificate))
    login(make_user(roles=("admin",)))
    response = client.post(
        f"/admin/certificates/{old.serial}/correct",
        data={"name": "Fatima-Zahra Aït Benhaddou", "reason": "Nom mal orthographié"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Certificate).where(Certificate.id != old.id))
    assert new.snapshot["learner"]["name"] == "Fatima-Zahra Aït Benhaddou"
    assert db.session.get(Certificate, old.id).superseded_by_id == new.id
    page = client.get(f"/verify/{old.serial}").get_data(as_text=True)
    assert "replaced by a corrected one" in page and f"/verify/{new.serial}" in page
    assert client.get(f"/verify/{new.serial}.json").get_json()["status"] == "valid"


def test_an_admin_issues_by_hand_for_someone_not_enrolled_with_a_reason(
    app, client, make_user, login, make_course
):
    course = make_course(sequential=False)
    login(make_user(roles=("admin",)))
    form = {
        "email": "hassan@example.org",
        "name": "Hassan Ouali",
        "course": str(course.id),
        "force": "y",
        "reason": "",
    }
    response = client.post("/admin/certificates/issue", data=form)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    form["reason"] = "A suivi la masterclass en présentiel à Azilal"
    response = client.post("/admin/certificates/issue", data=form)
    assert response.status_code == 302
    certificate = db.session.scalar(select(Certificate))
    assert certificate.issue_reason == form["reason"]
    assert db.session.scalar(select(Enrolment).filter_by(user_id=certificate.user_id)) is not None


def test_the_upload_check_tells_original_modified_and_not_a_pdf(app, client, enrolled):
    _user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    pdf = db.session.get(operations.CertificateFile, certificate.id).data

    def check(data: bytes, name: str = "c.pdf"):
        return client.post(
            "/verify", data={"pdf": (io.BytesIO(data), name)}, content_type="multipart/form-data"
        )

    assert f"untouched original of certificate {certificate.serial}" in check(pdf).get_data(
        as_text=True
    )
    tampered = (
        pdf.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in pdf else pdf + b"\n%tampered"
    )
    assert "it was modified after it was issued" in check(tampered).get_data(as_text=True)
    response = check(b"hello", "c.txt")
    assert (
        response.status_code == 400
        and "neither a credential (JSON) nor a badge image (PNG)" in response.get_data(as_text=True)
    )
    response = check(b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 400 and "larger than 10 MB" in response.get_data(as_text=True)


def test_unknown_serial_is_a_plain_no_such_certificate(app, client):
    response = client.get("/verify/SPP-2026-AAAA-BBBB")
    assert response.status_code == 404 and "No such certificate." in response.get_data(as_text=True)


def test_verification_lookups_are_rate_limited(app, client):
    app.config["LMS_VERIFY_LIMIT"] = "3 per minute"
    statuses = [client.get("/verify/SPP-2026-AAAA-BBBB").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_public_keys_are_served_as_jwks_and_cli_round_trip(app, client, runner, enrolled, tmp_path):
    _user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    keys = client.get("/certificates/keys.json").get_json()["keys"]
    assert any(key["kid"] == certificate.key_id and key["crv"] == "Ed25519" for key in keys)
    output = tmp_path / "c.pdf"
    assert (
        runner.invoke(
            args=["certificates", "export", certificate.serial, "-o", str(output)]
        ).exit_code
        == 0
    )
    assert runner.invoke(args=["certificates", "verify", str(output)]).exit_code == 0
    output.write_bytes(output.read_bytes() + b"\n%edited")
    assert runner.invoke(args=["certificates", "verify", str(output)]).exit_code == 1
    assert runner.invoke(args=["certificates", "keygen"]).exit_code == 0
    assert operations.signature_valid(certificate)  # old certificates verify after rotation
    assert (
        runner.invoke(
            args=["certificates", "revoke", certificate.serial, "--reason", "test"]
        ).exit_code
        == 0
    )
    result = runner.invoke(args=["certificates", "revoke", certificate.serial, "--reason", "test"])
    db.session.refresh(certificate)
    assert result.exit_code == 1 and certificate.revoked_at.date().isoformat() in result.output


def test_two_completions_at_once_give_one_certificate(app, make_user, make_course, backend):
    if backend != "postgresql":
        pytest.skip("two concurrent connections need PostgreSQL")
    course = make_course(sequential=False, modules=[("only", [{"slug": "a", "kind": "reading"}])])
    enrolment_id = learning.enrol(make_user(), course).id
    lesson_id = course.modules[0].lessons[0].id
    db.session.commit()
    errors = mark_done_twice_at_once(app, enrolment_id, lesson_id)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_configured_logos_are_printed_on_every_certificate(app, enrolled, tmp_path):
    logo = tmp_path / "partner.png"
    logo.write_bytes(
        Path(__file__)
        .resolve()
        .parents[1]
        .joinpath("curriculum/packs/minimal/assets/diagram.png")
        .read_bytes()
    )
    app.config["LMS_CERTIFICATE_LOGOS"] = [str(logo)]
    _user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    assert [url[:22] for url in certificate.snapshot["logos"]] == ["data:image/png;base64,"]


def test_a_revoked_certificate_is_not_issued_again_by_later_progress(app, enrolled):
    _user, course, enrolment = enrolled
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate))
    operations.revoke(None, certificate, "Plagiat")
    db.session.commit()
    quiz = next(
        lesson for module in course.modules for lesson in module.lessons if lesson.kind == "quiz"
    )
    learning.submit_quiz(enrolment, quiz, {"q1": ["a"], "q2": ["a", "b"], "q3": ["true"]})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
