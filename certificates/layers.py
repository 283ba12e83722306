"""The static layer of a certificate: laid out once, stamped under every certificate that shares it.

Everything on a certificate but the learner's own facts — frame, headings, the course, labels,
signatories — is the same for every learner of a course. The renderer lays that out once with
WeasyPrint (``layer="static"`` in the template), keeps the PDF objects it drew (its page's
content and the fonts and images it uses), and stamps them, as one form XObject, under the page
of each certificate, whose own WeasyPrint document then only holds the learner's name, dates,
scores, serial, address and QR code. Both layers come from the same template and stylesheet, in
which every box has a fixed slot, so they line up exactly; a test compares the stamped page with
the same certificate laid out in one piece, pixel for pixel.

Nothing here knows about certificates: it copies a page's drawing from one pydyf PDF to another.
Fonts copied this way are embedded subsets of their own (a font used by both layers is embedded
twice, each subset with its own glyphs), which PDF/A allows.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import pydyf

_REFERENCE = re.compile(rb"^(\d+) 0 R$")
_REFERENCES = re.compile(rb"\b(\d+) 0 R\b")


class SerialisedObject(pydyf.Object):
    """An object already written out, whose references are renumbered for its new PDF."""

    def __init__(self, data: bytes):
        super().__init__()
        self._data = data

    @property
    def data(self) -> bytes:
        return self._data


class SerialisedStream(pydyf.Stream):
    """A stream already compressed and written out (so never put in an object stream)."""

    def __init__(self, dictionary: bytes, body: bytes):
        super().__init__()
        self._data = written(dictionary, body)

    @property
    def data(self) -> bytes:
        return self._data


class StaticLayer:
    """A page's drawing and every object it needs, captured from one PDF (:meth:`capture`) to
    be stamped on the first page of others (:meth:`stamp`).

    Everything is serialised (and compressed) once, at capture; stamping only renumbers the
    references in the objects' dictionaries, with one regular expression each.
    """

    def __init__(self, objects: list[tuple[int, bytes, bytes | None]], form: bytes, body: bytes):
        #: (number in the PDF it comes from, dictionary or object, stream body or None).
        self.objects = objects
        self.form = form
        self.body = body

    @classmethod
    def capture(cls, pdf: pydyf.PDF) -> StaticLayer:
        """The first page of ``pdf`` (a WeasyPrint document in its finisher, before writing)."""
        page, contents, resources = first_page(pdf)
        found: dict[int, Any] = {}
        _collect(pdf, resources, found)
        objects = []
        for number, pdf_object in found.items():
            if isinstance(pdf_object, pydyf.Stream):
                dictionary, body = serialised_stream(
                    pdf_object.stream, pdf_object.extra, pdf_object.compress
                )
                objects.append((number, dictionary, body))
            else:
                objects.append((number, pdf_object.data, None))
        _, _, width, height = (float(value) for value in page["MediaBox"])
        extra = {
            "Type": "/XObject",
            "Subtype": "/Form",
            "BBox": pydyf.Array([0, 0, width, height]),
            "Resources": pydyf.Dictionary(resources),
        }
        form, body = serialised_stream(contents.stream, extra, compress=True)
        return cls(objects, form, body)

    def stamp(self, pdf: pydyf.PDF, name: str = "CertificateStatic") -> None:
        """Draw the layer first on the first page of ``pdf`` (under everything else)."""
        first = len(pdf.objects)
        numbers = {old: first + index for index, (old, _, _) in enumerate(self.objects)}

        def renumbered(data: bytes) -> bytes:
            def new(match: re.Match) -> bytes:
                old = int(match.group(1))
                return b"%d 0 R" % numbers[old] if old in numbers else match.group(0)

            return _REFERENCES.sub(new, data)

        for _old, data, body in self.objects:
            if body is None:
                pdf.add_object(SerialisedObject(renumbered(data)))
            else:
                pdf.add_object(SerialisedStream(renumbered(data), body))
        form = SerialisedStream(renumbered(self.form), self.body)
        pdf.add_object(form)
        _page, contents, resources = first_page(pdf)
        resources.setdefault("XObject", pydyf.Dictionary())[name] = form.reference
        contents.stream.insert(0, f"q /{name} Do Q".encode())


def first_page(pdf: pydyf.PDF) -> tuple[Any, pydyf.Stream, Any]:
    """The first page of a pydyf PDF: its dictionary, content stream and resources."""
    page = pdf.objects[pdf.pages["Kids"][0]]
    return page, pdf.objects[_number(page["Contents"])], pdf.objects[_number(page["Resources"])]


def _number(reference: bytes) -> int:
    return int(reference.split()[0])


def written(dictionary: bytes, body: bytes) -> bytes:
    """A stream object's data, as pydyf writes it."""
    return b"\n".join((dictionary, b"stream", body, b"endstream"))


def _collect(pdf: pydyf.PDF, value: Any, objects: dict[int, Any]) -> None:
    """Every indirect object reachable from ``value``, into ``objects``."""
    if isinstance(value, bytes):
        match = _REFERENCE.match(value)
        if match and int(match.group(1)) not in objects:
            number = int(match.group(1))
            objects[number] = pdf.objects[number]
            _collect(pdf, pdf.objects[number], objects)
    elif isinstance(value, pydyf.Stream):
        _collect(pdf, value.extra, objects)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(pdf, item, objects)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(pdf, item, objects)


def serialised_stream(items: list, extra: dict, compress: bool) -> tuple[bytes, bytes]:
    """A stream's dictionary and body, written (and compressed) now."""
    body = b"\n".join(pydyf._to_bytes(item) for item in items)
    dictionary = pydyf.Dictionary({key: value for key, value in extra.items() if key != "Length"})
    if compress:
        body = zlib.compress(body)
        dictionary["Filter"] = "/FlateDecode"
    dictionary["Length"] = len(body)
    return dictionary.data, body
