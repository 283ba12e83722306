"""Reading a roster CSV (name, e-mail, optional language) into rows a trainer can check, and
telling, for each row, what confirming would do (the read side of the import).

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
from sqlalchemy import select

from curriculum.db import db
from lms.errors import InvalidInput
from lms.learning.models import Enrolment
from lms.users.models import User

from .models import Cohort, cohort_trainers

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
        "other_trainer": _(
            "This person is in another trainer's cohort of this course: ask that trainer or an "
            "administrator to move them."
        ),
        "bad_language": _(
            "Unknown language « %(value)s » (use %(codes)s).",
            value=detail,
            codes=", ".join(languages),
        ),
    }
    return messages.get(code, _("This row cannot be imported."))


# -- what confirming would do -------------------------------------------------------------------


def _managed_among(actor: User | None, cohort_ids: set[int]) -> set[int]:
    """Those of ``cohort_ids`` that ``actor`` manages (one query, however many there are)."""
    if actor is None or actor.is_admin:
        return set(cohort_ids)
    if not cohort_ids:
        return set()
    statement = select(cohort_trainers.c.cohort_id).where(
        cohort_trainers.c.cohort_id.in_(sorted(cohort_ids)), cohort_trainers.c.user_id == actor.id
    )
    return set(db.session.scalars(statement))


#: the fate of a row: "error", "new" (an account is created), "enrol" (an existing account joins),
#: "move" (an existing account leaves another cohort of the course), "already" (nothing to do)
FATES = ("error", "new", "enrol", "move", "already")
CHUNK = 500  # keeps IN (...) lists well under every database's parameter limit


@dataclass
class RosterLine:
    row: int
    name: str
    email: str
    language: str | None
    fate: str
    error: str | None = None
    error_detail: object = None
    #: for "move": the cohort the learner leaves
    from_cohort: str | None = None
    #: for "enrol" and "move": the account already has an enrolment in the course (kept, with its
    #: progress: only its cohort changes)
    enrolled: bool = False


@dataclass
class RosterPreview:
    lines: list[RosterLine]
    #: existing accounts by lower-case e-mail
    users: dict[str, User]

    def count(self, fate: str) -> int:
        return sum(1 for line in self.lines if line.fate == fate)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def adding(self) -> int:
        """How many learners the cohort gains."""
        return sum(1 for line in self.lines if line.fate in ("new", "enrol", "move"))

    def listing(self) -> list[RosterLine]:
        """The rows as the preview lists them: those with an error first, each group in file order."""
        return sorted(self.lines, key=lambda line: (line.fate != "error", line.row))


def classify(cohort: Cohort, rows: list[dict], actor: User | None = None) -> RosterPreview:
    """Each row's fate against the accounts and enrolments as they are now (a few queries for
    the whole file: one per 500 addresses, whatever their fates).

    A learner in another cohort of the course moves only if ``actor`` manages that cohort too
    (an administrator, or one of its trainers); otherwise the row is an error that does not say
    which cohort it is.
    """
    keys = [row["email"].lower() for row in rows if not row.get("error")]
    users: dict[str, User] = {}
    for start in range(0, len(keys), CHUNK):
        for user in db.session.scalars(
            select(User).where(User.email_key.in_(keys[start : start + CHUNK]))
        ).unique():
            users[user.email_key] = user
    placed: dict[int, tuple[int | None, str | None]] = {}
    ids = [user.id for user in users.values()]
    for start in range(0, len(ids), CHUNK):
        statement = (
            select(Enrolment.user_id, Enrolment.cohort_id, Cohort.name)
            .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(
                Enrolment.course_id == cohort.course_id,
                Enrolment.user_id.in_(ids[start : start + CHUNK]),
            )
        )
        for user_id, cohort_id, cohort_name in db.session.execute(statement):
            placed[user_id] = (cohort_id, cohort_name)
    elsewhere = {where for where, _name in placed.values() if where not in (None, cohort.id)}
    movable = _managed_among(actor, elsewhere)
    lines = []
    for row in rows:
        line = RosterLine(
            row["row"],
            row["name"],
            row["email"],
            row.get("language"),
            "error",
            row.get("error"),
            row.get("error_detail"),
        )
        if not line.error:
            user = users.get(line.email.lower())
            where, where_name = placed.get(user.id, (None, None)) if user else (None, None)
            line.enrolled = user is not None and user.id in placed
            if user is None:
                line.fate = "new"
            elif where is None:
                line.fate = "enrol"
            elif where == cohort.id:
                line.fate = "already"
            elif where not in movable:
                line.fate, line.error = "error", "other_trainer"
            else:
                line.fate, line.from_cohort = "move", where_name
        lines.append(line)
    return RosterPreview(lines, users)
