"""The site's VAPID key pair (it signs each push request, so push services know who sends), made
in the instance folder on first need or by ``lms push keygen``; never in the repository.

``push/vapid_private.pem`` (mode 0600). The public key, in the form browsers take as
``applicationServerKey`` (the uncompressed P-256 point, base64url), is on the account page. A new
key makes every browser's subscription useless: ``keygen`` refuses to replace one unless asked.
"""

from __future__ import annotations

import base64
import contextlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid

FILE_NAME = "vapid_private.pem"


def key_path() -> Path:
    return Path(current_app.instance_path) / "push" / FILE_NAME


def generate_key(replace: bool = False) -> Path:
    """Write a new key pair. Safe when several processes start at once: one creates the file,
    the others find it (unless ``replace``)."""
    path = key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    if replace:
        temporary = path.with_suffix(".new")
        temporary.unlink(missing_ok=True)
        _write_private(temporary, pem)
        os.replace(temporary, path)
    else:
        with contextlib.suppress(FileExistsError):  # another process made it first
            _write_private(path, pem)
    return path


def _write_private(path: Path, pem: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _pem() -> bytes:
    path = key_path()
    if not path.is_file():
        generate_key()
    return path.read_bytes()


@lru_cache(maxsize=8)
def _vapid(pem: bytes) -> Vapid:
    return Vapid.from_pem(pem)


def vapid() -> Vapid:
    """The signing key (made on first need)."""
    return _vapid(_pem())


def public_key() -> str:
    """The public key as browsers take it (``applicationServerKey``)."""
    raw = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
