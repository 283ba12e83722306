"""The status of a credential as verifiers read it: the Bitstring Status List with its ETag (a
revalidation costs a 304, nothing signed), one cached list per range, no list where no
certificate is; the media types; and the verdicts on expired, superseded and tampered copies, on
the verify page and from the command line."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import operations
from certificates.credentials import operations as credential_operations
from certificates.credentials import proof, status
from certificates.credentials import verify as verify_credential
from certificates.credentials.queries import credential_of
from curriculum.db import db, utcnow
from tests.certificates.test_credential_delivery import upload
from tests.certificates.test_credentials import NAMES, issue

STATUS_LIST = "/credentials/status/0"


def test_the_status_list_has_an_etag_and_revalidation_is_a_304(
    app, client, make_user, make_course, monkeypatch
):
    certificate = issue(make_user, make_course, NAMES["arabic"])
    first = client.get(STATUS_LIST)
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/vc"
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and "must-revalidate" in first.headers["Cache-Control"]

    signed: list = []
    monkeypatch.setattr(
        status, "status_list_credential", lambda *args: signed.append(args) or {"built": True}
    )
    again = client.get(STATUS_LIST, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert signed == []  # nothing built, nothing signed
    monkeypatch.undo()

    operations.revoke(None, certificate, "Issued by mistake")
    db.session.commit()
    changed = client.get(STATUS_LIST, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    subject = changed.get_json(force=True)["credentialSubject"]
    assert status.decode_bit(subject["encodedList"], certificate.id % status.LIST_SIZE)


def test_each_list_is_cached_on_its_own(app, make_user, make_course):
    issue(make_user, make_course, NAMES["mixed"])
    signatures: list[int] = []

    def sign(document, created):
        signatures.append(1)
        return credential_operations.sign_document(document, created)

    zero, one = status.state(0), ("list one", 1)
    first = status.status_list_credential(0, zero, sign)
    status.status_list_credential(1, one, sign)  # building list 1 keeps list 0's
    assert status.status_list_credential(0, zero, sign) is first
    assert len(signatures) == 2


def test_no_list_where_no_certificate_is(app, client, make_user, make_course):
    assert client.get(STATUS_LIST).status_code == 404  # no certificate yet
    issue(make_user, make_course, NAMES["tifinagh"])
    assert client.get(STATUS_LIST).status_code == 200
    for number in (1, 2**40):
        assert client.get(f"/credentials/status/{number}").status_code == 404


def test_media_types_and_file_names(app, client, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["mixed"])
    credential = client.get(f"/verify/{certificate.serial}/credential.json")
    assert credential.headers["Content-Type"] == "application/vc"  # VC 2.0's registered type
    assert credential.headers["Content-Disposition"] == (
        f'attachment; filename="{certificate.serial}-credential.json"'
    )
    assert json.loads(credential.data)["id"] == certificate.snapshot["verify_url"]
    assert client.get(STATUS_LIST).headers["Content-Type"] == "application/vc"
    assert client.get("/did.json").headers["Content-Type"] == "application/did+json"
    badge = client.get(f"/verify/{certificate.serial}/badge.png")
    assert badge.headers["Content-Type"] == "image/png"
    assert (
        badge.headers["Content-Disposition"] == f'attachment; filename="{certificate.serial}.png"'
    )


def _verdicts(client, runner, tmp_path, credential: dict) -> tuple[str, str]:
    data = json.dumps(credential, ensure_ascii=False).encode("utf-8")
    page = upload(client, data, "credential.json").get_data(as_text=True)
    path = tmp_path / "credential.json"
    path.write_bytes(data)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1, result.output
    return page, result.output


def test_expired_and_superseded_verdicts(app, client, runner, tmp_path, make_user, make_course):
    expired = issue(make_user, make_course, NAMES["arabic"], email="a@example.org")
    expired.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    page, output = _verdicts(client, runner, tmp_path, credential_of(expired).document)
    assert "This credential is genuine, but it has expired." in page
    assert "signature: valid" in output and "status: expired" in output

    corrected = issue(make_user, make_course, NAMES["mixed"], email="b@example.org", slug="other")
    old = credential_of(corrected).document
    admin = make_user(email="admin@example.org", roles=("admin",))
    replacement = operations.correct(admin, corrected, "Fatima Zahra Benhaddou", "Misspelt")
    db.session.commit()
    page, output = _verdicts(client, runner, tmp_path, old)
    assert "This credential is genuine, but it was replaced by a corrected one." in page
    assert "signature: valid" in output and "status: superseded" in output
    new = credential_of(replacement).document
    assert verify_credential.check(json.dumps(new).encode()).trusted


def test_a_credential_past_its_valid_until_is_expired(app, make_user, make_course):
    certificate = issue(make_user, make_course, NAMES["tifinagh"])
    db.session.delete(credential_of(certificate))
    certificate.snapshot = {**certificate.snapshot, "expires_on": "2025-01-31"}
    db.session.flush()
    document = credential_operations.make_credential(certificate).document
    db.session.commit()
    assert document["validUntil"] == "2025-01-31T23:59:59Z"
    check = verify_credential.check(json.dumps(document).encode())
    assert check.signature_valid and check.status == "expired"


def test_a_changed_date_and_another_keys_proof_under_our_method_are_refused(
    app, client, make_user, make_course
):
    original = credential_of(issue(make_user, make_course, NAMES["mixed"])).document
    redated = copy.deepcopy(original)
    redated["validFrom"] = "2020-01-01T00:00:00Z"
    other_key = proof.sign(
        {k: v for k, v in original.items() if k != "proof"},
        Ed25519PrivateKey.generate(),
        original["proof"][0]["verificationMethod"],  # our method id, another key
        utcnow(),
    )
    for forged in (redated, other_key):
        check = verify_credential.check(json.dumps(forged).encode())
        assert not check.signature_valid and not check.trusted
        response = upload(client, json.dumps(forged).encode(), "credential.json")
        assert response.status_code == 400
        assert "changed after issue" in response.get_data(as_text=True)
