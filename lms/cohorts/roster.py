"""Reading a roster CSV (name, e-mail, optional language) into rows a trainer can check (what
confirming each row would do is in ``roster_preview``).

Trainers export their lists from Excel or LibreOffice, so this accepts what those write: UTF-8
with or without a byte-order mark, UTF-16 ("Unicode text"), Windows-1252 (older Excel in French),
semicolons (Excel in a French locale) as well as commas and tabs, and column headers in French,
English or Arabic. Row numbers are the spreadsheet's own (the header is row 1), so "row 7" is the
row the trainer sees in Excel.

The file as a whole is refused (``RosterFileError``, every problem with its row number) when it is
not a CSV, is too large or lacks a needed column; a bad row does not refuse the file: it is kept
with an error code, shown in the preview and blocks the confirmation.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from lms.errors import InvalidInput

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
NAME_MAX = 200

# Header names, compared without case, accents, spaces, dashes or underscores.
NAME_HEADERS = {
    "name",
    "nom",
    "nomcomplet",
    "fullname",
    "nometprenom",
    "prenometnom",
    "الاسم",
    "الاسمالكامل",
}
FIRST_NAME_HEADERS = {"prenom", "firstname", "givenname", "الاسمالشخصي"}
LAST_NAME_HEADERS = {"lastname", "surname", "familyname", "nomdefamille", "النسب", "اسمالعائلة"}
EMAIL_HEADERS = {
    "email", "mail", "courriel", "adresseemail", "adressemail", "emailaddress",
    "adresseelectronique", "adressecourriel", "البريدالالكتروني", "البريدالإلكتروني", "البريد",
}  # fmt: skip
LANGUAGE_HEADERS = {"langue", "language", "lang", "اللغة"}

LANGUAGE_VALUES = {
    "fr": "fr", "francais": "fr", "french": "fr", "الفرنسية": "fr",
    "en": "en", "anglais": "en", "english": "en", "الإنجليزية": "en", "الانجليزية": "en",
    "ar": "ar", "arabe": "ar", "arabic": "ar", "العربية": "ar",
}  # fmt: skip


class RosterFileError(InvalidInput):
    """The file cannot be read as a roster; ``problems`` lists each reason (with its row)."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass
class ParsedRoster:
    #: {"row", "name", "email", "language", "error", "error_detail"}; error is a code or None
    rows: list[dict] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"


def _key(text: str) -> str:
    """Lower case without accents, spaces, dashes, underscores or dots (for headers and values)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    kept = (c for c in decomposed if not unicodedata.combining(c) and c not in " -_.'’\u200f\u200e")
    return "".join(kept)


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if not data.strip():
        raise RosterFileError([_("The file is empty.")])
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            [
                _(
                    "This is an Excel workbook, not a CSV file. In Excel, use “Save as” and choose “CSV”."
                )
            ]
        )
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = [("utf-16", data)]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8", data[len(codecs.BOM_UTF8) :])]
    else:
        candidates = [("utf-8", data), ("cp1252", data)]
    for encoding, payload in candidates:
        try:
            text = payload.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, encoding
    raise RosterFileError([_("This file is not a CSV text file.")])


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(header: list[str]) -> dict[str, int]:
    """Which column holds what, from the header row (row 1)."""
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _key(title)
        for role, names in (
            ("name", NAME_HEADERS),
            ("first", FIRST_NAME_HEADERS),
            ("last", LAST_NAME_HEADERS),
            ("email", EMAIL_HEADERS),
            ("language", LANGUAGE_HEADERS),
        ):
            if key in names and role not in columns:
                columns[role] = index
    if "name" not in columns and "last" in columns:  # "Prénom" + "Nom de famille"
        columns["name"] = columns.pop("last")
    problems = []
    found = ", ".join(f"« {title.strip()} »" for title in header if title.strip()) or "—"
    if "email" not in columns:
        problems.append(
            _(
                "Row 1: no column for the e-mail address (name it “e-mail” or “courriel”; found: %(found)s).",
                found=found,
            )
        )
    if "name" not in columns and "first" not in columns:
        problems.append(
            _(
                "Row 1: no column for the name (name it “nom” or “name”; found: %(found)s).",
                found=found,
            )
        )
    if problems:
        raise RosterFileError(problems)
    return columns


def _cell(values: list[str], index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    return " ".join(values[index].split())  # inner line breaks and runs of spaces → one space


def _language(value: str, allowed: list[str]) -> str | None:
    code = LANGUAGE_VALUES.get(_key(value)) if value else None
    return code if code in allowed else None


def parse_roster(data: bytes, languages: list[str]) -> ParsedRoster:
    """Every data row of the file with its error (if any); ``RosterFileError`` if unreadable."""
    if len(data) > MAX_BYTES:
        raise RosterFileError([_("The file is larger than 2 MB. Split it into smaller files.")])
    text, encoding = decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    parsed = ParsedRoster(delimiter=delimiter, encoding=encoding)
    columns: dict[str, int] | None = None
    first_row_of: dict[str, int] = {}
    data_rows = 0
    row_number = 0
    try:
        for row_number, values in enumerate(reader, start=1):
            if not any(value.strip() for value in values):
                continue  # an empty line (Excel keeps them): nothing to import
            if columns is None:
                columns = _columns(values)
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise RosterFileError(
                    [
                        _(
                            "Row %(row)d: the file has more than %(max)s learners. Split it into smaller files.",
                            row=row_number,
                            max=f"{MAX_ROWS:,}",
                        )
                    ]
                )
            parsed.rows.append(_row(row_number, values, columns, languages, first_row_of))
    except csv.Error as error:
        raise RosterFileError(
            [
                _(
                    "Row %(row)d: this line cannot be read as CSV (%(reason)s).",
                    row=row_number + 1,
                    reason=str(error),
                )
            ]
        ) from error
    if columns is None or not parsed.rows:
        raise RosterFileError([_("The file has no learner rows under its header.")])
    return parsed


def _row(
    number: int,
    values: list[str],
    columns: dict[str, int],
    languages: list[str],
    first_row_of: dict[str, int],
) -> dict:
    name = _cell(values, columns.get("name"))
    if "first" in columns:
        name = " ".join(part for part in (_cell(values, columns["first"]), name) if part)
    email = _cell(values, columns["email"]).replace(" ", "")
    language_text = _cell(values, columns.get("language"))
    row = {
        "row": number,
        "name": name,
        "email": email,
        "language": None,
        "error": None,
        "error_detail": None,
    }
    key = email.lower()
    if not name:
        row["error"] = "missing_name"
    elif len(name) > NAME_MAX:
        row["error"] = "name_too_long"
    elif not email:
        row["error"] = "missing_email"
    elif not _valid_email(email):
        row["error"] = "bad_email"
    elif key in first_row_of:
        row["error"], row["error_detail"] = "duplicate", first_row_of[key]
    elif language_text and _language(language_text, languages) is None:
        row["error"], row["error_detail"] = "bad_language", language_text
    else:
        row["language"] = _language(language_text, languages)
    if email and key not in first_row_of and row["error"] not in ("bad_email", "missing_email"):
        first_row_of[key] = number
    return row


@dataclass
class ExternalMember:
    """A member of a roster another system sends (an LTI platform's course), not a file."""

    name: str
    email: str
    #: the address an account gets when ``email`` is missing, unusable or another member's: it
    #: ends in ``.invalid``, nobody can register it and nothing is ever mailed to it
    placeholder: str
    #: what the source records for an account the import creates (opaque here)
    link: dict


def external_rows(members: list[ExternalMember]) -> list[dict]:
    """The rows of such a roster, checked as a file's are, except that nothing blocks it: a
    member without a usable e-mail of their own gets the placeholder (``no_email``)."""
    rows, seen = [], set()
    for number, member in enumerate(members, start=1):
        email = member.email.strip()
        no_email = not email or not _valid_email(email) or email.lower() in seen
        if no_email:
            email = member.placeholder
        seen.add(email.lower())
        name = " ".join(member.name.split())[:NAME_MAX]
        rows.append({"row": number, "name": name, "email": email, "language": None,
                     "error": None if name else "missing_name", "error_detail": None,
                     "no_email": no_email, "link": member.link})  # fmt: skip
    return rows


def _valid_email(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return len(email) <= 254


def row_error_message(row: dict, languages: list[str]) -> str:
    """The reason a row cannot be imported, in the reader's language."""
    code, detail = row.get("error"), row.get("error_detail")
    messages = {
        "missing_name": _("The name is missing."),
        "name_too_long": _("The name is longer than %(n)d characters.", n=NAME_MAX),
        "missing_email": _("The e-mail address is missing."),
        "bad_email": _(
            "The e-mail address « %(email)s » is not valid.", email=row.get("email", "")
        ),
        "duplicate": _("Same e-mail address as row %(row)s.", row=detail),
        "bad_language": _(
            "Unknown language « %(value)s » (use %(codes)s).",
            value=detail,
            codes=", ".join(languages),
        ),
    }
    return messages.get(code, _("This row cannot be imported."))
