"""The project sheet: one A4 page, in French with Arabic, to hand to a commune or a funder.

Its headings are in both languages; its title in both (the project's title and its title in the
other language); what the circle wrote is shown as written, shortened so that the sheet always
fits one page. Rendered with WeasyPrint through the certificates' restricted URL fetcher (the
package's fonts and ``data:`` URLs only: a text typed by a member can never pull in a file or
reach the network). The QR code leads to the public page.
"""

from __future__ import annotations

import re

from flask import render_template, url_for
from flask_babel import force_locale
from weasyprint import HTML

from certificates.fetcher import ASSETS_DIR, RestrictedURLFetcher
from lms.circles.forms import ALLY_KIND_LABELS, OUTCOME_LABELS, STAGE_LABELS, THEME_LABELS
from lms.circles.models import STAGES, Project
from lms.cohorts.reports import qr_svg

ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: what the sheet shows at most, so that it stays one page whatever the circle wrote
LIMITS = {"text": 320, "tried": 420, "allies": 5, "indicators": 2, "questions": 2, "names": 12}


def is_arabic(text: str) -> bool:
    return bool(ARABIC.search(text or ""))


def bilingual_titles(project: Project) -> tuple[str, str]:
    """(the French title, the Arabic title), whichever of the two fields holds which."""
    first, second = project.title.strip(), project.second_title.strip()
    if is_arabic(first) and not is_arabic(second):
        return second, first
    return first, second


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


def filename(project: Project) -> str:
    return f"projet-{project.id}.pdf"


def _labels(language: str) -> dict[str, dict[str, str]]:
    """The stage, theme, kind and outcome names in ``language`` (the sheet shows fr and ar)."""
    with force_locale(language):
        return {
            "stage": {k: str(v) for k, v in STAGE_LABELS.items()},
            "theme": {k: str(v) for k, v in THEME_LABELS.items()},
            "kind": {k: str(v) for k, v in ALLY_KIND_LABELS.items()},
            "outcome": {k: str(v) for k, v in OUTCOME_LABELS.items()},
        }


def render_sheet(page) -> bytes:
    """``page``: the public page's data (``queries.public_page``)."""
    project = page.project
    link = url_for("lms_showcase.project_page", project_id=project.id, _external=True)
    questions = [
        (consultation, question)
        for consultation in page.consultations
        for question in consultation.questions
        if question.chart is not None and question.respondents
    ][: LIMITS["questions"]]
    markup = render_template(
        "lms/showcase/sheet_pdf.html", page=page, project=project,
        titles=bilingual_titles(project), link=link, qr=qr_svg(link),
        fonts=(ASSETS_DIR / "fonts").as_uri(), shorten=shorten, limits=LIMITS,
        questions=questions, is_arabic=is_arabic,
        answers=sum(c.total for c in page.consultations), fr=_labels("fr"), ar=_labels("ar"),
        stages=STAGES,
    )  # fmt: skip
    document = HTML(string=markup, base_url=ASSETS_DIR.as_uri() + "/",
                    url_fetcher=RestrictedURLFetcher())  # fmt: skip
    return document.write_pdf()
