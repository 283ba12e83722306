"""``lms certificates issue|revoke|export|verify|keygen|backfill-credentials``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course
from lms.errors import LMSError
from lms.jobs.cli import start_and_follow
from lms.learning.models import Enrolment
from lms.users.operations import find_by_email

from . import operations, signing
from .credentials import baking
from .credentials import verify as verify_credential
from .credentials.jobs import KIND as BACKFILL
from .credentials.operations import credential_bytes
from .credentials.queries import credential_of
from .models import CertificateFile


@click.group("certificates", help="Issue, revoke, export and verify certificates.")
def certificates_group():
    pass


def _fail(error: LMSError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message) from error


@certificates_group.command("issue")
@click.option("--email", help="The learner's e-mail.")
@click.option(
    "--course", "course_slug", help="The course's slug (without --email: every eligible learner)."
)
@click.option(
    "--cohort", "cohort_id", type=int, help="Every eligible learner of this cohort (a job)."
)
@click.option(
    "--force", is_flag=True, help="Issue even though the rule is not met (needs --reason)."
)
@click.option("--reason", default=None, help="Why (kept in the audit trail).")
@click.option(
    "--name", default=None, help="Full name, to create an account for someone without one."
)
@click.option(
    "--notify", is_flag=True, help="Bulk: e-mail each learner that the certificate is ready."
)
@click.option(
    "--no-wait", is_flag=True, help="Bulk: start the job and return without following it."
)
@with_appcontext
def issue(email, course_slug, cohort_id, force, reason, name, notify, no_wait):
    """Issue one learner's certificate (prints its serial), or, without --email, every eligible
    learner's of a cohort or course, as a job with a progress bar."""
    if not email:
        _issue_in_bulk(course_slug, cohort_id, force, notify, no_wait)
        return
    if not course_slug or cohort_id:
        raise click.UsageError("--email goes with --course (not --cohort)")
    course = _course(course_slug)
    try:
        if force:
            certificate = operations.issue_by_hand(
                None, email, course, reason or "", name, force=True
            )
        else:
            user = find_by_email(email)
            enrolment = user and db.session.scalar(
                select(Enrolment).filter_by(user_id=user.id, course_id=course.id)
            )
            if enrolment is None:
                raise click.ClickException(
                    f"{email} is not enrolled in {course_slug} (use --force --reason)."
                )
            certificate = operations.issue_for_enrolment(enrolment, reason=reason)
    except LMSError as error:
        _fail(error)
    db.session.commit()
    click.echo(certificate.serial)


def _course(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"No course with the slug {slug!r}.")
    return course


def _issue_in_bulk(course_slug, cohort_id, force, notify, no_wait) -> None:
    if bool(course_slug) == bool(cohort_id):
        raise click.UsageError("give --email and --course, or --cohort ID, or --course SLUG alone")
    if force:
        raise click.UsageError("--force issues one certificate at a time (with --email)")
    params = {"cohort_id": cohort_id} if cohort_id else {"course_id": _course(course_slug).id}
    params["notify"] = notify
    job = start_and_follow("certificates.issue", params, wait=not no_wait)
    if job.failed or job.status == "failed":
        sys.exit(1)


@certificates_group.command("reissue")
@click.option("--course", "course_slug", help="Every valid certificate of this course.")
@click.option("--cohort", "cohort_id", type=int, help="Every valid certificate of this cohort.")
@click.option(
    "--reason", required=True, help="Why, e.g. the course title was corrected (kept on each)."
)
@click.option("--no-wait", is_flag=True, help="Start the job and return without following it.")
@click.argument("serials", nargs=-1)
@with_appcontext
def reissue(course_slug, cohort_id, reason, no_wait, serials):
    """Supersede certificates with new ones built from today's course data (after a correction):
    the given SERIALS, or every valid certificate of a course or cohort."""
    if serials:
        params = {"serials": list(serials)}
    elif bool(course_slug) == bool(cohort_id):
        raise click.UsageError("give SERIALS, or --course SLUG, or --cohort ID")
    else:
        params = {"cohort_id": cohort_id} if cohort_id else {"course_id": _course(course_slug).id}
    params["reason"] = reason
    job = start_and_follow("certificates.reissue", params, wait=not no_wait)
    if job.failed or job.status == "failed":
        sys.exit(1)


@certificates_group.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True)
@with_appcontext
def revoke(serial, reason):
    """Revoke a certificate with a reason."""
    try:
        certificate = operations.revoke(None, operations.get_by_serial(serial), reason)
    except LMSError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"{certificate.serial} revoked")


@certificates_group.command("export")
@click.argument("serial")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["pdf", "ob3", "png"]),
    default="pdf",
    show_default=True,
    help="pdf: the issued PDF; ob3: the Open Badges 3.0 credential (JSON); png: the baked badge.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export(serial, kind, output):
    """Write a certificate to a file: its stored PDF (the exact issued bytes), its credential or
    its badge image with the credential baked in."""
    try:
        certificate = operations.get_by_serial(serial)
    except LMSError as error:
        _fail(error)
    if kind == "pdf":
        data = db.session.get(CertificateFile, certificate.id).data
    else:
        row = credential_of(certificate)
        if row is None:
            raise click.ClickException(
                f"{certificate.serial} has no credential yet: run lms certificates "
                "backfill-credentials"
            )
        data = credential_bytes(row)
        if kind == "png":
            data = baking.bake(data.decode("utf-8"))
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"{output} ({len(data)} bytes)")


@certificates_group.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def verify(path):
    """Exit 0 only for an untouched original PDF, or a genuine and valid credential (.json or
    baked .png), of a certificate issued here."""
    with open(path, "rb") as handle:
        data = handle.read(verify_credential.MAX_BYTES * 16)
    if not data.startswith(b"%PDF-"):
        _verify_credential(data)
    check = operations.check_pdf(data)
    messages = {
        "original": "untouched original of {serial} ({status})",
        "modified": "MODIFIED: claims to be {serial} but its bytes differ from the issued PDF",
        "unknown": "UNKNOWN: claims to be a certificate that was never issued here",
        "not_ours": "NOT A CERTIFICATE issued here",
    }
    certificate = check.certificate
    text = messages[check.verdict].format(
        serial=certificate.serial if certificate else "",
        status=certificate.status() if certificate else "",
    )
    click.echo(text)
    sys.exit(0 if check.verdict == "original" else 1)


def _verify_credential(data: bytes) -> None:
    check = verify_credential.check(data)
    click.echo(f"signature: {'valid' if check.signature_valid else 'NOT valid'}")
    click.echo(f"issued here: {'yes' if check.ours else 'no'}")
    if check.status:
        click.echo(f"status: {check.status}")
    if check.subject or check.achievement:
        click.echo(f"for: {check.subject or '?'} — {check.achievement or '?'}")
    if check.reason:
        click.echo(f"reason: {check.reason}")
    sys.exit(0 if check.trusted else 1)


@certificates_group.command("backfill-credentials")
@click.option("--no-wait", is_flag=True, help="Start the job and return without following it.")
@with_appcontext
def backfill_credentials(no_wait):
    """Give every certificate issued before credentials existed its Open Badges 3.0 credential
    (a job: resumable, one certificate at a time)."""
    job = start_and_follow(BACKFILL, {}, wait=not no_wait)
    if job.failed or job.status == "failed":
        sys.exit(1)


@certificates_group.command("keygen")
@with_appcontext
def keygen():
    """Make a new signing key (older keys stay, so old certificates still verify)."""
    key_id = signing.rotate(signing.key_folder_from_app())
    click.echo(f"New active signing key {key_id}")
