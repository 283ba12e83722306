"""Signing keys and signatures: certificates anyone can check with the published public key."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask

from certificates import signing
from tests.certificates.snapshots import ARABIC_NAME, sample_snapshot


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "instance" / "keys"


def signed(folder, **changes):
    snapshot = sample_snapshot(key_id=signing.ensure_key(folder), **changes)
    key_id, signature = signing.sign(folder, snapshot)
    return snapshot, key_id, signature


def test_the_first_key_is_generated_on_first_use_private_to_the_owner(folder):
    key_id = signing.ensure_key(folder)
    assert signing.ensure_key(folder) == key_id
    assert signing.active_key_id(folder) == key_id
    key_file = folder / f"{key_id}.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in key_file.read_bytes()
    assert [path.name for path in folder.iterdir() if path.suffix == ".pem"] == [key_file.name]


def test_the_key_id_is_derived_from_the_public_key(folder):
    key_id = signing.ensure_key(folder)
    public_key = signing.public_keys(folder)[key_id]
    assert key_id == signing.key_id_of(public_key)
    assert len(key_id) == 16 and int(key_id, 16) >= 0


def test_reading_the_active_key_never_creates_one(folder):
    assert signing.active_key_id(folder) is None
    assert signing.jwks(folder) == {"keys": []}
    assert not folder.exists()


def test_a_signed_snapshot_verifies(folder):
    snapshot, key_id, signature = signed(folder, learner_name=ARABIC_NAME)
    assert key_id == snapshot["key_id"]
    assert len(b64url_decode(signature)) == 64
    assert signing.verify(folder, snapshot, key_id, signature)
    # the stored copy went through JSON (e.g. the database): still verifies
    assert signing.verify(folder, json.loads(json.dumps(snapshot)), key_id, signature)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s["learner"].update(name="Someone Else"),
        lambda s: s["scores"].update(quiz_average=100),
        lambda s: s.update(completed_on="2025-11-20"),
        lambda s: s.update(extra="field"),
        lambda s: s.pop("expires_on"),
    ],
)
def test_any_change_to_the_snapshot_breaks_the_signature(folder, tamper):
    snapshot, key_id, signature = signed(folder)
    tamper(snapshot)
    assert not signing.verify(folder, snapshot, key_id, signature)


def test_verification_says_no_to_bad_input_and_never_raises(folder):
    snapshot, key_id, signature = signed(folder)
    other_key = "f" * 16 if key_id != "f" * 16 else "e" * 16
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    bad_calls = [
        (snapshot, other_key, signature),  # unknown key
        (snapshot, "../../etc/passwd", signature),  # not a key id
        (snapshot, None, signature),
        (snapshot, key_id, flipped),
        (snapshot, key_id, signature[:40]),
        (snapshot, key_id, "not base64!"),
        (snapshot, key_id, None),
        (snapshot, key_id, 12345),
        (None, key_id, signature),
        ("a string", key_id, signature),
        ({**snapshot, "score": float("nan")}, key_id, signature),
        ({**snapshot, "tags": {1, 2}}, key_id, signature),
        ({**snapshot, "key_id": other_key}, key_id, signature),  # snapshot names another key
    ]
    for call in bad_calls:
        assert signing.verify(folder, *call) is False
    assert signing.verify(folder.parent / "missing", snapshot, key_id, signature) is False


def test_rotation_keeps_old_certificates_valid(folder):
    old_snapshot, old_key, old_signature = signed(folder)
    new_key = signing.rotate(folder)
    assert new_key != old_key
    assert signing.active_key_id(folder) == new_key
    assert signing.verify(folder, old_snapshot, old_key, old_signature)

    new_snapshot, key_id, new_signature = signed(folder)
    assert key_id == new_key
    assert signing.verify(folder, new_snapshot, new_key, new_signature)
    assert not signing.verify(folder, new_snapshot, old_key, new_signature)
    assert stat.S_IMODE((folder / f"{new_key}.pem").stat().st_mode) == 0o600


def test_a_snapshot_naming_its_key_is_signed_with_that_key_even_after_rotation(folder):
    old_key = signing.ensure_key(folder)
    signing.rotate(folder)
    snapshot = sample_snapshot(key_id=old_key)
    assert signing.sign(folder, snapshot)[0] == old_key
    with pytest.raises(signing.SigningKeyError):
        signing.sign(folder, sample_snapshot(key_id="0" * 16))


def test_the_published_jwks_lets_anyone_verify(folder):
    snapshot, key_id, signature = signed(folder)
    signing.rotate(folder)
    keys = signing.jwks(folder)["keys"]
    assert len(keys) == 2
    assert keys[0]["kid"] == signing.active_key_id(folder)  # active key first
    for jwk in keys:
        assert set(jwk) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == (
            "OKP",
            "Ed25519",
            "sig",
            "EdDSA",
        )
        assert "=" not in jwk["x"]
        raw = b64url_decode(jwk["x"])
        assert len(raw) == 32
        assert jwk["kid"] == hashlib.sha256(raw).hexdigest()[:16]
    # an outside verifier, with only the JWKS and the canonical JSON
    jwk = next(jwk for jwk in keys if jwk["kid"] == key_id)
    public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    public_key.verify(b64url_decode(signature), signing.canonical_json(snapshot))


def test_canonical_json_is_sorted_compact_utf8():
    a = {"b": 1, "a": {"z": [1, 2], "y": ARABIC_NAME}}
    b = {"a": {"y": ARABIC_NAME, "z": [1, 2]}, "b": 1}
    assert signing.canonical_json(a) == signing.canonical_json(b)
    assert signing.canonical_json(a) == f'{{"a":{{"y":"{ARABIC_NAME}","z":[1,2]}},"b":1}}'.encode()
    with pytest.raises(ValueError):
        signing.canonical_json({"x": float("inf")})


def test_the_envelope_carries_snapshot_key_and_signature(folder):
    snapshot, key_id, signature = signed(folder)
    document = json.loads(signing.envelope_bytes(snapshot, key_id, signature))
    assert document == {
        "format": signing.ENVELOPE_FORMAT,
        "snapshot": snapshot,
        "key_id": key_id,
        "alg": "EdDSA",
        "signature": signature,
    }
    assert signing.verify(folder, document["snapshot"], document["key_id"], document["signature"])


def test_several_workers_starting_at_once_agree_on_one_key(folder):
    barrier = threading.Barrier(8)
    results = []

    def start_worker():
        barrier.wait()
        results.append(signing.ensure_key(folder))

    threads = [threading.Thread(target=start_worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert [path.stem for path in folder.glob("*.pem")] == results[:1]
    assert not list(folder.glob(".tmp-*"))


def test_the_key_folder_comes_from_the_app_config(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    assert signing.key_folder_from_app(app) == tmp_path / "instance" / "keys"
    app.config["LMS_KEY_FOLDER"] = str(tmp_path / "elsewhere")
    with app.app_context():
        assert signing.key_folder_from_app() == tmp_path / "elsewhere"


def test_a_world_readable_key_is_still_used_but_reported(folder, caplog):
    key_id = signing.ensure_key(folder)
    (folder / f"{key_id}.pem").chmod(0o644)
    assert key_id in signing.public_keys(folder)
    assert "readable by other users" in caplog.text
