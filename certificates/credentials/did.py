"""The issuer's ``did:web`` identifier and DID document.

The identifier is derived from the configuration alone: ``LMS_PUBLIC_URL`` (the public root of
the Flask app, a WSGI mount path included) and the prefix the LMS's routes are registered under
(``LMS(app, url_prefix=...)``), never from the request (its ``SCRIPT_NAME``) nor from
``APPLICATION_ROOT``: a credential issued in a web request, by a command or by a Celery worker
names the same issuer. ``https://host`` gives ``did:web:host`` (document at
``/.well-known/did.json``); ``https://host:8443`` under the prefix ``/academy`` gives
``did:web:host%3A8443:academy`` (document at ``/academy/did.json``), as the did:web method
resolves them. The document lists every certificate signing key ever used, as Ed25519
Multikeys, so credentials signed before a ``lms certificates keygen`` still verify.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app

from certificates import signing

from .multibase import public_key_multibase

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
DOCUMENT_NAME = "/did.json"


def issuer_did() -> str:
    base = urlsplit(current_app.config.get("LMS_PUBLIC_URL") or "http://localhost")
    host = quote(base.hostname or "localhost", safe="")
    if base.port:
        host += "%3A" + str(base.port)
    # the rule's own path: the blueprint's prefix, without any SCRIPT_NAME or APPLICATION_ROOT
    routes = current_app.url_map.bind("localhost", script_name="/")
    mounted = routes.build("lms_certificates.did_document")[: -len(DOCUMENT_NAME)]
    path = base.path.rstrip("/") + mounted
    segments = [quote(segment, safe="") for segment in path.split("/") if segment]
    return ":".join(["did:web", host, *segments])


def method_id(key_id: str, did: str | None = None) -> str:
    """The verification method of a signing key, e.g. ``did:web:host#3f9c0a1b2c3d4e5f``."""
    return f"{did or issuer_did()}#{key_id}"


def key_id_from_method(method: str, did: str | None = None) -> str | None:
    """The signing key id a verification method names, if it is one of our issuer's."""
    prefix = (did or issuer_did()) + "#"
    if isinstance(method, str) and method.startswith(prefix):
        return method[len(prefix) :]
    return None


def document() -> dict:
    did = issuer_did()
    folder = signing.key_folder_from_app()
    signing.ensure_key(folder)
    keys = signing.public_keys(folder)
    active = signing.active_key_id(folder)
    ordered = sorted(keys, key=lambda key_id: (key_id != active, key_id))
    methods = [
        {
            "id": method_id(key_id, did),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(signing.raw_public(keys[key_id])),
        }
        for key_id in ordered
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }
