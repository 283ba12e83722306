"""The consultation's A4 poster as a PDF, to print at a copy shop or hang in a youth centre:
its title in French and Arabic, the QR code of the public page and its short link.

Rendered with WeasyPrint through the certificates' restricted URL fetcher (the fonts shipped
with the package, ``data:`` URLs; never the network or another file), so a title typed by a
member can never pull in a local file. The QR code is segno's SVG, drawn inline.
"""

from __future__ import annotations

from flask import render_template
from weasyprint import HTML

from certificates.fetcher import ASSETS_DIR, RestrictedURLFetcher
from lms.cohorts.reports import qr_svg


def render_poster(consultation, link: str) -> bytes:
    markup = render_template(
        "lms/consultations/poster_pdf.html", consultation=consultation, link=link,
        qr=qr_svg(link), fonts=(ASSETS_DIR / "fonts").as_uri(),
    )  # fmt: skip
    document = HTML(string=markup, base_url=ASSETS_DIR.as_uri() + "/",
                    url_fetcher=RestrictedURLFetcher())  # fmt: skip
    return document.write_pdf()
