"""What a credential says, and that it says it the same way however it was issued: the criteria
of the rule it was issued under (frozen in the snapshot) in each of its languages, validUntil,
the circle's project in the evidence; the issuer's did:web under a URL prefix and a port, the same
from a web request, a command and a job worker."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import delete, select

from certificates import operations
from certificates.credentials import did
from certificates.credentials.models import CertificateCredential
from certificates.credentials.queries import credential_of
from certificates.models import Certificate
from curriculum.db import db
from lms import LMS
from lms.circles.models import Circle, CircleMember, Project
from lms.cohorts.models import Cohort
from lms.jobs import runner as job_runner
from lms.learning import operations as learning
from lms.users.operations import create_user
from tests.certificates.node_verifier import node_verify
from tests.certificates.test_credentials import NAMES, issue, status_lists
from tests.certificates.test_issuance import finish
from tests.clients import IsolatedClient
from tests.conftest import PASSWORD


def narrative(credential: dict) -> str:
    return credential["credentialSubject"]["achievement"]["criteria"]["narrative"]


def issue_with_project(make_user, make_course, title: str = "Café-emploi de Tissa"):
    """A certificate whose rule asks for the circle's project to be presented (and it is)."""
    course = make_course(slug="circles-cert", sequential=False)
    course.certificate_rule = {**course.certificate_rule, "project_stage": "presented"}
    cohort = Cohort(course_id=course.id, name="Cohorte Tissa", join_code="TISSA001", trainers=[])
    db.session.add(cohort)
    db.session.commit()
    user = make_user(email="salma@example.org", name=NAMES["mixed"])
    enrolment = learning.enrol(user, course, cohort)
    circle = Circle(cohort_id=cohort.id, name="Cercle 1", code="C00001")
    circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=user.id)]
    circle.project = Project(title=title, stage="presented")
    db.session.add(circle)
    db.session.commit()
    finish(enrolment, course)
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def test_the_criteria_say_the_rule_in_french_and_arabic_with_the_stage_translated(
    app, make_user, make_course
):
    certificate = issue_with_project(make_user, make_course)
    french, arabic = narrative(credential_of(certificate).document).split(" · ")
    assert "moyenne d'au moins 70 %" in french and "au moins 75 %" in french
    assert "l'étape : Présenté." in french
    assert "70%" in arabic and "مرحلة: تم العرض." in arabic
    assert "presented" not in french + arabic  # the stage's label, never its code


def test_the_circle_project_is_in_the_evidence(app, client, make_user, make_course):
    certificate = issue_with_project(make_user, make_course, title="Café-emploi de Tissa")
    credential = credential_of(certificate).document
    project = next(e for e in credential["evidence"] if e["id"].endswith("#evidence-project"))
    assert (
        project["name"]
        == "Projet du cercle : Café-emploi de Tissa · مشروع الحلقة: Café-emploi de Tissa"
    )
    document = client.get("/did.json").get_json(force=True)
    assert node_verify(credential, document)["verified"]


def test_a_rule_edited_after_issue_does_not_change_the_criteria(
    app, runner, make_user, make_course
):
    certificate = issue(make_user, make_course, NAMES["arabic"])
    assert certificate.snapshot["criteria"] == {
        "required_lessons": None, "min_quiz_average": 70, "min_attendance": 75,
        "project_stage": None,
    }  # fmt: skip
    before = narrative(credential_of(certificate).document)
    course = certificate.course
    course.certificate_rule = {**course.certificate_rule, "min_quiz_average": 90}
    db.session.execute(delete(CertificateCredential))  # made again by the back-fill job
    db.session.commit()
    assert runner.invoke(args=["certificates", "backfill-credentials"]).exit_code == 0
    db.session.expire_all()
    after = narrative(credential_of(certificate).document)
    assert after == before and "70 %" in after and "90" not in after


def test_a_certificate_older_than_frozen_criteria_falls_back_to_the_live_rule(
    app, runner, make_user, make_course
):
    certificate = issue(make_user, make_course, NAMES["tifinagh"])
    certificate.snapshot = {k: v for k, v in certificate.snapshot.items() if k != "criteria"}
    db.session.execute(delete(CertificateCredential))
    db.session.commit()
    assert runner.invoke(args=["certificates", "backfill-credentials"]).exit_code == 0
    db.session.expire_all()
    assert "au moins 70 %" in narrative(credential_of(certificate).document)


def test_a_course_with_a_validity_gives_valid_until(app, client, make_user, make_course):
    course = make_course(slug="first-aid", sequential=False)
    course.certificate_rule = {**course.certificate_rule, "validity_months": 24}
    db.session.commit()
    user = make_user(email="first-aid@example.org", name=NAMES["arabic"])
    enrolment = learning.enrol(user, course)
    db.session.commit()
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))
    credential = credential_of(certificate).document
    assert credential["validUntil"] == f"{certificate.snapshot['expires_on']}T23:59:59Z"
    assert certificate.expires_at.date().isoformat() == certificate.snapshot["expires_on"]
    assert certificate.expires_at.year == certificate.issued_at.year + 2
    document = client.get("/did.json").get_json(force=True)
    assert node_verify(credential, document, status_lists(client, credential))["verified"]


# -- the issuer's did:web -------------------------------------------------------------------------

ACADEMY_DID = "did:web:example.org%3A8443:academy"


@pytest.fixture
def academy(app, database_url_for_tests, tmp_path):
    """A host site mounting the LMS under /academy, public at https://example.org:8443."""
    host = Flask("academy_host", instance_path=str(tmp_path / "academy-instance"))
    host.config.update(
        TESTING=True, SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=database_url_for_tests,
        WTF_CSRF_ENABLED=False, LMS_PUBLIC_URL="https://example.org:8443",
    )  # fmt: skip
    LMS(host, url_prefix="/academy")
    host.test_client_class = IsolatedClient
    with host.app_context():
        yield host


def test_did_web_under_a_prefix_and_a_port(academy, make_course):
    course = make_course(slug="civics", sequential=False)
    user = create_user("amal@example.org", NAMES["arabic"], PASSWORD, ["learner"])
    enrolment = learning.enrol(user, course)
    db.session.commit()
    finish(enrolment, course)
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))
    credential = credential_of(certificate).document
    client = academy.test_client()
    document = client.get("/academy/did.json").get_json(force=True)
    assert document["id"] == ACADEMY_DID == credential["issuer"]["id"]
    assert client.get("/academy/.well-known/did.json").status_code == 200
    assert credential["proof"][0]["verificationMethod"].startswith(ACADEMY_DID + "#")
    status_url = credential["credentialStatus"]["statusListCredential"]
    assert status_url == "https://example.org:8443/academy/credentials/status/0"
    listed = client.get("/academy/credentials/status/0").get_json(force=True)
    result = node_verify(credential, document, {status_url: listed})
    assert result["verified"], result
    assert result["status"]["verified"] and result["status"]["revoked"] is False, result


def _issued_did(email: str, course) -> str:
    certificate = operations.issue_by_hand(None, email, course, "test", "Amal Idrissi", force=True)
    db.session.commit()
    return credential_of(certificate).document["issuer"]["id"]


def test_a_request_a_command_and_a_job_worker_give_the_same_did(academy, make_course):
    course = make_course(slug="civics", sequential=False)
    # a web request, the host app mounted by its WSGI server under /site (SCRIPT_NAME)
    with academy.test_request_context("/academy/admin", base_url="https://example.org:8443/site/"):
        from_request = _issued_did("a@example.org", course)
    # a command line: no request
    result = academy.test_cli_runner().invoke(args=[
        "lms", "certificates", "issue", "--email", "b@example.org", "--course", "civics",
        "--force", "--reason", "test", "--name", "Badr Alami",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    serial = result.output.strip().splitlines()[-1]
    certificate = db.session.scalar(select(Certificate).where(Certificate.serial == serial))
    from_command = credential_of(certificate).document["issuer"]["id"]
    # what a Celery task (and the embedded job thread) runs in
    with job_runner.work_context(academy):
        from_worker = _issued_did("c@example.org", course)
    assert from_request == from_command == from_worker == ACADEMY_DID
    with academy.test_request_context("/", base_url="http://internal:5000/site/"):
        assert did.issuer_did() == ACADEMY_DID  # config, not the request's host
