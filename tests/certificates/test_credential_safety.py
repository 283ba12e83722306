"""Uploaded credentials that try what JSON-LD processing would let through: properties no context
defines (dropped before canonicalisation, so outside the signature), relative IRIs, values
JSON-LD leaves out, nesting deep enough to exhaust the recursion; and the promise that no
context is ever fetched from the network. Each gets a plain verdict naming the reason, on the
verify page and from ``lms certificates verify``."""

from __future__ import annotations

import copy
import json
import logging
import socket
import urllib.request
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from certificates.credentials import contexts, proof, safemode
from certificates.credentials import verify as verify_credential
from certificates.credentials.queries import credential_of
from tests.certificates.node_verifier import node_verify
from tests.certificates.test_credential_delivery import upload
from tests.certificates.test_credentials import NAMES, issue


def _subject(document: dict) -> dict:
    return document["credentialSubject"]


def _achievement(document: dict) -> dict:
    return document["credentialSubject"]["achievement"]


#: tamper → (the change, what the verdict says, where)
TAMPERS = {
    "top level": (lambda d: d.update(extra="hello"), "do not define", "extra"),
    "credentialSubject": (
        lambda d: _subject(d).update(extra="hello"),
        "do not define",
        "credentialSubject.extra",
    ),
    "achievement": (
        lambda d: _achievement(d).update(extra="hello"),
        "do not define",
        "credentialSubject.achievement.extra",
    ),
    "nested object": (
        lambda d: _achievement(d)["criteria"].update(extra={"note": "hello"}),
        "do not define",
        "credentialSubject.achievement.criteria.extra",
    ),
    "evidence item": (
        lambda d: d["evidence"][1].update(extra="hello"),
        "do not define",
        "evidence[1].extra",
    ),
    "undefined type": (
        lambda d: d["type"].append("ExtraCredential"),
        "not a full IRI",
        "type",
    ),
    "relative id": (
        lambda d: _subject(d).update(id="learners/42"),
        "not a full IRI",
        "credentialSubject.id",
    ),
    "relative image": (
        lambda d: _achievement(d)["image"].update(id="badge.png"),
        "not a full IRI",
        "credentialSubject.achievement.image.id",
    ),
    "value JSON-LD leaves out": (
        lambda d: _achievement(d)["criteria"].update({"@index": "hello"}),
        "would leave out",
        "credentialSubject.achievement.criteria.@index",
    ),
    "in the proof": (
        lambda d: d["proof"][0].update(extra="hello"),
        "do not define",
        "proof.extra",
    ),
}


@pytest.fixture
def original(app, make_user, make_course) -> dict:
    return credential_of(issue(make_user, make_course, NAMES["mixed"])).document


def tampered(original: dict, kind: str) -> dict:
    document = copy.deepcopy(original)
    TAMPERS[kind][0](document)
    return document


def test_our_verifier_used_to_call_these_genuine_and_digital_bazaars_refuses_them(
    app, client, original
):
    """Added properties were dropped before canonicalisation: the signature still matched."""
    did_document = client.get("/did.json").get_json(force=True)
    for kind in ("top level", "credentialSubject", "achievement", "nested object"):
        assert not node_verify(tampered(original, kind), did_document)["verified"], kind


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_the_verify_page_and_the_command_line_refuse_each_tamper_and_say_where(
    app, client, runner, tmp_path, original, kind
):
    document = tampered(original, kind)
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    response = upload(client, data, "credential.json")
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "genuine and valid" not in page
    _change, words, where = TAMPERS[kind]
    assert f"{words}: {where}." in page.replace("&#39;", "'"), page
    path = tmp_path / "credential.json"
    path.write_bytes(data)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1, result.output
    assert "signature: NOT valid" in result.output
    reason = next(line for line in result.output.splitlines() if line.startswith("reason:"))
    assert reason.endswith(f" : {where}."), reason  # in French, the command's language


def test_safe_mode_signs_nothing_it_would_drop(app, original):
    """Signing goes through the same canonicalisation: a document with an undefined property
    cannot even be signed."""
    document = {k: v for k, v in tampered(original, "credentialSubject").items() if k != "proof"}
    with pytest.raises(safemode.Dropped) as raised:
        proof.sign(document, Ed25519PrivateKey.generate(), "did:web:x#k", datetime.now(UTC))
    assert raised.value.path == "credentialSubject.extra"


def test_our_own_credentials_are_unchanged_by_safe_mode(app, original):
    document = {k: v for k, v in original.items() if k != "proof"}
    plain = jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                        "documentLoader": contexts.document_loader})  # fmt: skip
    assert contexts.canonize(document) == plain
    assert verify_credential.check(json.dumps(original).encode()).trusted


#: what else JSON-LD would drop, refused by canonicalisation itself → (the change, kind, where)
DROPS = {
    "null value": (
        lambda d: _subject(d).update(name=None),
        safemode.DROPPED,
        "credentialSubject.name",
    ),
    "null item": (lambda d: d["evidence"].append(None), safemode.DROPPED, "evidence[3]"),
    "blank node predicate": (lambda d: d.update({"_:p": "x"}), safemode.UNDEFINED, "_:p"),
    "base direction": (
        lambda d: _subject(d).update(name={"@value": "Fatima", "@direction": "rtl"}),
        safemode.DROPPED,
        "credentialSubject.name",
    ),
    "term defined as null": (
        lambda d: d["@context"].append({"extra": None}) or d.update(extra="x"),
        safemode.UNDEFINED,
        "extra",
    ),
}


@pytest.mark.parametrize("kind", sorted(DROPS))
def test_canonicalisation_refuses_what_it_would_drop(app, original, kind):
    change, expected_kind, where = DROPS[kind]
    document = {k: v for k, v in original.items() if k != "proof"}
    document = copy.deepcopy(document)
    change(document)
    with pytest.raises(safemode.Dropped) as raised:
        contexts.canonize(document)
    assert (raised.value.kind, raised.value.path) == (expected_kind, where)


def deeply_nested(original: dict, depth: int = 900) -> bytes:
    document = copy.deepcopy(original)
    nested: list = ["x"]
    for _ in range(depth):
        nested = [nested]
    document["evidence"][0]["narrative"] = nested
    return json.dumps(document, separators=(",", ":")).encode()


def test_a_deeply_nested_upload_gets_a_verdict_not_a_recursion_error(
    app, client, runner, tmp_path, original
):
    data = deeply_nested(original)
    assert len(data) < 6 * 1024  # a small file
    response = upload(client, data, "credential.json")
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)
    path = tmp_path / "deep.json"
    path.write_bytes(data)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "imbriqué trop profondément" in result.output  # the command's language: French


def test_too_many_values_are_refused_before_any_json_ld_processing(app, client, original):
    document = copy.deepcopy(original)
    document["evidence"][0]["narrative"] = list(range(verify_credential.MAX_VALUES))
    response = upload(client, json.dumps(document).encode(), "credential.json")
    assert response.status_code == 400
    assert "too many values" in response.get_data(as_text=True)


def test_an_unexpected_error_is_logged_and_becomes_a_verdict(
    app, client, original, monkeypatch, caplog
):
    def broken(document, public_key):
        raise RuntimeError("a bug")

    monkeypatch.setattr(proof, "verify", broken)
    with caplog.at_level(logging.ERROR, logger=verify_credential.__name__):
        response = upload(client, json.dumps(original).encode(), "credential.json")
    assert response.status_code == 400
    assert "could not be checked" in response.get_data(as_text=True)
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach the network fails loudly (and is recorded)."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(jsonld, "_default_document_loader", refuse, raising=False)
    return attempts


def test_contexts_are_never_fetched_even_nested_ones(app, original, no_network):
    # a context named again inside the document (pyld's own loader would fetch it): ours serves
    # the local copy, and the canonical form, so the signature, is the same
    nested = copy.deepcopy(original)
    _subject(nested)["@context"] = contexts.OB_V3
    _achievement(nested)["@context"] = [contexts.VC_V2, contexts.OB_V3]
    assert verify_credential.check(json.dumps(nested).encode()).trusted
    # an unknown one nested inside is refused, not fetched
    unknown = copy.deepcopy(original)
    _achievement(unknown)["@context"] = "https://contexts.example/extra.jsonld"
    check = verify_credential.check(json.dumps(unknown).encode())
    assert not check.signature_valid
    assert "https://contexts.example/extra.jsonld" in check.reason
    assert no_network == []
