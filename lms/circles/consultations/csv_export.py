"""The answers of a consultation as a CSV file, one answer a row, safe to open in a spreadsheet:
every cell goes through the cohorts' formula guard (a citizen's text starting with ``=`` is
never run as a formula). Streamed in chunks, so that 10,000 answers never sit in memory as one
string. Hidden texts are exported as hidden, not as what they said.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask_babel import gettext as _

from lms.cohorts.reports import csv_delimiter, neutralise

CHUNK = 500


def csv_writer(language: str) -> tuple[io.StringIO, csv.writer]:
    out = io.StringIO()
    return out, csv.writer(out, delimiter=csv_delimiter(language), lineterminator="\r\n")


def channel_label(channel: str) -> str:
    return {
        "online": _("Online"),
        "in_person": _("In person"),
        "paper": _("Paper"),
        "phone": _("Phone"),
        "whatsapp": _("WhatsApp"),
        "radio": _("Local radio"),
    }.get(channel, channel)


def export_rows(questions, language: str, answers: Iterable[tuple]) -> Iterator[str]:
    """``answers``: (answer id, channel, commune, date, entered, {question id: [values]}) in
    order; yields the file in chunks (the first one starts with a byte-order mark for Excel)."""
    out, writer = csv_writer(language)
    out.write("\ufeff")
    header = [_("Answer"), _("Channel"), _("Commune"), _("Date"), _("Entered by a member")]
    header += [f"Q{n}. {q.prompt(language)}" for n, q in enumerate(questions, start=1)]
    writer.writerow([neutralise(cell) for cell in header])
    labels = {q.id: dict(q.options(language)) for q in questions}
    hidden = _("[hidden by a facilitator]")
    yes, no = _("yes"), _("no")
    for count, (answer_id, channel, commune, day, entered, values) in enumerate(answers, 1):
        row = [answer_id, channel_label(channel), commune, day.isoformat(), yes if entered else no]
        for question in questions:
            cells = []
            for choice, text, is_hidden in values.get(question.id, []):
                if choice is not None:
                    cells.append(labels[question.id].get(choice, choice))
                else:
                    cells.append(hidden if is_hidden else text)
            row.append(" | ".join(cells))
        writer.writerow([neutralise(cell) for cell in row])
        if count % CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
