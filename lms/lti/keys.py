"""The tool's RSA key pairs, generated into the instance folder (never in the repository).

``lti/keys/<kid>.pem`` files: the newest signs, every kept one is listed in ``/lti/jwks.json``
so that platforms holding a token signed before a rotation can still check it.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwcrypto.jwk import JWK

#: how many key pairs a rotation keeps (the new one and the previous one)
KEPT = 2


def key_dir() -> Path:
    return Path(current_app.instance_path) / "lti" / "keys"


def generate_key() -> str:
    """A new key pair; returns its kid. Older pairs beyond ``KEPT`` are removed."""
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    kid = f"{int(time.time() * 1000):013d}-{secrets.token_hex(4)}"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = folder / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    for old in _key_files()[:-KEPT]:
        old.unlink()
    return kid


def _key_files() -> list[Path]:
    folder = key_dir()
    return sorted(folder.glob("*.pem")) if folder.is_dir() else []


def current_private_key() -> tuple[str, str]:
    """``(kid, pem)`` of the signing key, generated on first use."""
    files = _key_files()
    if not files:
        generate_key()
        files = _key_files()
    path = files[-1]
    return path.stem, path.read_text()


@lru_cache(maxsize=16)
def _public_jwk(kid: str, pem: str) -> str:
    jwk = JWK.from_pem(pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"alg": "RS256", "use": "sig"})  # kid: the thumbprint, as pylti1p3 signs
    return json.dumps(public)


@lru_cache(maxsize=16)
def public_pem(pem: str) -> str:
    """The public half of a private key (parsing an RSA key takes tens of milliseconds: done
    once per key, not at every launch)."""
    return (
        JWK.from_pem(pem.encode()).public().export_to_pem().decode()  # type: ignore[union-attr]
    )


def jwks() -> dict:
    """The public keys of every kept pair (newest last)."""
    if not _key_files():
        generate_key()
    return {"keys": [json.loads(_public_jwk(p.stem, p.read_text())) for p in _key_files()]}
