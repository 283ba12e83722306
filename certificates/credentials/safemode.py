"""JSON-LD safe mode: refuse what expansion or the conversion to RDF would silently drop.

pyld 3.3 has no safe mode (an option ``safe`` is ignored). Without one, a property no context
defines, a relative IRI, a type that maps to nothing or a null value is dropped before
canonicalisation: it is outside what the signature covers, so a credential carrying it would
still "verify". jsonld.js, which Digital Bazaar's verifier uses, refuses these in safe mode (its
events ``invalid property``, ``relative @id reference``, ``relative @type reference``, ``free-
floating scalar``, ``null @value value``, ``object with only @language``, ``blank node
predicate``, ``rdfDirection not set``...). :class:`SafeExpansion` does the same at the points
where pyld drops them, and says where: ``credentialSubject.extra``, ``evidence[0].name``.
"""

from __future__ import annotations

import re
from typing import Any

from pyld.jsonld import JsonLdProcessor, _is_keyword

UNDEFINED = "undefined"  # a property its contexts do not define
RELATIVE = "relative"  # an identifier or a type that is not an absolute IRI
DROPPED = "dropped"  # a value JSON-LD drops: null, free-floating, only @language, @index...


class Dropped(ValueError):
    """Canonicalisation would drop part of the document: ``kind`` says what, ``path`` where."""

    def __init__(self, kind: str, path: str):
        super().__init__(f"JSON-LD would drop {path} ({kind})")
        self.kind = kind
        self.path = path

    def inside(self, name: str) -> Dropped:
        """The same, found in the part ``name`` of a larger document (e.g. the proof)."""
        return Dropped(self.kind, name if self.path == "/" else f"{name}.{self.path}")


#: pyld's own test of an absolute IRI (a blank node identifier ``_:b0`` passes), compiled once
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")


def _absolute(value: Any) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.match(value) is not None


class _PropertyDropped(Exception):
    """pyld is dropping a key of the element being expanded (which one is found after)."""


class SafeExpansion:
    """A mixin for :class:`pyld.jsonld.JsonLdProcessor` that raises :class:`Dropped`.

    ``_path`` holds one frame per element being expanded: ``[label, next item index]``, the index
    counting only for an array (pyld expands each item by a direct call)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path: list[list] = []
        self.on_property_dropped = self._property_dropped

    def _where(self, last: str | None = None) -> str:
        text = ""
        labels = [frame[0] for frame in self._path] + ([last] if last is not None else [])
        for label in labels:
            if isinstance(label, int):
                text += f"[{label}]"
            elif label is not None:
                text += ("." if text else "") + label
        return text or "/"

    def _property_dropped(self, expanded_property) -> None:
        raise _PropertyDropped()

    def _expand(self, active_ctx, active_property, element, options, *args, **kwargs):
        parent = self._path[-1] if self._path else None
        if parent is not None and parent[1] is not None:  # an item of the array being expanded
            label, parent[1] = parent[1], parent[1] + 1
        else:
            label = active_property
        self._path.append([label, 0 if isinstance(element, list) else None])
        try:
            result = super()._expand(active_ctx, active_property, element, options, *args,
                                     **kwargs)  # fmt: skip
            if result is None or (isinstance(result, dict) and "@direction" in result):
                raise Dropped(DROPPED, self._where())
            return result
        finally:
            self._path.pop()

    def _expand_object(self, active_ctx, active_property, expanded_active_property, element,
                       expanded_parent, options, *args, **kwargs):  # fmt: skip
        for key, value in element.items():
            if value is None:
                raise Dropped(DROPPED, self._where(key))
        try:
            super()._expand_object(active_ctx, active_property, expanded_active_property,
                                   element, expanded_parent, options, *args, **kwargs)  # fmt: skip
        except _PropertyDropped:
            raise Dropped(
                UNDEFINED, self._where(self._undefined_key(active_ctx, element))
            ) from None
        if "@index" in expanded_parent:  # not in RDF
            raise Dropped(DROPPED, self._where(self._key_for(active_ctx, element, "@index")))
        for keyword in ("@id",) if "@value" in expanded_parent else ("@id", "@type"):
            values = expanded_parent.get(keyword)
            if values is not None and not all(map(_absolute, JsonLdProcessor.arrayify(values))):
                raise Dropped(RELATIVE, self._where(self._key_for(active_ctx, element, keyword)))
        for key in expanded_parent:
            if key.startswith("_:"):  # a blank node predicate: not in RDF
                raise Dropped(UNDEFINED, self._where(self._key_for(active_ctx, element, key)))

    def _undefined_key(self, active_ctx, element: dict) -> str:
        """The key pyld dropped: the first (in its order) that expands to no absolute IRI."""
        for key in sorted(element):
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if key != "@context" and not (_is_keyword(expanded) or _absolute(expanded)):
                return key
        return "?"  # pragma: no cover - pyld drops only such keys

    def _key_for(self, active_ctx, element: dict, expanded: str) -> str:
        """The key of ``element`` that expands to ``expanded`` (``type`` for ``@type``)."""
        for key in sorted(element):
            if key == expanded or self._expand_iri(active_ctx, key, vocab=True) == expanded:
                return key
        return expanded  # e.g. inside an @nest

    def _expand_value(self, active_ctx, active_property, value, options):
        result = super()._expand_value(active_ctx, active_property, value, options)
        if isinstance(result, dict) and (
            ("@id" in result and not _absolute(result["@id"])) or "@direction" in result
        ):
            raise Dropped(RELATIVE if "@id" in result else DROPPED, self._where())
        return result
