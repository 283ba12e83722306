"""A certificate earned by a learner who came through a launch is the same certificate as any
other: issued at completion, in her name from the platform's claims, in her list, downloadable,
its PDF checked as ours by the verify page, and its credential signed."""

from sqlalchemy import select

from certificates import operations as certificates
from certificates.credentials.queries import credential_of
from certificates.models import Certificate
from certificates.pdfcheck import CREDENTIAL_ATTACHMENT_NAME, read_attachment
from curriculum.db import db
from curriculum.models import Course
from lms.learning.models import Enrolment
from tests.certificates.test_issuance import finish

from .platform import LEARNER
from .test_launch import post, start


def test_a_learner_launched_from_the_platform_earns_the_usual_certificate(
    client, platform, registered, make_course
):
    make_course(sequential=False)
    response = post(client, platform.launch(start(client, platform), roles=(LEARNER,)))
    assert response.status_code == 302, response.get_data(as_text=True)
    enrolment = db.session.scalar(select(Enrolment))
    finish(enrolment, db.session.scalar(select(Course)))

    certificate = db.session.scalar(
        select(Certificate).where(Certificate.user_id == enrolment.user_id)
    )
    assert certificate is not None and certificate.snapshot["learner"]["name"] == "Amina Tazi"
    assert certificates.signature_valid(certificate)
    assert credential_of(certificate).document["credentialSubject"]["name"] == "Amina Tazi"

    mine = client.get("/certificates").get_data(as_text=True)  # her LTI session
    assert certificate.serial in mine
    pdf = client.get(f"/certificates/{certificate.serial}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert certificates.check_pdf(pdf.data).verdict == "original"
    assert (
        read_attachment(pdf.data, CREDENTIAL_ATTACHMENT_NAME)["id"]
        == credential_of(certificate).document["id"]
    )
    verify = client.get(f"/verify/{certificate.serial}").get_data(as_text=True)
    assert "Amina Tazi" in verify
