"""The JSON-LD contexts credentials use, from local copies, and RDF canonicalisation.

The document loader answers only for the contexts shipped in ``contexts/``; any other URL is
refused (:class:`UnknownContext`), so a credential naming an unknown context is rejected instead
of making the server fetch it. Expanded contexts are cached by pyld across calls. Processing is
in safe mode (:mod:`.safemode`): nothing of a document is silently left out of its canonical form.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from c14n.Canonicalize import canonicalize as _json_canonicalize
from frozendict import frozendict
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.resolved_context import ResolvedContext

from .safemode import SafeExpansion

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


class _Resolver(ContextResolver):
    """pyld's resolver, without re-serialising the same inline context at every use.

    pyld keys an inline (object) context by its canonical JSON, computed at each use: the type-
    and property-scoped contexts of VC 2.0 and OB 3.0 are met many times per credential, and that
    serialisation was a third of the signing time. The scoped contexts of the contexts we ship
    are the same objects from one credential to the next (:func:`_document` is cached), so their
    keys are computed once; any other inline context (e.g. in an uploaded file) goes through pyld.
    """

    def resolve(self, active_ctx, context, base, cycles=None):
        if isinstance(context, (dict, frozendict)) and "@context" in context:
            context = context["@context"]
        if not isinstance(context, list):
            context = [context]
        keys = _shipped_keys()
        resolved = []
        for ctx in context:
            held = keys.get(id(ctx)) if isinstance(ctx, dict) else None
            if held is not None and held[0] is ctx:
                found = self._get(held[1])
                if not found:
                    found = self._cache_resolved_context(held[1], ResolvedContext(ctx), "static")
                resolved.append(found)
            else:
                resolved.extend(super().resolve(active_ctx, ctx, base, cycles))
        return resolved


#: active context's uuid → the same context with itself as ``previousContext`` (see _Processor)
_with_previous: dict[str, dict] = {}
_WITH_PREVIOUS_KEPT = 1000


class _Processor(SafeExpansion, jsonld.JsonLdProcessor):
    """pyld's processor in safe mode (:mod:`.safemode`), with type-scoped contexts found in pyld's own cache of processed contexts.

    pyld keys a processed context by the active context it was applied to (its ``_uuid``). A
    type-scoped context (VC 2.0 and OB 3.0 have one per type: Achievement, Profile...) does not
    propagate, so pyld first wraps the active context in a fresh copy that remembers it as
    ``previousContext``, with a new uuid each time: the cache never hits, and each credential
    processed every scoped context again (three quarters of its canonicalisation). The wrapper is
    the same for the same active context, so it is kept here; pyld then finds its work done.
    """

    def _process_context(self, active_ctx, local_ctx, options, override_protected=False,
                         propagate=True, validate_scoped=True, cycles=None):  # fmt: skip
        if (
            not propagate
            and "_uuid" in active_ctx
            and not active_ctx.get("previousContext")
            and jsonld.JsonLdProcessor.arrayify(local_ctx)
        ):
            wrapper = _with_previous.get(active_ctx["_uuid"])
            if wrapper is None or wrapper["previousContext"] is not active_ctx:
                wrapper = self._clone_active_context(active_ctx)
                wrapper["previousContext"] = active_ctx
                wrapper["_uuid"] = str(uuid.uuid1())
                if len(_with_previous) >= _WITH_PREVIOUS_KEPT:
                    _with_previous.clear()
                _with_previous[active_ctx["_uuid"]] = wrapper
            active_ctx = wrapper
        return super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )


@cache
def _shipped_keys() -> dict[int, tuple[dict, str]]:
    """id → (object, pyld's key) for every inline context inside the shipped contexts."""
    keys: dict[int, tuple[dict, str]] = {}

    def walk(value: Any, is_context: bool = False) -> None:
        if isinstance(value, dict):
            if is_context:
                keys[id(value)] = (value, _json_canonicalize(dict(value)).decode("utf-8"))
            for name, item in value.items():
                walk(item, name == "@context")
        elif isinstance(value, list):
            for item in value:
                walk(item, is_context)

    for url in _FILES:
        walk(_document(url))
    return keys


def canonize(document: dict[str, Any]) -> str:
    """The RDF Dataset Canonicalization (RDFC-1.0, a.k.a. URDNA2015) of ``document``, as N-Quads.

    Raises :class:`UnknownContext` for a context we do not ship, :class:`.safemode.Dropped` for a
    document a part of which would not reach the canonical form (an undefined property, a
    relative IRI, a null...), ``ValueError`` for a document JSON-LD cannot process.
    """
    for url in _context_urls(document.get("@context")):
        if not known(url):
            raise UnknownContext(url)
    try:
        return _Processor().normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                "contextResolver": _Resolver(jsonld._resolved_context_cache, document_loader),
                # no base IRI: pyld would resolve a relative IRI against http://example.org/base/
                # where jsonld.js leaves it relative (and drops it); safe mode refuses it instead
                "base": None,
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
