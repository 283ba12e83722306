"""The certificate PDF: what is printed on it, its QR code, its embedded signed data, PDF/A."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
import zlib
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader
from weasyprint import CSS

from certificates import ornaments, pdfcheck, signing
from certificates import render as render_module
from certificates.render import (
    CertificateHTML,
    CertificateRenderer,
    CertificateRenderError,
    RefusedURL,
    RestrictedURLFetcher,
    get_renderer,
    placed_ornaments,
)
from tests.certificates.snapshots import (
    ARABIC_NAME,
    LATIN_NAME,
    SERIAL,
    VERIFY_URL,
    sample_snapshot,
)

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="needs poppler-utils"
)


class SpyFetcher(RestrictedURLFetcher):
    """The real restricted fetcher, recording every URL WeasyPrint asks for."""

    def __init__(self):
        super().__init__()
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        try:
            return super().fetch(url, headers)
        except RefusedURL:
            self.refused.append(url)
            raise


@pytest.fixture(scope="module")
def spy():
    return SpyFetcher()


@pytest.fixture(scope="module")
def renderer(spy):
    return CertificateRenderer(url_fetcher=spy)


@pytest.fixture(scope="module")
def french_pdf(renderer):
    return renderer.render(sample_snapshot())


@pytest.fixture(scope="module")
def arabic_name_pdf(renderer):
    return renderer.render(sample_snapshot(learner_name=ARABIC_NAME))


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def squeezed(text: str) -> str:
    """Text without whitespace, to compare strings that may wrap over lines."""
    return "".join(text.split())


def pdftotext(pdf: bytes, tmp_path) -> str:
    """Poppler's text, without the bidi embedding marks it puts around right-to-left runs."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.replace("\u202b", "").replace("\u202c", "")


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    import zxingcpp
    from PIL import Image

    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as image:
        return [result.text for result in zxingcpp.read_barcodes(image)]


# --- what is printed ---------------------------------------------------------------------------


def test_the_certificate_prints_name_course_serial_and_facts(french_pdf):
    text = text_of(french_pdf)
    for expected in (
        LATIN_NAME,
        "Résoudre les problèmes publics",
        "حل المشكلات العمومية",
        "a suivi avec succès la masterclass",
        SERIAL,
        "20 novembre 2026",
        "24 heures",
        "86",
        "100",
        "Nadia El Amrani",
        "Directrice de l’Académie citoyenne",
        "lms.example.org/verify/" + SERIAL,
    ):
        assert expected in text, expected
    assert "ACADÉMIECITOYENNE" in squeezed(text)  # letter-spaced: extracted as "A C A D..."


def test_it_is_one_a4_landscape_page(french_pdf):
    page = PdfReader(io.BytesIO(french_pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)


def test_an_arabic_name_is_extracted_in_logical_order(arabic_name_pdf, tmp_path):
    # pypdf returns the Arabic runs in logical order; poppler's pdftotext agrees.
    assert ARABIC_NAME in text_of(arabic_name_pdf)
    if shutil.which("pdftotext"):
        assert ARABIC_NAME in pdftotext(arabic_name_pdf, tmp_path)


def fonts_of(pdf: bytes) -> set[str]:
    """The names of the fonts the page uses, its own and its static layer's (a form XObject)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    names: set[str] = set()
    resources = [page["/Resources"]]
    while resources:
        current = resources.pop().get_object()
        names |= {str(font.get_object()["/BaseFont"]) for font in current.get("/Font", {}).values()}
        for xobject in current.get("/XObject", {}).values():
            if xobject.get_object().get("/Subtype") == "/Form":
                resources.append(xobject.get_object()["/Resources"])
    return names


def test_the_arabic_is_shaped_with_the_shipped_naskh_font(arabic_name_pdf):
    fonts = fonts_of(arabic_name_pdf)
    # embedded under the @font-face family names, i.e. the shipped Noto files
    assert any(name.endswith("+Certificate-Naskh") for name in fonts), fonts
    assert any(name.endswith("+Certificate-Serif-Bold") for name in fonts), fonts
    assert all("+Certificate-" in name for name in fonts), fonts  # no system font fallback


def test_a_mixed_latin_and_arabic_name_renders(renderer):
    name = "Fatima الزهراء Ait بنحدو"
    pdf = renderer.render(sample_snapshot(learner_name=name))
    # pypdf gives it back in logical order; pdftotext moves the spaces around the Arabic runs
    assert name in text_of(pdf)


def test_arabic_as_the_main_language_uses_moroccan_month_names(renderer):
    pdf = renderer.render(sample_snapshot(languages=["ar", "fr"]))
    text = text_of(pdf)
    # Text extractors (pypdf and pdftotext alike) misplace European digits inside right-to-left
    # lines ("20 نونبر 2026" comes out as "2026 نونبر20"), so check the words, not the order;
    # the page itself reads correctly (checked by eye, see the report).
    for word in ("نونبر", "2026", "ساعة", "تاريخ الإتمام", "حل المشكلات العمومية"):
        assert word in text
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "ar"


def test_english_beside_arabic_and_french_alone(renderer):
    english = text_of(renderer.render(sample_snapshot(languages=["en", "ar"])))
    assert "Certificate of Completion" in english and "20 November 2026" in english
    assert "Solving Public Problems" in english and "حل المشكلات العمومية" in english
    french_only = text_of(renderer.render(sample_snapshot(languages=["fr"])))
    assert "Résoudre les problèmes publics" in french_only
    assert "حل المشكلات العمومية" not in french_only


def test_missing_scores_are_left_out_and_expiry_is_printed(renderer):
    snapshot = sample_snapshot(scores={"quiz_average": None, "attendance": 92.5})
    snapshot["expires_on"] = "2029-11-25"
    text = text_of(renderer.render(snapshot))
    assert "MOYENNE AUX QUIZ" not in text
    assert "92,5" in text and "ASSIDUITÉ" in text
    assert "25 novembre 2029" in text


def test_very_long_strings_still_fit_on_one_page(renderer):
    snapshot = sample_snapshot(learner_name="Maria de los Ángeles Fernández-Ouazzani " * 5)
    snapshot["course"]["titles"]["fr"] = "Un titre de masterclass vraiment très long " * 6
    snapshot["course"]["titles"]["ar"] = "عنوان طويل جدا " * 20
    snapshot["signatories"] *= 3
    snapshot["expires_on"] = "2029-11-25"
    pdf = renderer.render(snapshot)
    assert squeezed(snapshot["learner"]["name"]) in squeezed(text_of(pdf))


# --- QR code -----------------------------------------------------------------------------------


@needs_poppler
def test_the_qr_code_opens_the_verify_page(french_pdf, tmp_path):
    assert qr_codes(french_pdf, tmp_path) == [VERIFY_URL]


@needs_poppler
def test_the_qr_code_also_scans_on_an_arabic_first_certificate(renderer, tmp_path):
    pdf = renderer.render(sample_snapshot(languages=["ar", "fr"]))
    assert qr_codes(pdf, tmp_path) == [VERIFY_URL]


# --- nothing printed can fetch anything --------------------------------------------------------

HOSTILE_NAMES = [
    '<img src="file:///etc/passwd">',
    "x</div><link rel=stylesheet href=file:///etc/hostname>",
    "<style>@import url(http://example.com/x.css);</style>Zineb",
    '<svg><image href="file:///etc/passwd"/></svg>',
    "{{ c.qr_png }} & &amp; \"quotes\" 'single'",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_is_printed_as_text_and_fetches_nothing(renderer, spy, name):
    before = len(spy.requested)
    renderer.render(sample_snapshot())
    normal = set(spy.requested[before:])  # what any certificate loads (e.g. its QR code image)
    before = len(spy.requested)
    pdf = renderer.render(sample_snapshot(learner_name=name))
    assert squeezed(name) in squeezed(text_of(pdf))
    assert "root:" not in text_of(pdf)
    assert set(spy.requested[before:]) <= normal  # the name fetched nothing more


def test_the_only_resources_ever_fetched_are_the_packages_assets(spy, french_pdf):
    assert spy.requested  # the first render loaded fonts and ornaments...
    assets = spy.assets_dir.as_uri() + "/"
    # ...from assets/ only, besides the QR code, an image made in memory (a data: URL)
    assert all(url.startswith((assets, "data:image/png;base64,")) for url in spy.requested)


def test_a_logo_referring_to_local_files_or_the_network_gets_nothing(renderer, spy, caplog):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<image href="file:///etc/passwd" width="10" height="10"/>'
        '<image href="http://example.com/logo.png" width="10" height="10"/>'
        '<rect width="20" height="20" fill="#b08a3e"/></svg>'
    )
    from urllib.parse import quote

    logo = "data:image/svg+xml," + quote(svg)
    pdf = renderer.render(sample_snapshot(logos=[logo]))
    assert "file:///etc/passwd" in spy.refused
    assert "http://example.com/logo.png" in spy.refused
    assert "Refused to fetch" in caplog.text  # WeasyPrint logs the refusal and goes on
    assert LATIN_NAME in text_of(pdf)


@pytest.mark.parametrize(
    "logo",
    ["file:///etc/passwd", "https://example.com/logo.png", "data:text/html,<b>x</b>", None],
)
def test_a_logo_must_be_an_image_data_url(renderer, logo):
    with pytest.raises(CertificateRenderError, match="data: URL"):
        renderer.render(sample_snapshot(logos=[logo]))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "file://remote.example.org/share/x.ttf",
        "http://example.com/font.ttf",
        "https://example.com/x.css",
        "ftp://example.com/x.png",
        "FILE:///etc/passwd",
        "gopher://example.com/",
        "certificate.css",  # relative: never resolved against the working directory
    ],
)
def test_the_fetcher_refuses_anything_outside_the_assets(url):
    with pytest.raises(RefusedURL):
        RestrictedURLFetcher().fetch(url)


def test_the_fetcher_resolves_dot_dot_and_symlinks_before_checking(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "ok.css").write_text("p {}")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (assets / "link.txt").symlink_to(secret)
    fetcher = RestrictedURLFetcher(assets)
    assert fetcher.fetch((assets / "ok.css").as_uri()).read() == b"p {}"
    for url in (
        (assets / "link.txt").as_uri(),
        assets.as_uri() + "/../secret.txt",
        assets.as_uri() + "/%2e%2e/secret.txt",
        assets.as_uri(),  # the folder itself
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_the_fetcher_serves_data_urls_and_shipped_fonts():
    fetcher = RestrictedURLFetcher()
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    font = fetcher.fetch((fetcher.assets_dir / "fonts" / "NotoNaskhArabic-Regular.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"


# --- signed data, PDF/A, metadata --------------------------------------------------------------


def test_the_signed_snapshot_is_embedded_and_verifies(renderer, tmp_path):
    folder = tmp_path / "keys"
    snapshot = sample_snapshot(key_id=signing.ensure_key(folder))
    key_id, signature = signing.sign(folder, snapshot)
    attachment = signing.envelope_bytes(snapshot, key_id, signature)
    pdf = renderer.render(snapshot, attachment=attachment)
    embedded = pdfcheck.read_attachment(pdf)
    assert embedded == json.loads(attachment)
    assert embedded["snapshot"] == snapshot
    assert signing.verify(folder, embedded["snapshot"], embedded["key_id"], embedded["signature"])


def test_it_is_pdf_a_3b_with_the_attachment_declared(renderer):
    pdf = renderer.render(sample_snapshot(), attachment=b'{"snapshot": {}}')
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    files = [reference.get_object() for reference in root["/AF"]]
    assert [(f["/UF"], f["/AFRelationship"]) for f in files] == [("certificate.json", "/Data")]
    embedded = files[0]["/EF"]["/F"].get_object()
    assert (
        embedded["/Subtype"] == "/application#2Fjson" or embedded["/Subtype"] == "/application/json"
    )


def test_metadata_title_author_language_and_dates(french_pdf):
    reader = PdfReader(io.BytesIO(french_pdf))
    assert reader.metadata.title == f"Certificat {SERIAL} — {LATIN_NAME}"
    assert reader.metadata.author == "Académie citoyenne"
    assert reader.metadata["/CreationDate"] == "D:20261125170000Z"
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_the_same_snapshot_renders_to_the_same_bytes(renderer):
    attachment = b'{"snapshot": {}}'
    assert renderer.render(sample_snapshot(), attachment) == renderer.render(
        sample_snapshot(), attachment
    )


def test_a_plain_pdf_can_be_asked_for(renderer):
    pdf = renderer.render(sample_snapshot(), pdf_variant=None)
    assert PdfReader(io.BytesIO(pdf)).xmp_metadata is None
    assert LATIN_NAME in text_of(pdf)


# --- errors and the warm renderer --------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"template": "fancy"}, "Unknown certificate template"),
        ({"languages": ["de"]}, "Unsupported certificate languages"),
        ({"languages": []}, "one or two languages"),
        ({"learner": {}}, "learner.name"),
        ({"wording": {"fr": "a suivi"}}, "wording in ar"),
        ({"issued_at": "yesterday"}, "issuance date"),
        ({"completed_on": "20/11/2026"}, "Invalid date"),
        ({"scores": {"quiz_average": "86"}}, "invalid scores.quiz_average"),
        ({"course": {"titles": {"fr": "x", "ar": "y"}, "hours": -1}}, "invalid course.hours"),
    ],
)
def test_a_snapshot_that_cannot_be_printed_is_refused_clearly(renderer, changes, message):
    with pytest.raises(CertificateRenderError, match=message):
        renderer.render(sample_snapshot(**changes))


def test_the_process_keeps_one_warm_renderer():
    assert get_renderer() is get_renderer()


def test_renders_from_several_threads_do_not_mix(renderer):
    names = [f"Learner {number}" for number in range(4)]
    results: dict[str, bytes] = {}

    def render(name):
        results[name] = renderer.render(sample_snapshot(learner_name=name))

    threads = [threading.Thread(target=render, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in names:
        assert name in text_of(results[name])


def test_caller_supplied_images_are_not_kept_between_renders(renderer):
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    renderer.render(sample_snapshot(logos=[pixel]))
    assets = renderer.assets_dir.as_uri() + "/"
    assert all(str(key).startswith(assets) for key in renderer._image_cache)


# --- the shortcuts into WeasyPrint (render.CertificateHTML) ------------------------------------


@pytest.mark.parametrize("name", [LATIN_NAME, ARABIC_NAME, "Omar بن علي Chakiri", *HOSTILE_NAMES])
def test_the_default_template_writes_well_formed_xhtml(renderer, name):
    """So that it is read by the fast XML parser, whatever the learner is called."""
    root = ElementTree.fromstring(renderer.html(sample_snapshot(learner_name=name)))
    assert root.tag == "html"
    assert name in "".join(root.itertext())


def plain_page(markup: str, user_agent: str | None = None) -> str:
    """The text of ``markup`` rendered with our user-agent stylesheet, or with ``user_agent``."""
    renderer = get_renderer()
    stylesheet = renderer.user_agent_stylesheet if user_agent is None else CSS(string=user_agent)
    html = CertificateHTML(markup, renderer._assets_url, renderer.url_fetcher, stylesheet)
    return text_of(html.render().write_pdf())


def test_markup_that_is_not_xml_is_read_by_the_html5_parser():
    """A custom template may write HTML that is not well-formed XML (unclosed tags, entities)."""
    text = plain_page("<!DOCTYPE html><title>t</title><p>Tissa&nbsp;<b>Taounate<p>Azilal")
    assert squeezed(text) == squeezed("Tissa\u00a0Taounate Azilal")


def test_weasyprint_styles_certificates_with_our_user_agent_stylesheet():
    """If a WeasyPrint upgrade stopped reading ``_ua_stylesheets``, this fails."""
    markup = '<html><body><p class="a">Tissa</p><p class="b">Azilal</p></body></html>'
    assert "Tissa" in plain_page(markup, "html, body, p { display: block }")
    assert "Tissa" not in plain_page(
        markup, "html, body, p { display: block } .a { display: none }"
    )


# --- the vector ornaments (ornaments.py) -------------------------------------------------------


def page_image(pdf: bytes, tmp_path, dpi: int = 150):
    from PIL import Image

    path = tmp_path / "ornaments.pdf"
    path.write_bytes(pdf)
    command = ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(tmp_path / "o")]
    subprocess.run(command, check=True)
    return Image.open(tmp_path / "o.png").convert("RGB")


def colour_at(image, x_mm: float, y_mm: float) -> tuple[int, int, int]:
    """The colour at a point of the A4 landscape page, in millimetres from the top left."""
    return image.getpixel((round(x_mm / 297 * image.width), round(y_mm / 210 * image.height)))


def near(colour: tuple[int, int, int], hex_colour: str, tolerance: int = 40) -> bool:
    wanted = [int(hex_colour[index : index + 2], 16) for index in (1, 3, 5)]
    return all(abs(a - b) <= tolerance for a, b in zip(colour, wanted, strict=True))


@needs_poppler
@pytest.mark.parametrize("languages", [["fr", "ar"], ["ar", "fr"]])
def test_the_frame_is_drawn_under_the_text_where_the_template_puts_it(
    renderer, tmp_path, languages
):
    image = page_image(renderer.render(sample_snapshot(languages=languages)), tmp_path)
    assert near(colour_at(image, 60, 60), ornaments.PAPER, 3)  # the paper, not white
    assert near(colour_at(image, 8.4, 105), ornaments.NAVY)  # the outer border, left...
    assert near(colour_at(image, 297 - 8.4, 105), ornaments.NAVY)  # ...and right
    assert near(colour_at(image, 9, 9), ornaments.NAVY)  # the diamond in a corner
    # The QR code's quiet zone is white, on the right of a French page and the left of an
    # Arabic one (the QR code itself decodes: test_the_qr_code_opens_the_verify_page).
    qr_x = 22 + 253 - 30 + 1 if languages[0] == "fr" else 22 + 1
    assert near(colour_at(image, qr_x, 210 - 16 - 1), ornaments.WHITE, 3)


def test_the_ornaments_are_vector_paths_in_their_boxes():
    box = ornaments.Box.from_css(0, 0, 120 / 0.2645833, 4 / 0.2645833, page_height=595.28)
    drawing = ornaments.operators([("rule", box, None)]).decode()
    assert drawing.startswith("q\n") and drawing.endswith("\nQ")
    lines = drawing.splitlines()
    assert not [line for line in lines if line.endswith(" re")] and "f" in lines
    assert len([line for line in lines if line.endswith(" m")]) == 4
    # A box laid out at the top of the page is drawn at the top of the PDF page (y up).
    assert all(float(line.split()[1]) > 580 for line in drawing.splitlines() if line.endswith(" m"))


def test_a_qr_code_is_one_filled_path_of_its_dark_modules():
    import segno

    code = segno.make(VERIFY_URL, error="m", micro=False, mask=2)
    drawing = ornaments.operators([("qr", ornaments.Box(0, 0, 85, 85), code)]).decode()
    runs = sum(
        1
        for row in code.matrix
        for index, dark in enumerate(row)
        if dark and (index == 0 or not row[index - 1])
    )
    assert drawing.count(" re") == runs + 1  # the white square, then one rectangle per run
    assert drawing.count("\nf") == 2  # the white square, then all the modules at once


def test_a_template_asking_for_an_unknown_ornament_is_refused(renderer):
    html = '<html><body><div data-ornament="sparkles" style="height: 10px"></div></body></html>'
    document = CertificateHTML(
        html, renderer._assets_url, renderer.url_fetcher, renderer.user_agent_stylesheet
    ).render()
    with pytest.raises(CertificateRenderError, match="sparkles"):
        placed_ornaments(document.pages[0], {})


def test_every_stream_is_compressed_once(renderer, monkeypatch):
    """pydyf would serialise and compress each stream a second time to hash the file id."""
    calls = []
    compress = zlib.compress
    monkeypatch.setattr(zlib, "compress", lambda data: calls.append(data) or compress(data))
    pdf = renderer.render(sample_snapshot())
    assert calls and len(calls) == len(set(calls))
    assert pdf.count(b"/FlateDecode") >= len(calls)
    assert text_of(pdf)  # and the file reads back


# --- two layers: the static one laid out once per course (layers.py) ---------------------------


def rgba_logo() -> str:
    import base64

    from PIL import Image

    image = Image.new("RGBA", (40, 20), (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (5, 5, 35, 15))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@needs_poppler
@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"learner_name": ARABIC_NAME, "languages": ["ar", "fr"]},
        {"learner_name": "Omar بن علي Chakiri", "logos": "rgba"},
        {"languages": ["en"], "expires_on": "2028-11-20", "scores": {"quiz_average": 91}},
    ],
    ids=["french", "arabic-first", "logos", "english-alone"],
)
def test_the_stamped_layers_look_exactly_like_the_certificate_laid_out_in_one_piece(
    renderer, tmp_path, changes
):
    from PIL import ImageChops

    if changes.get("logos") == "rgba":
        changes = {**changes, "logos": [rgba_logo()]}
    snapshot = sample_snapshot(**changes)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    layered = page_image(renderer.render(snapshot), tmp_path / "a", dpi=100)
    whole = page_image(renderer.render_in_one_piece(snapshot), tmp_path / "b", dpi=100)
    assert ImageChops.difference(layered, whole).getbbox() is None


def test_the_static_layer_holds_nothing_of_the_learner(renderer):
    snapshot = sample_snapshot(learner_name="Zineb Ouazzani")
    static = renderer.html(snapshot, layer="static")
    for learner_data in ("Zineb", SERIAL, "/verify/", "novembre 2026", "86\u202f%"):
        assert learner_data not in static
    dynamic = renderer.html(snapshot, layer="dynamic")
    assert "Zineb Ouazzani" in dynamic and SERIAL in dynamic
    assert "problèmes publics</p>" not in dynamic  # the course is printed by the static layer


def test_the_static_layer_is_laid_out_once_per_course_and_design(monkeypatch):
    renderer = CertificateRenderer()
    layouts = []
    layout = renderer._layout
    monkeypatch.setattr(renderer, "_layout", lambda *args: layouts.append(1) or layout(*args))
    for name in ("Salma Benali", "Omar Chakiri", "Youssef Amrani"):
        assert squeezed(name) in squeezed(
            text_of(renderer.render(sample_snapshot(learner_name=name)))
        )
    assert len(layouts) == 1 + 3  # one static layer, three dynamic ones
    other_course = sample_snapshot()
    other_course["course"]["titles"]["fr"] = "Diriger une association de quartier"
    text = text_of(renderer.render(other_course))
    assert "Diriger une association de quartier" in text and len(layouts) == 2 + 4
    assert "Résoudre" not in text


def test_static_layers_are_forgotten_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(render_module, "STATIC_LAYERS_KEPT", 2)
    renderer = CertificateRenderer()
    for hours in (10, 20, 30):
        snapshot = sample_snapshot()
        snapshot["course"]["titles"]["fr"] = f"Masterclass de {hours} heures"
        renderer.render(snapshot)
    assert len(renderer._static_layers) == 2
