"""Ed25519 signatures over certificate snapshots, and the key folder they come from.

The key folder (``LMS_KEY_FOLDER``, by default ``<instance>/keys``) holds::

    keys/
      3f9c0a1b2c3d4e5f.pem    private keys (PKCS#8 PEM, mode 0600), one per key ever used
      active                  the key id new certificates are signed with

A key id is the first 16 hex digits of the SHA-256 of the raw public key, so anyone holding the
public key can recompute it. Rotation adds a key and moves ``active``; old keys stay, so every
certificate ever issued still verifies. Nothing here writes to the database.

Signatures are made over :func:`canonical_json` of the snapshot and written base64url without
padding. :func:`verify` is meant for untrusted input: it answers ``False`` for anything that is
not a valid signature, and never raises.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

logger = logging.getLogger(__name__)

ACTIVE_FILE = "active"
KEY_SUFFIX = ".pem"
ALGORITHM = "EdDSA"
#: Identifies the layout of the JSON embedded in certificate PDFs (see :func:`envelope_bytes`).
ENVELOPE_FORMAT = "civic-lms-certificate/1"
_KEY_ID_RE = re.compile(r"[0-9a-f]{16}")


class SigningKeyError(RuntimeError):
    """The key folder cannot provide the key asked for (missing, unreadable or corrupt)."""


# --- key folder ----------------------------------------------------------------------------


def key_folder_from_app(app: Any = None) -> Path:
    """The key folder of ``app`` (default: Flask's ``current_app``)."""
    if app is None:
        from flask import current_app

        app = current_app
    configured = app.config.get("LMS_KEY_FOLDER")
    return Path(configured) if configured else Path(app.instance_path) / "keys"


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """The key id: first 16 hex digits of SHA-256 over the 32 raw public-key bytes."""
    return hashlib.sha256(_raw_public(public_key)).hexdigest()[:16]


def ensure_key(folder: str | os.PathLike) -> str:
    """The active key id, generating the first key if the folder has none.

    Safe when several workers start at once: the ``active`` pointer is created exclusively,
    so exactly one key wins and the others' keys are removed.
    """
    folder = Path(folder)
    active = _read_active(folder)
    if active is not None:
        return active
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_id = _write_new_key(folder)
    if not _create_exclusively(folder / ACTIVE_FILE, (key_id + "\n").encode()):
        (folder / f"{key_id}{KEY_SUFFIX}").unlink(missing_ok=True)
        return _require_active(folder)
    logger.info("Generated certificate signing key %s in %s", key_id, folder)
    return key_id


def rotate(folder: str | os.PathLike) -> str:
    """Generate a new key, make it the active one and return its id. Old keys are kept."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_id = _write_new_key(folder)
    _atomic_write(folder / ACTIVE_FILE, (key_id + "\n").encode(), 0o644)
    logger.info("Rotated certificate signing key: %s is now active", key_id)
    return key_id


def active_key_id(folder: str | os.PathLike) -> str | None:
    """The active key id, or ``None`` when no key was generated yet (never generates)."""
    return _read_active(Path(folder))


def public_keys(folder: str | os.PathLike) -> dict[str, Ed25519PublicKey]:
    """Every usable public key in the folder, by key id (unreadable files are skipped)."""
    return {key_id: key.public_key() for key_id, key in _private_keys(Path(folder)).items()}


# --- signing -------------------------------------------------------------------------------


def canonical_json(snapshot: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, no spaces, UTF-8 (not ASCII-escaped).

    Raises ``ValueError``/``TypeError`` for values JSON cannot represent exactly (NaN, sets...).
    """
    return json.dumps(
        snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign(folder: str | os.PathLike, snapshot: dict[str, Any]) -> tuple[str, str]:
    """Sign ``snapshot``; return ``(key_id, signature)`` with the signature in base64url.

    If the snapshot names its key (``snapshot["key_id"]``, as issued snapshots do) that key
    signs it, so a rotation between reading the active id and signing cannot mismatch them;
    otherwise the active key does (generated on first use).
    """
    folder = Path(folder)
    key_id = snapshot.get("key_id") or ensure_key(folder)
    private_key = _private_keys(folder).get(key_id)
    if private_key is None:
        raise SigningKeyError(f"No private key {key_id!r} in {folder}")
    signature = private_key.sign(canonical_json(snapshot))
    return key_id, _b64url_encode(signature)


def verify(folder: str | os.PathLike, snapshot: Any, key_id: Any, signature: Any) -> bool:
    """Whether ``signature`` is a valid signature of ``snapshot`` by key ``key_id``.

    ``False`` for a tampered snapshot, an unknown key, a snapshot naming another key, or any
    malformed input; never raises.
    """
    try:
        if not (isinstance(key_id, str) and _KEY_ID_RE.fullmatch(key_id)):
            return False
        if not isinstance(snapshot, dict) or snapshot.get("key_id", key_id) != key_id:
            return False
        if not isinstance(signature, str):
            return False
        raw_signature = _b64url_decode(signature)
        public_key = public_keys(folder).get(key_id)
        if public_key is None or len(raw_signature) != 64:
            return False
        public_key.verify(raw_signature, canonical_json(snapshot))
        return True
    except (InvalidSignature, ValueError, TypeError, RecursionError, OSError):
        return False


def jwks(folder: str | os.PathLike) -> dict[str, list[dict[str, str]]]:
    """The public keys as a JSON Web Key Set (RFC 8037), the active key first."""
    folder = Path(folder)
    keys = public_keys(folder)
    active = _read_active(folder)
    ordered = sorted(keys, key=lambda key_id: (key_id != active, key_id))
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": _b64url_encode(_raw_public(keys[key_id])),
                "kid": key_id,
                "use": "sig",
                "alg": ALGORITHM,
            }
            for key_id in ordered
        ]
    }


def envelope(snapshot: dict[str, Any], key_id: str, signature: str) -> dict[str, Any]:
    """What is embedded in the PDF as ``certificate.json``: the snapshot and its signature."""
    return {
        "format": ENVELOPE_FORMAT,
        "snapshot": snapshot,
        "key_id": key_id,
        "alg": ALGORITHM,
        "signature": signature,
    }


def envelope_bytes(snapshot: dict[str, Any], key_id: str, signature: str) -> bytes:
    """:func:`envelope` as readable, indented UTF-8 JSON (the ``attachment`` for rendering)."""
    document = envelope(snapshot, key_id, signature)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def private_key(folder: str | os.PathLike, key_id: str) -> Ed25519PrivateKey:
    """The private key ``key_id`` of the folder (for the credentials' Data Integrity proofs)."""
    key = _private_keys(Path(folder)).get(key_id)
    if key is None:
        raise SigningKeyError(f"No private key {key_id!r} in {folder}")
    return key


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return _raw_public(public_key)


# --- helpers ---------------------------------------------------------------------------------


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise ValueError("not base64url")
    text = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not base64url") from error


def _read_active(folder: Path) -> str | None:
    try:
        key_id = (folder / ACTIVE_FILE).read_text().strip()
    except FileNotFoundError:
        return None
    if not _KEY_ID_RE.fullmatch(key_id):
        raise SigningKeyError(f"{folder / ACTIVE_FILE} does not hold a key id")
    return key_id


def _require_active(folder: Path) -> str:
    key_id = _read_active(folder)
    if key_id is None:
        raise SigningKeyError(f"No active key in {folder}")
    return key_id


def _private_keys(folder: Path) -> dict[str, Ed25519PrivateKey]:
    """The folder's keys by id, the id recomputed from each key (file names are not trusted)."""
    keys: dict[str, Ed25519PrivateKey] = {}
    if not folder.is_dir():
        return keys
    for path in sorted(folder.glob(f"*{KEY_SUFFIX}")):
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            logger.warning("Skipping unreadable signing key %s: %s", path, error)
            continue
        if not isinstance(key, Ed25519PrivateKey):
            logger.warning("Skipping %s: not an Ed25519 private key", path)
            continue
        if path.stat().st_mode & 0o077:
            logger.warning("Signing key %s is readable by other users; use chmod 600", path)
        keys[key_id_of(key.public_key())] = key
    return keys


def _write_new_key(folder: Path) -> str:
    key = Ed25519PrivateKey.generate()
    key_id = key_id_of(key.public_key())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _atomic_write(folder / f"{key_id}{KEY_SUFFIX}", pem, 0o600)
    return key_id


def _create_exclusively(path: Path, data: bytes) -> bool:
    """Create ``path`` complete with ``data`` unless it exists (then ``False``): the content is
    written to a temporary file first and hard-linked into place, which fails if ``path``
    exists, so no reader ever sees it empty."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.link(temporary, path)
        return True
    except FileExistsError:
        return False
    finally:
        Path(temporary).unlink(missing_ok=True)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see a
    half-written file. The temporary file is created 0600, so a key is never exposed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
