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


class FixedStream(pydyf.Stream):
    """A stream whose body was compressed once, with a dictionary written for its new PDF."""

    def __init__(self, body: bytes, extra: dict[str, Any], compressed: bool):
        super().__init__(extra=extra)
        self.body = body
        self.compressed = compressed

    @property
    def data(self) -> bytes:
        extra = pydyf.Dictionary(self.extra)
        if self.compressed:
            extra["Filter"] = "/FlateDecode"
        extra["Length"] = len(self.body)
        return b"\n".join((extra.data, b"stream", self.body, b"endstream"))


class StaticLayer:
    """A page's drawing and every object it needs, captured from one PDF (:meth:`capture`) to
    be stamped on the first page of others (:meth:`stamp`)."""

    def __init__(self, content: bytes, width: float, height: float, resources: Any, objects: dict):
        self.content = zlib.compress(content)
        self.bbox = [0, 0, width, height]
        self.resources = resources
        #: Captured objects by their number in the PDF they come from, in a stable order.
        self.objects: dict[int, Any] = objects

    @classmethod
    def capture(cls, pdf: pydyf.PDF) -> StaticLayer:
        """The first page of ``pdf`` (a WeasyPrint document in its finisher, before writing)."""
        page = pdf.objects[pdf.pages["Kids"][0]]
        contents = pdf.objects[_number(page["Contents"])]
        content = b"\n".join(pydyf._to_bytes(item) for item in contents.stream)
        resources = pdf.objects[_number(page["Resources"])]
        objects: dict[int, Any] = {}
        _collect(pdf, resources, objects)
        for number, pdf_object in list(objects.items()):
            if isinstance(pdf_object, pydyf.Stream):
                objects[number] = _frozen(pdf_object)
        _, _, width, height = (float(value) for value in page["MediaBox"])
        return cls(content, width, height, pydyf.Dictionary(resources), objects)

    def stamp(self, pdf: pydyf.PDF, name: str = "CertificateStatic") -> None:
        """Draw the layer first on the first page of ``pdf`` (under everything else)."""
        first = len(pdf.objects)
        numbers = {old: first + index for index, old in enumerate(self.objects)}
        for pdf_object in self.objects.values():
            if isinstance(pdf_object, tuple):  # a frozen stream: (body, extra, compressed)
                body, extra, compressed = pdf_object
                pdf.add_object(FixedStream(body, _renumbered(extra, numbers), compressed))
            else:
                pdf.add_object(_renumbered(pdf_object, numbers))
        form = FixedStream(
            self.content,
            {
                "Type": "/XObject",
                "Subtype": "/Form",
                "BBox": pydyf.Array(self.bbox),
                "Resources": _renumbered(self.resources, numbers),
            },
            compressed=True,
        )
        pdf.add_object(form)
        page = pdf.objects[pdf.pages["Kids"][0]]
        resources = pdf.objects[_number(page["Resources"])]
        resources.setdefault("XObject", pydyf.Dictionary())[name] = form.reference
        contents = pdf.objects[_number(page["Contents"])]
        contents.stream.insert(0, f"q /{name} Do Q".encode())


def _number(reference: bytes) -> int:
    return int(reference.split()[0])


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


def _frozen(stream: pydyf.Stream) -> tuple[bytes, dict[str, Any], bool]:
    """A stream's body, serialised and compressed now, with its dictionary."""
    body = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
    if stream.compress:
        body = zlib.compress(body)
    extra = {key: value for key, value in stream.extra.items() if key != "Length"}
    return body, extra, bool(stream.compress)


def _renumbered(value: Any, numbers: dict[int, int]) -> Any:
    """A copy of ``value`` whose references point at the objects' new numbers."""
    if isinstance(value, bytes):
        match = _REFERENCE.match(value)
        return f"{numbers[int(match.group(1))]} 0 R".encode() if match else value
    if isinstance(value, pydyf.Dictionary | dict):
        return pydyf.Dictionary({key: _renumbered(item, numbers) for key, item in value.items()})
    if isinstance(value, pydyf.Array | list | tuple):
        return pydyf.Array([_renumbered(item, numbers) for item in value])
    return value
