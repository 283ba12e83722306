"""Certificate PDFs: a frozen snapshot in, PDF/A-3b bytes out.

Rendering is WeasyPrint over a Jinja2 template (``templates/certificates/<name>.html``) and a
stylesheet in ``assets/``. The only things the renderer may read are the package's own assets
and ``data:`` URLs (:class:`RestrictedURLFetcher`), so nothing printed on a certificate — a
learner's name, a course title, a caller-supplied logo — can pull in a local file or reach the
network. Every field is escaped by Jinja's autoescape.

A :class:`CertificateRenderer` is meant to live for the whole process (:func:`get_renderer`): it
keeps the parsed stylesheet, the loaded fonts and the Jinja environment warm, which is most of
the cost of a first render. Nothing here touches the database or Flask's request state.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import cssselect2
import pydyf
from flask_babel import gettext as _
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Document, Page
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import ornaments
from .content import CertificateRenderError, certificate_context, issued_at
from .fetcher import ASSETS_DIR, RefusedURL, RestrictedURLFetcher
from .layers import StaticLayer, first_page, serialised_stream, written
from .pdfcheck import ATTACHMENT_NAME, CREDENTIAL_ATTACHMENT_NAME

__all__ = [
    "CertificateHTML",
    "CertificateRenderError",
    "CertificateRenderer",
    "RefusedURL",
    "RestrictedURLFetcher",
    "certificate_context",
    "get_renderer",
]

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"

#: Template name (as stored in snapshots) → (Jinja template, stylesheet in assets/).
TEMPLATES: dict[str, tuple[str, str]] = {
    "default": ("certificates/default.html", "certificate.css"),
}
DEFAULT_PDF_VARIANT = "pdf/a-3b"
USER_AGENT_STYLESHEET = "user-agent.css"
#: Static layers kept per renderer (one per course, design and language pair in use).
STATIC_LAYERS_KEPT = 64


class CertificateHTML(HTML):
    """A certificate's HTML as WeasyPrint reads it, with two shortcuts for speed.

    - The markup comes from our own templates, which write well-formed XHTML (void elements
      closed, every character escaped by Jinja), so it is read with the standard library's XML
      parser, which is written in C: about 8 ms less per certificate than WeasyPrint's HTML5
      parser, which is written in Python. Markup that is not well-formed — a custom course
      template, say — is read by the HTML5 parser as before, with the same result.
    - Its user-agent stylesheet is ``assets/user-agent.css`` instead of WeasyPrint's general one,
      which styles six footnote and list-marker pseudo-elements of every element.

    Both override WeasyPrint internals (``HTML.__init__``'s attributes and ``_ua_stylesheets``):
    ``tests/certificates/test_render.py`` checks that they are still what WeasyPrint reads.
    """

    def __init__(self, markup: str, base_url: str, url_fetcher: URLFetcher, user_agent: CSS):
        self.user_agent_stylesheet = user_agent
        try:
            # Our own template's output (the learner's strings are escaped text in it), not
            # an untrusted document; expat expands no external entity anyway.
            root = ElementTree.fromstring(markup)  # noqa: S314
        except ElementTree.ParseError:
            super().__init__(string=markup, base_url=base_url, url_fetcher=url_fetcher)
            return
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [self.user_agent_stylesheet]


class CertificateRenderer:
    """Renders snapshots to PDF bytes. Create once per process and reuse (thread-safe)."""

    def __init__(
        self,
        assets_dir: str | os.PathLike = ASSETS_DIR,
        templates_dir: str | os.PathLike = TEMPLATES_DIR,
        url_fetcher: URLFetcher | None = None,
    ):
        self.assets_dir = Path(assets_dir).resolve()
        self.url_fetcher = url_fetcher or RestrictedURLFetcher(self.assets_dir)
        self.font_config = FontConfiguration()
        self.jinja = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=True,
            auto_reload=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._stylesheets: dict[str, CSS] = {}
        self.user_agent_stylesheet = CSS(
            url=(self.assets_dir / USER_AGENT_STYLESHEET).as_uri(), url_fetcher=self.url_fetcher
        )
        # Parsed images by URL, shared between renders. Only images from the package's assets
        # are kept; caller-supplied logos are dropped after each render (_forget_non_assets).
        self._image_cache: dict[str, Any] = {}
        # Static layers by markup, most recently used last (see _static_layer).
        self._static_layers: OrderedDict[tuple[str, int], StaticLayer] = OrderedDict()
        self._assets_url = self.assets_dir.as_uri() + "/"
        # WeasyPrint and fontconfig are not documented as thread-safe; rendering is CPU-bound
        # under the GIL anyway, so serialising costs nothing.
        self._lock = threading.RLock()

    def html(
        self,
        snapshot: dict[str, Any],
        context: dict[str, Any] | None = None,
        layer: str = "full",
    ) -> str:
        """The certificate as HTML (what WeasyPrint lays out): the whole of it, or only its
        ``"static"`` or ``"dynamic"`` layer (see layers.py)."""
        template_name, _stylesheet = _template_files(snapshot)
        if context is None:
            context = certificate_context(snapshot)
        return self.jinja.get_template(template_name).render(c=context, layer=layer)

    def render(
        self,
        snapshot: dict[str, Any],
        attachment: bytes | None = None,
        pdf_variant: str | None = DEFAULT_PDF_VARIANT,
        credential: bytes | None = None,
    ) -> bytes:
        """The certificate as a one-page PDF (PDF/A-3b unless ``pdf_variant`` says otherwise).

        ``attachment`` (the signed snapshot as JSON, see ``signing.envelope_bytes``) is
        embedded as ``certificate.json``; ``credential`` (the signed Open Badges 3.0
        credential) as a second attachment, ``credential.json``.
        """
        with self._lock, _cyclic_gc_paused():
            return self._render(snapshot, attachment, pdf_variant, credential=credential)

    def _render(
        self,
        snapshot: dict[str, Any],
        attachment: bytes | None,
        pdf_variant: str | None,
        layered: bool = True,
        credential: bytes | None = None,
    ) -> bytes:
        context = certificate_context(snapshot)
        issued = issued_at(snapshot)
        attachments = []
        if attachment is not None:
            attachments.append(
                Attachment(
                    string=attachment,
                    name=ATTACHMENT_NAME,
                    description="Signed certificate data (snapshot, key id, Ed25519 signature)",
                    created=issued,
                    modified=issued,
                    relationship="Data",
                    url_fetcher=self.url_fetcher,
                )
            )
        if credential is not None:
            attachments.append(
                Attachment(
                    string=credential,
                    name=CREDENTIAL_ATTACHMENT_NAME,
                    description="Open Badges 3.0 credential (W3C Verifiable Credential)",
                    created=issued,
                    modified=issued,
                    relationship="Alternative",
                    url_fetcher=self.url_fetcher,
                )
            )
        stylesheet = self.stylesheet(snapshot.get("template", "default"))
        try:
            if layered:
                static = self._static_layer(self.html(snapshot, context, "static"), stylesheet)
                document = self._layout(self.html(snapshot, context, "dynamic"), stylesheet)
            else:
                static = None
                document = self._layout(self.html(snapshot, context, "full"), stylesheet)
            ornaments = placed_ornaments(document.pages[0], context)
            return document.write_pdf(
                pdf_variant=pdf_variant,
                attachments=attachments,
                finisher=lambda document, pdf: _finish(pdf, ornaments, static),
            )
        finally:
            self._forget_non_assets()

    def render_in_one_piece(self, snapshot: dict[str, Any]) -> bytes:
        """The same certificate laid out as one document (``layer="full"``), without the cached
        static layer: slower, for comparison (a plain PDF, no attachment)."""
        with self._lock, _cyclic_gc_paused():
            return self._render(snapshot, None, None, layered=False)

    def _layout(self, markup: str, stylesheet: CSS) -> Document:
        document = CertificateHTML(
            markup, self._assets_url, self.url_fetcher, self.user_agent_stylesheet
        ).render(stylesheets=[stylesheet], font_config=self.font_config, cache=self._image_cache)
        if len(document.pages) != 1:
            raise CertificateRenderError(
                _("The certificate does not fit on one page (%(n)d pages).", n=len(document.pages))
            )
        return document

    def _static_layer(self, markup: str, stylesheet: CSS) -> StaticLayer:
        """The static layer of this markup: laid out and drawn on first use, then reused (the
        markup holds everything it depends on, so it is the key)."""
        key = (hashlib.sha256(markup.encode()).hexdigest(), id(stylesheet))
        layer = self._static_layers.get(key)
        if layer is None:
            document = self._layout(markup, stylesheet)
            ornaments = placed_ornaments(document.pages[0], {})
            captured: list[StaticLayer] = []

            def capture(_document: Any, pdf: Any) -> None:
                _finish(pdf, ornaments)
                captured.append(StaticLayer.capture(pdf))

            document.write_pdf(pdf_variant=DEFAULT_PDF_VARIANT, finisher=capture)
            layer = captured[0]
            self._static_layers[key] = layer
            while len(self._static_layers) > STATIC_LAYERS_KEPT:
                self._static_layers.pop(next(iter(self._static_layers)))
        else:
            self._static_layers.move_to_end(key)
        return layer

    def _forget_non_assets(self) -> None:
        """Drop cached images that are not package assets (caller-supplied logos, raster data),
        so the cache cannot grow with the number of certificates rendered."""
        for key in list(self._image_cache):
            if not (isinstance(key, str) and key.startswith(self._assets_url)):
                del self._image_cache[key]

    def stylesheet(self, template: str) -> CSS:
        """The parsed stylesheet of ``template`` (parsed once; loads the fonts)."""
        with self._lock:
            if template not in self._stylesheets:
                _html, css_name = _template_files({"template": template})
                self._stylesheets[template] = CSS(
                    url=(self.assets_dir / css_name).as_uri(),
                    url_fetcher=self.url_fetcher,
                    font_config=self.font_config,
                )
            return self._stylesheets[template]


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of one render.

    A render allocates a few hundred thousand short-lived objects (boxes, styles, glyph runs)
    that reference counting frees as soon as the document is dropped. Left running, the cyclic
    collector scans them again and again while they are all still alive, and promotes them to
    older generations, which makes the next full collections longer: measured at about 10 ms of
    a 85 ms render, against 3 ms with this pause. Nothing is leaked: the collector runs as usual
    afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def placed_ornaments(page: Page, context: dict[str, Any]) -> bytes:
    """The drawing of the page's ornament placeholders (elements with ``data-ornament``, see
    ``ornaments.py``), each in its laid-out box, as PDF operators.

    The ``qr`` ornament draws ``context["qr"]``; the others need nothing but their box.
    """
    payloads = {"qr": context.get("qr")}
    placed: list[tuple[str, ornaments.Box, object]] = []
    seen: set[int] = set()
    page_height = page.height * ornaments.PT_PER_PX
    for box in page._page_box.descendants(placeholders=True):
        element = getattr(box, "element", None)
        if element is None or id(element) in seen or not element.get("data-ornament"):
            continue
        seen.add(id(element))
        name = element.get("data-ornament")
        if name not in ornaments.ORNAMENTS:
            raise CertificateRenderError(
                _("Unknown certificate ornament: %(name)s", name=str(name))
            )
        where = ornaments.Box.from_css(
            box.border_box_x(),
            box.border_box_y(),
            box.border_width(),
            box.border_height(),
            page_height,
        )
        placed.append((name, where, payloads.get(name)))
    return ornaments.operators(placed) if placed else b""


def _finish(pdf: Any, ornament_operators: bytes, static: StaticLayer | None = None) -> None:
    """Last touches on the PDF before it is written: the ornaments go under the page's
    content, and the static layer under them; each attachment is listed once, and each stream
    is compressed once."""
    if ornament_operators:
        _page, contents, _resources = first_page(pdf)
        contents.stream.insert(0, ornament_operators)
    if static is not None:
        static.stamp(pdf)
    _unique_attachments(pdf)
    for pdf_object in pdf.objects:
        if type(pdf_object) is pydyf.Stream:
            pdf_object.__class__ = CompressedOnceStream


class CompressedOnceStream(pydyf.Stream):
    """A PDF stream serialised and compressed once, at zlib's default level.

    pydyf serialises every object of a PDF/A file twice (the second time to hash the file
    identifier) and compresses streams at level 9: for a certificate that was 8% of the time
    for 0.1% of the size. The PDF is complete when this is used (after the finisher), so the
    first result is the final one.
    """

    @property
    def data(self) -> bytes:
        cached = self.__dict__.get("_serialised")
        if cached is None:
            cached = self._serialised = written(
                *serialised_stream(self.stream, self.extra, self.compress)
            )
        return cached


def _unique_attachments(pdf: Any) -> None:
    """WeasyPrint 70 lists each PDF/A-3 attachment twice in the catalogue's /AF array."""
    files = pdf.catalog.get("AF")
    if files:
        unique = list(dict.fromkeys(files))
        files.clear()
        files.extend(unique)


_renderer: CertificateRenderer | None = None
_renderer_lock = threading.Lock()


def get_renderer() -> CertificateRenderer:
    """The process-wide warm renderer (created on first use)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = CertificateRenderer()
        return _renderer


def _template_files(snapshot: dict[str, Any]) -> tuple[str, str]:
    name = snapshot.get("template", "default")
    if name not in TEMPLATES:
        raise CertificateRenderError(_("Unknown certificate template: %(name)s", name=str(name)))
    return TEMPLATES[name]
