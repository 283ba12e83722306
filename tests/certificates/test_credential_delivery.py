"""What a learner and an employer do with the credential: download it, add it to LinkedIn, check
it on the verify page or with the command line; and what bad files get: a plain verdict."""

from __future__ import annotations

import copy
import io
import json
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete

from certificates import operations
from certificates.credentials import baking, proof
from certificates.credentials.models import CertificateCredential
from certificates.credentials.queries import credential_of
from curriculum.db import db, utcnow
from tests.certificates.test_credentials import NAMES, issue


def upload(client, data: bytes, name: str):
    return client.post(
        "/verify", data={"pdf": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def test_my_certificates_offers_the_credential_the_badge_and_linkedin(
    app, client, login, make_user, make_course
):
    certificate = issue(make_user, make_course, NAMES["mixed"])
    login(certificate.user)
    page = client.get("/certificates").get_data(as_text=True)
    assert f"/verify/{certificate.serial}/credential.json" in page
    assert f"/verify/{certificate.serial}/badge.png" in page
    link = next(part for part in page.split('"') if part.startswith("https://www.linkedin.com/"))
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["certId"] == [certificate.serial]
    assert query["certUrl"] == [certificate.snapshot["verify_url"]]
    assert query["organizationName"] == [certificate.snapshot["issuer"]["name"]]
    assert query["issueYear"] == [str(certificate.issued_at.year)]


def test_a_certificate_waiting_for_its_credential_offers_no_broken_link(
    app, client, login, make_user, make_course
):
    certificate = issue(make_user, make_course, NAMES["arabic"])
    db.session.execute(delete(CertificateCredential))  # issued before credentials existed
    db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(certificate.user)
    for url in ("/certificates", f"/verify/{certificate.serial}"):
        page = client.get(url).get_data(as_text=True)
        assert "credential.json" not in page and "badge.png" not in page, url
    assert "being prepared" in client.get("/certificates").get_data(as_text=True)
    assert "linkedin.com" in client.get("/certificates").get_data(as_text=True)


def test_the_verify_page_checks_a_credential_and_a_baked_badge(app, client, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["arabic"])
    credential = json.dumps(credential_of(certificate).document, ensure_ascii=False)
    for data, name in ((credential.encode(), "c.json"), (baking.bake(credential), "b.png")):
        response = upload(client, data, name)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert "genuine and valid" in page and NAMES["arabic"] in page
    operations.revoke(None, certificate, "Mistake")
    db.session.commit()
    page = upload(client, credential.encode(), "c.json").get_data(as_text=True)
    assert "it was revoked" in page


def test_bad_files_get_a_plain_verdict(app, client, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["mixed"])
    original = credential_of(certificate).document
    tampered = copy.deepcopy(original)
    tampered["credentialSubject"]["name"] = "Quelqu'un d'autre"
    unknown = copy.deepcopy(original)
    unknown["@context"].append("https://evil.example/context.json")
    foreign = proof.sign(
        {k: v for k, v in original.items() if k != "proof"},
        Ed25519PrivateKey.generate(),
        "did:web:elsewhere.example#key-1",
        utcnow(),
    )
    foreign["issuer"]["id"] = "did:web:elsewhere.example"
    cases = {
        "not a credential": (b"hello", "neither a credential"),
        "json": (b'{"a": 1}', "not a verifiable credential"),
        "png": (baking.badge_image(), "carries no credential"),
        "tampered": (json.dumps(tampered).encode(), "changed after issue"),
        "unknown context": (json.dumps(unknown).encode(), "unknown JSON-LD context"),
        "someone else": (json.dumps(foreign).encode(), "issued by someone else"),
        "too large": (b"{" + b" " * (1024 * 1024) + b"}", "larger than 1 MB"),
    }
    for name, (data, words) in cases.items():
        response = upload(client, data, "file.json")
        page = response.get_data(as_text=True)
        assert response.status_code == 400, name
        assert words in page.replace("&#39;", "'"), name


def test_the_command_line_exports_and_verifies(app, runner, tmp_path, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["tifinagh"])
    for kind in ("ob3", "png", "pdf"):
        path = tmp_path / f"out.{kind}"
        result = runner.invoke(
            args=["certificates", "export", certificate.serial, "--format", kind, "-o", str(path)]
        )
        assert result.exit_code == 0, result.output
        verdict = runner.invoke(args=["certificates", "verify", str(path)])
        assert verdict.exit_code == 0, verdict.output
    assert (
        "signature: valid"
        in runner.invoke(args=["certificates", "verify", str(tmp_path / "out.png")]).output
    )
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    result = runner.invoke(args=["certificates", "verify", str(bad)])
    assert result.exit_code == 1 and "reason:" in result.output


def test_backfill_gives_old_certificates_their_credential_once(app, runner, make_user, make_course):
    first = issue(make_user, make_course, NAMES["arabic"], email="a@example.org")
    second = issue(make_user, make_course, NAMES["mixed"], email="b@example.org", slug="other")
    db.session.execute(delete(CertificateCredential))  # issued before credentials existed
    db.session.commit()
    result = runner.invoke(args=["certificates", "backfill-credentials"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert credential_of(first) is not None and credential_of(second) is not None
    again = runner.invoke(args=["certificates", "backfill-credentials"])
    assert again.exit_code == 0, again.output
    assert db.session.query(CertificateCredential).count() == 2
