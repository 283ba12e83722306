"""Public credential URLs: a certificate's credential (.json) and baked badge, the badge image,
the status lists and the issuer's DID document. No account needed (the verify page already
shows who and what); look-ups by serial are rate-limited like the verify page."""

from __future__ import annotations

import json

from flask import abort, jsonify, make_response, request

from certificates import queries as certificate_queries
from certificates.verify_views import throttle_lookups

from . import baking, did, operations, queries, status

#: VC 2.0 registers application/vc for a credential secured by an embedded proof, as ours are
CREDENTIAL_MEDIA_TYPE = "application/vc"


def _credential_or_404(serial: str):
    throttle_lookups("credential")
    certificate = certificate_queries.by_serial(serial)
    row = queries.credential_of(certificate) if certificate is not None else None
    if row is None:
        abort(404)
    return certificate, row


def credential_json(serial: str):
    certificate, row = _credential_or_404(serial)
    response = make_response(operations.credential_bytes(row))
    response.headers["Content-Type"] = CREDENTIAL_MEDIA_TYPE
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{certificate.serial}-credential.json"'
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def baked_badge(serial: str):
    certificate, row = _credential_or_404(serial)
    png = baking.bake(json.dumps(row.document, ensure_ascii=False))
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.serial}.png"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def badge_image():
    response = make_response(baking.badge_image())
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def status_list(list_number: int):
    found = operations.status_list(list_number, request.if_none_match.contains_weak)
    if found is None:
        abort(404)
    tag, document = found
    if document is None:  # the verifier's copy is current: nothing built, nothing signed
        response = make_response("", 304)
    else:
        response = make_response(json.dumps(document, ensure_ascii=False))
        response.headers["Content-Type"] = status.MEDIA_TYPE
    response.set_etag(tag, weak=True)
    # short-lived: a revocation must be seen soon; verifiers revalidate cheaply (304)
    response.headers["Cache-Control"] = "public, max-age=300, must-revalidate"
    return response


def did_document():
    response = jsonify(did.document())
    response.headers["Content-Type"] = "application/did+json"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
