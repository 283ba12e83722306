"""Open Badges 3.0 credentials: built with every certificate, signed, checked by implementations
others wrote (the official JSON Schema, Digital Bazaar's verifier and status-list reader)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft201909Validator
from pyld import jsonld
from sqlalchemy import select

from certificates import operations
from certificates.credentials import baking, contexts, did, proof
from certificates.credentials.queries import credential_of
from certificates.models import Certificate
from certificates.pdfcheck import CREDENTIAL_ATTACHMENT_NAME, read_attachment
from curriculum.db import db
from lms.learning import operations as learning
from tests.certificates.node_verifier import node_verify
from tests.certificates.test_issuance import finish

NAMES = {
    "arabic": "فاطمة الزهراء بنحدو",
    "mixed": "Fatima Zahra بنحدو",
    "tifinagh": "ⴼⴰⵟⵉⵎⴰ ⵜⴰⵎⴰⵣⵉⵖⵜ",
}


def issue(
    make_user, make_course, name: str, email: str = "learner@example.org", slug: str = "civics"
):
    course = make_course(slug=slug, sequential=False)
    user = make_user(email=email, name=name)
    enrolment = learning.enrol(user, course)
    db.session.commit()
    finish(enrolment, course)
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def status_lists(client, credential) -> dict:
    url = credential["credentialStatus"]["statusListCredential"]
    path = url.split("localhost", 1)[-1]
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vc"
    assert "max-age" in response.headers["Cache-Control"]
    return {url: response.get_json(force=True)}


@pytest.mark.parametrize("kind", sorted(NAMES))
def test_a_credential_in_any_script_verifies_with_digital_bazaars_verifier(
    app, client, make_user, make_course, kind
):
    certificate = issue(make_user, make_course, NAMES[kind])
    credential = credential_of(certificate).document
    assert credential["credentialSubject"]["name"] == NAMES[kind]
    assert "learner@example.org" not in json.dumps(credential)
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    Draft201909Validator(contexts.schema()).validate(credential)
    document = client.get("/did.json").get_json(force=True)
    assert document["id"] == did.issuer_did() == credential["issuer"]["id"]
    result = node_verify(credential, document, status_lists(client, credential))
    assert result["verified"], result
    assert result["status"]["verified"] and result["status"]["revoked"] is False, result


def test_tampered_copies_and_another_keys_proof_are_rejected(app, client, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["mixed"])
    credential = credential_of(certificate).document
    document = client.get("/did.json").get_json(force=True)
    renamed = copy.deepcopy(credential)
    renamed["credentialSubject"]["name"] = "Someone Else"
    redated = copy.deepcopy(credential)
    redated["validFrom"] = "2020-01-01T00:00:00Z"
    other_key = proof.sign(
        {k: v for k, v in credential.items() if k != "proof"},
        Ed25519PrivateKey.generate(),
        credential["proof"][0]["verificationMethod"],
        datetime.now(UTC),
    )
    for forged in (renamed, redated, other_key):
        assert not node_verify(forged, document)["verified"]


def test_revoking_flips_the_status_the_node_reader_sees(app, client, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["arabic"])
    credential = credential_of(certificate).document
    document = client.get("/did.json").get_json(force=True)
    operations.revoke(None, certificate, "Issued by mistake")
    db.session.commit()
    result = node_verify(credential, document, status_lists(client, credential))
    assert result["verified"], result  # the signature still holds...
    assert result["status"]["revoked"] is True, result  # ...but the status says revoked


def test_the_badge_and_the_pdf_carry_the_same_credential(app, client, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["tifinagh"])
    credential = credential_of(certificate).document
    png = client.get(f"/verify/{certificate.serial}/badge.png")
    assert png.status_code == 200 and png.data.startswith(baking.PNG_SIGNATURE)
    assert json.loads(baking.unbake(png.data)) == credential
    downloaded = client.get(f"/verify/{certificate.serial}/credential.json")
    assert json.loads(downloaded.data) == credential
    from certificates.models import CertificateFile

    pdf = db.session.get(CertificateFile, certificate.id).data
    assert read_attachment(pdf, CREDENTIAL_ATTACHMENT_NAME) == credential
    assert read_attachment(pdf)["snapshot"]["serial"] == certificate.serial


def test_the_did_document_keeps_old_keys_after_keygen(app, client, runner, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["mixed"])
    assert runner.invoke(args=["certificates", "keygen"]).exit_code == 0
    document = client.get("/.well-known/did.json").get_json(force=True)
    assert len(document["verificationMethod"]) == 2
    credential = credential_of(certificate).document
    assert node_verify(credential, document)["verified"]


def test_contexts_are_never_fetched():
    with pytest.raises(contexts.UnknownContext):
        contexts.canonize({"@context": ["https://example.org/evil"], "name": "x"})


def test_the_cached_canonical_form_is_pyld_own_for_every_credential(app, make_user, make_course):
    """The type-scoped contexts processed once are reused: two credentials in a row, each
    canonicalised as plain pyld (nothing cached by us) canonicalises it."""
    for number, name in enumerate(NAMES.values()):
        certificate = issue(make_user, make_course, name, f"l{number}@example.org", f"c{number}")
        document = {k: v for k, v in credential_of(certificate).document.items() if k != "proof"}
        plain = jsonld.normalize(document, {"algorithm": "URDNA2015", "format":
                                            "application/n-quads",
                                            "documentLoader": contexts.document_loader})  # fmt: skip
        assert contexts.canonize(document) == plain
        assert name in plain
