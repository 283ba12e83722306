"""Roster files as trainers really export them: Excel in French (semicolons, Windows-1252 or UTF-8
with a byte-order mark), LibreOffice (commas), headers in French, English or Arabic — and files
that must be refused as a whole, each problem named with its row number."""

from __future__ import annotations

import codecs

import pytest

from lms.cohorts.roster import MAX_ROWS, RosterFileError, parse_roster, row_error_message

LANGUAGES = ["fr", "en", "ar"]


@pytest.fixture(autouse=True)
def in_english(app):
    """The messages are checked in English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def parse(data: bytes):
    return parse_roster(data, LANGUAGES)


def people(parsed) -> list[tuple]:
    return [
        (row["row"], row["name"], row["email"], row["language"], row["error"])
        for row in parsed.rows
    ]


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (
            codecs.BOM_UTF8
            + "Nom;Courriel;Langue\r\nHélène Aït;helene@example.org;Français\r\n".encode(),
            "utf-8",
            ";",
        ),
        ("nom;e-mail;langue\nHélène Aït;helene@example.org;fr\n".encode(), "utf-8", ";"),
        (
            "Nom;Adresse e-mail;Langue\r\nHélène Aït;helene@example.org;FR\r\n".encode("cp1252"),
            "cp1252",
            ";",
        ),
        ("name,email,language\nHélène Aït,helene@example.org,french\n".encode(), "utf-8", ","),
        (
            "Name\tE-mail\tLanguage\nHélène Aït\thelene@example.org\tfr\n".encode("utf-16"),
            "utf-16",
            "\t",
        ),
        (
            "الاسم;البريد الإلكتروني;اللغة\nHélène Aït;helene@example.org;الفرنسية\n".encode(),
            "utf-8",
            ";",
        ),
    ],
    ids=[
        "utf8-bom-semicolon",
        "utf8-semicolon",
        "cp1252-excel-fr",
        "comma-english",
        "utf16-tabs",
        "arabic-headers",
    ],
)
def test_common_exports_are_read_the_same(app, data, encoding, delimiter):
    parsed = parse(data)
    assert (parsed.encoding, parsed.delimiter) == (encoding, delimiter)
    assert people(parsed) == [(2, "Hélène Aït", "helene@example.org", "fr", None)]


def test_first_and_last_name_columns_make_the_name_and_quoted_cells_keep_their_separators(app):
    data = 'Prénom;Nom;Email\n"Salma";"Ben Ali; dite Sisi";salma@example.org\n'.encode()
    assert people(parse(data)) == [(2, "Salma Ben Ali; dite Sisi", "salma@example.org", None, None)]


def test_rows_are_numbered_as_in_the_spreadsheet_and_empty_lines_are_skipped(app):
    data = b"nom,email\n\nAmina,amina@example.org\n,,\nKarim,karim@example.org\n"
    assert [row["row"] for row in parse(data).rows] == [3, 5]


def test_each_bad_row_gets_its_reason(app):
    data = (
        b"nom;email;langue\n"
        b"Salma;salma@example.org;fr\n"
        b";noname@example.org;\n"
        b"Karim;karim@;\n"
        b"Salma bis;SALMA@example.org;\n"
        b"Omar;omar@example.org;klingon\n"
        b"Nadia;;\n"
    )
    rows = parse(data).rows
    assert [(row["row"], row["error"]) for row in rows] == [
        (2, None), (3, "missing_name"), (4, "bad_email"), (5, "duplicate"), (6, "bad_language"), (7, "missing_email"),
    ]  # fmt: skip
    messages = [row_error_message(row, LANGUAGES) for row in rows[1:]]
    assert messages == [
        "The name is missing.",
        "The e-mail address « karim@ » is not valid.",
        "Same e-mail address as row 2.",
        "Unknown language « klingon » (use fr, en, ar).",
        "The e-mail address is missing.",
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "The file is empty."),
        (
            b"PK\x03\x04\x14\x00\x06\x00 rest of a workbook",
            "This is an Excel workbook, not a CSV file.",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This file is not a CSV text file."),
        (b"nom;telephone\nSalma;0600000000\n", "Row 1: no column for the e-mail address"),
        (b"email\nsalma@example.org\n", "Row 1: no column for the name"),
        (b"nom;email\n", "The file has no learner rows under its header."),
        (b'nom,email\n"Salma,salma@example.org\n', None),  # an unclosed quote: read as one odd cell
    ],
    ids=[
        "empty",
        "xlsx",
        "binary",
        "no-email-column",
        "no-name-column",
        "header-only",
        "unclosed-quote",
    ],
)
def test_files_that_are_not_rosters_are_refused_with_the_reason(app, data, problem):
    if problem is None:
        parsed = parse(data)
        assert parsed.rows[0]["error"] == "missing_email"
        return
    with pytest.raises(RosterFileError) as caught:
        parse(data)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_file_over_two_megabytes_is_refused(app):
    data = b"nom;email\n" + b"x" * (2 * 1024 * 1024)
    with pytest.raises(RosterFileError, match="larger than 2 MB"):
        parse(data)


def test_five_thousand_rows_are_accepted_and_one_more_is_refused_with_its_row(app):
    rows = "".join(f"Learner {n};l{n}@example.org\n" for n in range(MAX_ROWS))
    assert len(parse(f"nom;email\n{rows}".encode()).rows) == MAX_ROWS
    with pytest.raises(RosterFileError) as caught:
        parse(f"nom;email\n{rows}Extra;extra@example.org\n".encode())
    assert caught.value.problems == [
        "Row 5002: the file has more than 5,000 learners. Split it into smaller files."
    ]
