"""Reading a CSV of answers gathered elsewhere (paper forms typed into a spreadsheet, a phone
round, a radio call-in) into rows a member checks before they are written.

Columns, found by their header in French, English or Arabic: the channel, the commune, the date,
then one column per question, headed ``Q1``, ``Q2``... (or the question's text). A choice is
written as its text (in any of the consultation's languages), its number (1, 2...) or its key;
several choices of a multiple-choice question are separated by ``|``; a scale answer is 1 to 5.
Files are read as the roster import reads them (UTF-8 with or without BOM, UTF-16, Windows-1252;
semicolons, commas or tabs). Row numbers are the spreadsheet's own (the header is row 1).

A file that cannot be read at all raises ``AnswersFileError`` (every problem named); a bad row
does not: it keeps its errors, the preview names each, and the import cannot be confirmed until
the file is fixed — nothing is ever half imported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime

from flask_babel import gettext as _

from lms.cohorts.roster import RosterFileError, decode
from lms.errors import InvalidInput

from .answers import check
from .csv_export import csv_writer
from .models import COMMUNE_MAX, LANGUAGES, OFFLINE_CHANNELS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
SEPARATOR = "|"

CHANNEL_HEADERS = {"channel", "canal", "moyen", "source", "القناة", "الوسيلة"}
COMMUNE_HEADERS = {"commune", "municipality", "lieu", "place", "الجماعة", "المكان"}
DATE_HEADERS = {"date", "day", "jour", "التاريخ", "اليوم"}

CHANNEL_VALUES = {
    "inperson": "in_person", "enpersonne": "in_person", "facetoface": "in_person",
    "faceaface": "in_person", "presentiel": "in_person", "حضوري": "in_person", "مباشر": "in_person",
    "paper": "paper", "papier": "paper", "ورقي": "paper", "ورق": "paper", "استمارة": "paper",
    "phone": "phone", "telephone": "phone", "tel": "phone", "هاتف": "phone", "الهاتف": "phone",
    "whatsapp": "whatsapp", "واتساب": "whatsapp", "واتس": "whatsapp",
    "radio": "radio", "radiolocale": "radio", "localradio": "radio", "إذاعة": "radio",
    "الإذاعة": "radio", "اذاعة": "radio",
}  # fmt: skip
ONLINE_VALUES = {"online", "enligne", "internet", "web", "عبرالإنترنت", "انترنت", "الإنترنت"}


class AnswersFileError(InvalidInput):
    """The file cannot be read as answers; ``problems`` lists each reason (with its row)."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def normal(text: str) -> str:
    """Lower case without accents, spaces, dashes, underscores or dots (headers and values)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    kept = (c for c in decomposed if not unicodedata.combining(c) and c not in " -_.'’\u200f\u200e")
    return "".join(kept)


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(header: list[str], questions) -> dict[str, int]:
    """Which column holds what: "channel", "commune", "date" and each question's id."""
    columns: dict[str, int] = {}
    by_number = {f"q{n}": q.id for n, q in enumerate(questions, start=1)}
    by_number.update({str(n): q.id for n, q in enumerate(questions, start=1)})
    by_text = {normal(q.prompts.get(code, "")): q.id for q in questions for code in LANGUAGES}
    by_text.pop("", None)
    for index, title in enumerate(header):
        key = normal(title)
        for role, names in (
            ("channel", CHANNEL_HEADERS),
            ("commune", COMMUNE_HEADERS),
            ("date", DATE_HEADERS),
        ):
            if key in names and role not in columns:
                columns[role] = index
        question_id = by_number.get(key) or by_text.get(key)
        if question_id is not None and str(question_id) not in columns:
            columns[str(question_id)] = index
    found = ", ".join(f"« {title.strip()} »" for title in header if title.strip()) or "—"
    problems = []
    for role, name in (("channel", "canal"), ("commune", "commune"), ("date", "date")):
        if role not in columns:
            problems.append(
                _("Row 1: no column “%(name)s” (found: %(found)s).", name=name, found=found)
            )
    if not any(str(q.id) in columns for q in questions):
        problems.append(
            _(
                "Row 1: no column for the questions (name them Q1, Q2…; found: %(found)s).",
                found=found,
            )  # fmt: skip
        )
    if problems:
        raise AnswersFileError(problems)
    return columns


def _cell(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return " ".join(values[index].split())


def parse_date(text: str) -> date | None:
    """2026-03-14, 14/03/2026 or 14-03-2026 (day first, as French and Arabic spreadsheets)."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def channel_of(text: str) -> str | None:
    key = normal(text)
    if key in OFFLINE_CHANNELS:
        return key
    return CHANNEL_VALUES.get(key)


def _choice_keys(question, cell: str) -> list[str]:
    """The keys a cell names (unknown values are kept as written, for the error message)."""
    if not cell:
        return []
    if question.kind == "text":
        return [cell]
    parts = (
        [p.strip() for p in re.split(r"\s*\|\s*", cell)] if question.kind == "multiple" else [cell]
    )
    texts = {}
    for number, choice in enumerate(question.choices, start=1):
        texts[normal(choice["key"])] = choice["key"]
        texts[str(number)] = choice["key"]
        for code in LANGUAGES:
            if choice.get("texts", {}).get(code):
                texts[normal(choice["texts"][code])] = choice["key"]
    keys = []
    for part in parts:
        if not part:
            continue
        keys.append(part if question.kind == "scale" else texts.get(normal(part), part))
    return keys


def _row(number: int, values: list[str], columns: dict[str, int], questions,
         today: date) -> dict:  # fmt: skip
    errors: list[str] = []
    channel_text = _cell(values, columns["channel"])
    channel = channel_of(channel_text)
    if not channel_text:
        errors.append(_("the channel is missing"))
    elif channel is None:
        if normal(channel_text) in ONLINE_VALUES:
            errors.append(_("online answers come from the consultation's public page only"))
        else:
            errors.append(_("unknown channel “%(value)s” (paper, in person, phone, WhatsApp or "
                            "radio)", value=channel_text[:40]))  # fmt: skip
    commune = _cell(values, columns["commune"])
    if not commune:
        errors.append(_("the commune is missing"))
    elif len(commune) > COMMUNE_MAX:
        errors.append(_("the commune is longer than %(n)d characters", n=COMMUNE_MAX))
    date_text = _cell(values, columns["date"])
    answered_on = parse_date(date_text) if date_text else None
    if not date_text:
        errors.append(_("the date is missing"))
    elif answered_on is None:
        errors.append(_("“%(value)s” is not a date (write 2026-03-14 or 14/03/2026)",
                        value=date_text[:20]))  # fmt: skip
    elif answered_on > today:
        errors.append(_("the date %(date)s is in the future", date=answered_on.isoformat()))
    sent = {q.id: _choice_keys(q, _cell(values, columns.get(str(q.id)))) for q in questions}
    read = check(questions, sent)
    for position, question in enumerate(questions, start=1):
        if question.id in read.errors:
            errors.append(f"Q{position}: {read.errors[question.id]}")
    if read.general:
        errors.append(read.general)
    return {
        "row": number,
        "channel": channel,
        "commune": commune,
        "date": answered_on.isoformat() if answered_on else None,
        "values": [list(value) for value in read.values],
        "errors": errors,
    }


def parse_answers(data: bytes, questions, today: date) -> list[dict]:
    """Every data row of the file, each with its errors; ``AnswersFileError`` if unreadable."""
    if len(data) > MAX_BYTES:
        raise AnswersFileError([_("The file is larger than 2 MB. Split it into smaller files.")])
    try:
        text, _encoding = decode(data)
    except RosterFileError as error:
        raise AnswersFileError(error.problems) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    columns: dict[str, int] | None = None
    rows: list[dict] = []
    row_number = 0
    try:
        for row_number, values in enumerate(reader, start=1):
            if not any(value.strip() for value in values):
                continue
            if columns is None:
                columns = _columns(values, questions)
                continue
            if len(rows) >= MAX_ROWS:
                raise AnswersFileError(
                    [
                        _(
                            "Row %(row)d: the file has more than %(max)s answers. Split it into "
                            "smaller files.",
                            row=row_number,
                            max=f"{MAX_ROWS:,}",
                        )
                    ]  # fmt: skip
                )
            rows.append(_row(row_number, values, columns, questions, today))
    except csv.Error as error:
        raise AnswersFileError(
            [
                _(
                    "Row %(row)d: this line cannot be read as CSV (%(reason)s).",
                    row=row_number + 1,
                    reason=str(error),
                )
            ]  # fmt: skip
        ) from error
    if columns is None or not rows:
        raise AnswersFileError([_("The file has no answer rows under its header.")])
    return rows


def template_csv(questions, language: str) -> str:
    """A file to fill in: the header and one example row."""
    out, writer = csv_writer(language)
    header = [_("channel"), _("commune"), _("date")]
    header += [f"Q{n}" for n in range(1, len(questions) + 1)]
    writer.writerow(header)
    return out.getvalue()
