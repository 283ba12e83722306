"""An administrator, in French: upload a curriculum pack (.zip) and apply it after the preview;
issue a certificate by hand with a reason; revoke it — and an employer who checks the
certificate, by its serial or with the PDF, learns that it is revoked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from certificates.models import Certificate
from curriculum.db import db
from curriculum.models import Course
from lms.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.e2e.conftest import follow, zip_of

pytestmark = pytest.mark.browser

MINIMAL_PACK = Path(__file__).resolve().parents[1] / "curriculum" / "packs" / "minimal"
REASON = "A suivi la masterclass en présentiel à Azilal (feuilles de présence papier)."
REVOKE_REASON = "Feuilles de présence non confirmées par la commune."


def submit(page, form: str = "main form") -> None:
    follow(page.locator(f"{form} button[type=submit]").last)


def test_an_administrator_imports_a_pack_then_issues_and_revokes_a_certificate(
    live_server, new_page, make_user, tmp_path
):
    make_user(email="nadia@example.org", name="Nadia El Amrani", roles=("admin",), locale="fr")
    page = new_page(width=1024, height=800)
    page.goto(f"{live_server}/login")
    page.fill("#email", "nadia@example.org")
    page.fill("#password", PASSWORD)
    submit(page)
    assert page.locator("html").get_attribute("lang") == "fr"

    # Upload the pack: the check and the preview come first, nothing is imported before "apply".
    follow(page.locator('nav.main-nav a[href$="/admin/packs"]'))
    page.set_input_files("#pack", str(zip_of(MINIMAL_PACK, tmp_path / "minimal.zip")))
    submit(page, 'form[action$="/admin/packs/upload"]')
    assert page.locator("main .flash-success").count() == 1  # the pack is valid
    assert "minimal-course" in page.locator("main pre").inner_text()  # what will change
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0
    submit(page, 'form[action$="/admin/packs/apply"]')
    page.wait_for_url(f"{live_server}/admin/packs")
    assert page.locator(".flashes .flash-success").count() == 1
    assert page.locator("main table code", has_text="minimal-course").count() == 1
    course = db.session.scalar(select(Course))
    assert course.slug == "minimal-course" and len(course.modules[0].lessons) == 4

    # Issue a certificate by hand, to someone who followed the masterclass in person.
    follow(page.locator('nav.main-nav a[href$="/admin/certificates"]'))
    follow(page.locator('main a[href$="/admin/certificates/issue"]'))
    page.fill("#email", "hassan.ouali@example.org")
    page.fill("#name", "Hassan Ouali")
    page.select_option("#course", str(course.id))
    page.check("#force")
    submit(page)  # without a reason: refused, nothing issued
    assert page.locator("#reason-error").count() == 1
    assert db.session.scalar(select(Certificate)) is None
    page.fill("#reason", REASON)
    submit(page)
    page.wait_for_url(lambda url: "/admin/certificates/" in url and not url.endswith("/issue"))
    certificate = db.session.scalar(select(Certificate))
    assert page.url.endswith(f"/admin/certificates/{certificate.serial}")
    assert certificate.issue_reason == REASON and certificate.status() == "valid"
    assert page.locator("main .badge.done").count() == 1
    assert REASON in page.locator("main dl").inner_text()
    with page.expect_download() as download:
        page.locator(f'main a[href$="/certificates/{certificate.serial}.pdf"]').click()
    pdf = Path(download.value.path())
    assert "HassanOuali" in "".join(PdfReader(pdf).pages[0].extract_text().split())

    # Revoke it, with a reason.
    page.fill("#revoke-reason", REVOKE_REASON)
    submit(page, 'form[action$="/revoke"]')
    assert page.locator("main .badge.revoked").count() == 1
    assert page.locator('form[action$="/revoke"]').count() == 0  # nothing left to do on it
    db.session.expire_all()
    certificate = db.session.scalar(select(Certificate))
    assert certificate.status() == "revoked" and certificate.revoke_reason == REVOKE_REASON
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == certificate.serial)
        )
    )
    assert {"certificate.issued", "certificate.revoked"} <= actions

    # An employer checks it: by its serial, and with the PDF file they were sent.
    employer = new_page(locale="fr-FR")
    employer.goto(f"{live_server}/verify/{certificate.serial}")
    assert employer.locator(".verify-revoked").count() == 1
    assert employer.locator(".verify-valid").count() == 0
    assert REVOKE_REASON in employer.locator(".verify-revoked").inner_text()
    facts = employer.request.get(f"{live_server}/verify/{certificate.serial}.json").json()
    assert facts["status"] == "revoked" and facts["revoke_reason"] == REVOKE_REASON
    employer.goto(f"{live_server}/verify")
    employer.set_input_files("#pdf", str(pdf))
    submit(employer)
    verdict = employer.locator('main .verdict[role="status"]')
    assert (
        certificate.serial in verdict.inner_text()
    )  # an untouched original of this certificate...
    follow(verdict.locator(f'a[href$="/verify/{certificate.serial}"]'))
    assert employer.locator(".verify-revoked").count() == 1  # ...which is revoked
