"""The JSON-LD contexts credentials use, from local copies, and RDF canonicalisation.

The document loader answers only for the contexts shipped in ``contexts/``; any other URL is
refused (:class:`UnknownContext`), so a credential naming an unknown context is rejected instead
of making the server fetch it. Expanded contexts are cached by pyld across calls.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_FOLDER = Path(__file__).parent / "contexts"
_FILES = {VC_V2: "credentials-v2.json", OB_V3: "context-3.0.3.json"}


class UnknownContext(ValueError):
    """A document names a JSON-LD context we do not ship (it is never fetched)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


@cache
def _document(url: str) -> dict[str, Any]:
    return json.loads((_FOLDER / _FILES[url]).read_text(encoding="utf-8"))


def known(url: Any) -> bool:
    return isinstance(url, str) and url in _FILES


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    if not known(url):
        raise UnknownContext(url)
    return {"contextUrl": None, "documentUrl": url, "document": _document(url)}


@cache
def schema() -> dict[str, Any]:
    """The official JSON Schema of an AchievementCredential (1EdTech, draft 2019-09)."""
    return json.loads((_FOLDER / "achievementcredential.schema.json").read_text(encoding="utf-8"))


def canonize(document: dict[str, Any]) -> str:
    """The RDF Dataset Canonicalization (RDFC-1.0, a.k.a. URDNA2015) of ``document``, as N-Quads.

    Raises :class:`UnknownContext` for a context we do not ship, ``ValueError`` for a document
    JSON-LD cannot process.
    """
    for url in _context_urls(document.get("@context")):
        if not known(url):
            raise UnknownContext(url)
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                "safe": True,
            },
        )
    except jsonld.JsonLdError as error:
        cause = _unknown_cause(error)
        if cause is not None:
            raise cause from error
        raise ValueError(f"not valid JSON-LD: {error}") from error


def _context_urls(context: Any) -> list[str]:
    items = context if isinstance(context, list) else [context]
    return [item for item in items if isinstance(item, str)]


def _unknown_cause(error: BaseException | None) -> UnknownContext | None:
    seen = 0
    while error is not None and seen < 20:
        if isinstance(error, UnknownContext):
            return error
        details = getattr(error, "details", None) or {}
        cause = details.get("cause") if isinstance(details, dict) else None
        error = cause if isinstance(cause, BaseException) else error.__cause__
        seen += 1
    return None
