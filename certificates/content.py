"""What a certificate prints, computed from its frozen snapshot alone.

:func:`certificate_context` turns a snapshot into the values the template prints: texts with
their language and direction, dates and numbers in the right locale, size classes for long
strings, the QR code. It checks the snapshot on the way, so a snapshot that cannot be printed
fails with a clear :class:`CertificateRenderError` before any layout starts.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import segno
from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import gettext as _

from lms.errors import InvalidInput

RTL_LANGUAGES = frozenset({"ar"})
#: Babel locale used for dates and numbers of each language (Moroccan Arabic month names).
BABEL_LOCALES = {"fr": "fr", "en": "en", "ar": "ar_MA"}
QR_COLOUR = "#1c2a43"
_LOGO_RE = re.compile(r"data:image/(png|jpeg|svg\+xml)[;,]", re.IGNORECASE)
MAX_LOGOS = 4
MAX_SIGNATORIES = 3
DATE_FACTS = frozenset({"completed_on", "expires_on"})
#: Widths of the fact columns, as in certificate.css (.fact-date, .fact-number).
FACT_WIDTHS_MM = {"date": 60, "number": 42}

#: The certificate's own wording, per language. Part of the template: changing it means a new
#: template version, since issued certificates are frozen.
LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "heading": "Certificat de réussite",
        "awarded_to": "Décerné à",
        "document": "Certificat",
        "completed_on": "Date de réussite",
        "duration": "Durée",
        "quiz_average": "Moyenne aux quiz",
        "attendance": "Assiduité",
        "expires_on": "Valable jusqu’au",
        "serial": "N° de certificat",
        "verify_at": "Authenticité vérifiable en scannant le code ou sur :",
        "project": "Projet",
    },
    "en": {
        "heading": "Certificate of Completion",
        "awarded_to": "Awarded to",
        "document": "Certificate",
        "completed_on": "Completed on",
        "duration": "Duration",
        "quiz_average": "Quiz average",
        "attendance": "Attendance",
        "expires_on": "Valid until",
        "serial": "Certificate no.",
        "verify_at": "Check it is genuine: scan the code or visit",
        "project": "Project",
    },
    "ar": {
        "heading": "شهادة إتمام",
        "awarded_to": "تُمنح هذه الشهادة إلى",
        "document": "شهادة",
        "completed_on": "تاريخ الإتمام",
        "duration": "المدة",
        "quiz_average": "معدل الاختبارات",
        "attendance": "الحضور",
        "expires_on": "صالحة إلى غاية",
        "serial": "رقم الشهادة",
        "verify_at": "للتحقق من صحتها: امسح الرمز أو زر",
        "project": "المشروع",
    },
}


class CertificateRenderError(InvalidInput):
    """A certificate cannot be rendered from this snapshot or with this template."""


def certificate_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Everything the template prints, computed from the snapshot alone.

    ``visual_*`` lists are in left-to-right display order: reversed when the main language is
    written right to left, so that it reads first from the right.
    """
    languages = _languages(snapshot)
    main = _lang(languages[0])
    course_titles = _field(snapshot, "course", "titles")
    wording = _field(snapshot, "wording")
    learner = _directed(_field(snapshot, "learner", "name"), main["dir"])
    serial = _text(_field(snapshot, "serial"))
    verify_url = _text(_field(snapshot, "verify_url"))
    columns = [
        {
            **_lang(language),
            "labels": LABELS[language],
            "wording": _text(_translation(wording, language, "wording")),
            "course_title": _text(_translation(course_titles, language, "course.titles")),
        }
        for language in languages
    ]
    facts = _facts(snapshot, languages)
    signatories = _signatories(snapshot, languages, main["dir"])
    in_visual_order = _reversed if main["dir"] == "rtl" else list
    return {
        "main": main,
        "columns": columns,
        "visual_columns": in_visual_order(columns),
        "facts": facts,
        "facts_width": sum(FACT_WIDTHS_MM[fact["kind"]] for fact in facts),
        "visual_facts": in_visual_order(facts),
        "visual_signatories": in_visual_order(signatories),
        "pdf_title": f"{LABELS[main['lang']]['document']} {serial} — {learner['text']}",
        "pdf_description": columns[0]["course_title"],
        "issued_at": issued_at(snapshot).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "issuer": _directed(_field(snapshot, "issuer", "name"), main["dir"]),
        "learner": learner,
        "name_size": _size(learner["text"], ((28, "xl"), (40, "l"), (60, "m"), (100, "s")), "xs"),
        "course_size": _size(
            max((column["course_title"] for column in columns), key=len),
            ((50, "l"), (90, "m")),
            "s",
        ),
        "signatories": signatories,
        # the circle's project (a course whose rule asks for a project stage); its title is
        # written by the learners, in whatever language and script they chose
        "project": _text(snapshot["project"]["title"]) if snapshot.get("project") else "",
        "logos": _logos(snapshot),
        "serial": serial,
        "verify_url_display": re.sub(r"^https?://", "", verify_url),
        # Drawn as vector modules by ornaments.qr. Mask 2 is fixed: choosing the best of the
        # eight costs ~8 ms a certificate, and scanners read any of them (tested with zxing).
        "qr": segno.make(verify_url, error="m", micro=False, mask=2),
    }


def _facts(snapshot: dict[str, Any], languages: list[str]) -> list[dict[str, Any]]:
    main = languages[0]
    facts = [("completed_on", _long_date(_field(snapshot, "completed_on"), main))]
    hours = _quantity(snapshot["course"].get("hours"), "course.hours")
    if hours:
        facts.append(("duration", _hours(hours, main)))
    scores = snapshot.get("scores") or {}
    for key in ("quiz_average", "attendance"):
        score = _quantity(scores.get(key), f"scores.{key}")
        if score is not None:
            facts.append((key, _percent(score, main)))
    if snapshot.get("expires_on"):
        facts.append(("expires_on", _long_date(snapshot["expires_on"], main)))
    return [
        {
            "value": value,
            "kind": "date" if key in DATE_FACTS else "number",
            "labels": [{**_lang(lang), "text": LABELS[lang][key]} for lang in languages],
        }
        for key, value in facts
    ]


def _signatories(
    snapshot: dict[str, Any], languages: list[str], default_dir: str
) -> list[dict[str, Any]]:
    signatories = []
    for signatory in (snapshot.get("signatories") or [])[:MAX_SIGNATORIES]:
        titles = signatory.get("title") or {}
        titles_printed = [
            {**_lang(lang), "text": _text(titles[lang])} for lang in languages if titles.get(lang)
        ]
        signatories.append(
            {**_directed(signatory.get("name", ""), default_dir), "titles": titles_printed}
        )
    return signatories


def _logos(snapshot: dict[str, Any]) -> list[str]:
    logos = list(snapshot.get("logos") or [])
    for logo in logos:
        if not (isinstance(logo, str) and _LOGO_RE.match(logo)):
            raise CertificateRenderError(
                _("A certificate logo must be a data: URL of a PNG, JPEG or SVG image.")
            )
    return logos[:MAX_LOGOS]


def _languages(snapshot: dict[str, Any]) -> list[str]:
    languages = _field(snapshot, "languages")
    if not isinstance(languages, list) or not 1 <= len(languages) <= 2:
        raise CertificateRenderError(_("A certificate is printed in one or two languages."))
    unknown = [lang for lang in languages if lang not in LABELS]
    if unknown or len(set(languages)) != len(languages):
        raise CertificateRenderError(
            _(
                "Unsupported certificate languages: %(languages)s",
                languages=", ".join(map(str, languages)),
            )
        )
    return languages


def _field(snapshot: dict[str, Any], *path: str) -> Any:
    value: Any = snapshot
    for key in path:
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            raise CertificateRenderError(
                _("The certificate snapshot has no %(field)s.", field=".".join(path))
            )
        value = value[key]
    return value


def _translation(values: Any, language: str, field: str) -> str:
    if not isinstance(values, dict) or not values.get(language):
        raise CertificateRenderError(
            _(
                "The certificate snapshot has no %(field)s in %(language)s.",
                field=field,
                language=language,
            )
        )
    return values[language]


def _text(value: Any) -> str:
    """A printable single-line string: NFC, control characters dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n")
    return " ".join(text.split())


def _lang(language: str) -> dict[str, str]:
    return {"lang": language, "dir": "rtl" if language in RTL_LANGUAGES else "ltr"}


def _directed(value: Any, default_dir: str) -> dict[str, str]:
    """Text with its base direction, taken from its first strong character like HTML's
    ``dir=auto`` (which WeasyPrint does not implement): "Fatima الزهراء" is left to right."""
    text = _text(value)
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return {"text": text, "dir": "ltr"}
        if kind in ("R", "AL"):
            return {"text": text, "dir": "rtl"}
    return {"text": text, "dir": default_dir}


def _size(text: str, limits: tuple[tuple[int, str], ...], smallest: str) -> str:
    """A size class for ``text``, so that long strings still fit in their box."""
    for limit, size in limits:
        if len(text) <= limit:
            return size
    return smallest


def _reversed(items: list) -> list:
    return items[::-1]


def issued_at(snapshot: dict[str, Any]) -> datetime:
    try:
        issued_at = datetime.fromisoformat(_field(snapshot, "issued_at"))
    except (TypeError, ValueError) as error:
        raise CertificateRenderError(
            _("The certificate issuance date is not a valid date.")
        ) from error
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=UTC)
    return issued_at.astimezone(UTC)


def _long_date(value: Any, language: str) -> str:
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise CertificateRenderError(
            _("Invalid date on a certificate: %(value)s", value=str(value))
        ) from error
    return format_date(day, "d MMMM y", locale=BABEL_LOCALES[language])


def _quantity(value: Any, field: str) -> float | None:
    """A number printed on the certificate (hours, a score), or None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 10_000:
        raise CertificateRenderError(
            _("The certificate snapshot has an invalid %(field)s.", field=field)
        )
    return value


def _number(value: float, language: str) -> str:
    if float(value).is_integer():
        value = int(value)
    return format_decimal(value, format="#,##0.#", locale=BABEL_LOCALES[language])


def _hours(hours: float, language: str) -> str:
    number = _number(hours, language)
    if language == "fr":
        return f"{number} heure" if hours < 2 else f"{number} heures"
    if language == "ar":
        if hours == 1:
            return "ساعة واحدة"
        if hours == 2:
            return "ساعتان"
        return (
            f"{number} ساعات"
            if 3 <= hours <= 10 and float(hours).is_integer()
            else f"{number} ساعة"
        )
    return f"{number} hour" if hours == 1 else f"{number} hours"


def _percent(value: float, language: str) -> str:
    # French puts a narrow no-break space before the sign; in Arabic a space would let the
    # bidi algorithm detach the sign from the number.
    separator = "\u202f" if language == "fr" else ""
    return f"{_number(value, language)}{separator}%"
