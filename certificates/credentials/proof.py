"""Data Integrity proofs, cryptosuite ``eddsa-rdfc-2022`` (W3C VC Data Integrity EdDSA 1.0).

Signing: the proof options (the document's ``@context`` with type, cryptosuite, created,
verificationMethod and proofPurpose) and the document without its proof are each canonicalised
with RDFC-1.0 and hashed with SHA-256; the Ed25519 signature of ``hash(options) + hash(document)``
is the ``proofValue``, multibase base58btc.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from . import multibase
from .contexts import canonize
from .safemode import Dropped

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """The proof is missing, malformed or does not verify; the message says which."""


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = dict(options, **{"@context": document.get("@context")})
    options.pop("proofValue", None)
    try:
        options_hash = _options_hash(json.dumps(options, sort_keys=True))
    except Dropped as error:
        raise error.inside("proof") from None
    return options_hash + _sha256(canonize(unsigned))


@lru_cache(maxsize=256)
def _options_hash(options_json: str) -> bytes:
    """The hash of canonical proof options: the same for every credential a job signs in the
    same second with the same key, so it is kept (the options hold no personal data)."""
    return _sha256(canonize(json.loads(options_json)))


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def sign(
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with its ``proof``."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    signature = key.sign(_hash_data(document, options))
    signed = copy.deepcopy(document)
    # a list: the Open Badges 3.0 schema wants "proof" to be an array
    signed["proof"] = [dict(options, proofValue=multibase.encode_z(signature))]
    return signed


def verify(document: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    """Raise :class:`ProofError` unless ``document``'s proof is a valid signature by the key."""
    proof = proof_of(document)
    try:
        signature = multibase.decode_z(proof.get("proofValue"))
    except ValueError as error:
        raise ProofError("the proof value is not base58btc") from error
    if len(signature) != 64:
        raise ProofError("the proof value is not an Ed25519 signature")
    try:
        public_key.verify(signature, _hash_data(document, proof))
    except InvalidSignature as error:
        raise ProofError("the signature does not match the credential") from error


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the credential has no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("the proof is not a DataIntegrityProof with eddsa-rdfc-2022")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof is not made for assertion")
    if not isinstance(proof.get("verificationMethod"), str):
        raise ProofError("the proof names no verification method")
    return proof
