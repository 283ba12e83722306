"""The read side of a roster import: what confirming each row would do (its fate) against the
accounts and enrolments as they are now, and the preview page's figures, 200 rows a page, those
with errors first."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from curriculum.db import db
from lms.learning.models import Enrolment
from lms.users.models import User

from .models import Cohort, RosterImport
from .roster import row_error_message

#: the fate of a row: "error", "new" (an account is created, and joins when it chooses its
#: password), "invite" (an existing account is invited and joins if it accepts), "already" (in this cohort: nothing to do),
#: "enrol" (a platform's member without e-mail: an account without e-mail is created, linked to
#: the platform, and enrolled at once: nobody can be asked by e-mail). The
#: preview shows "new" and "invite" alike ("will be invited"): whether an address has an account
#: is not the trainer's to know.
INVITED = ("new", "invite")
JOINING = (*INVITED, "enrol")
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
    #: the row's address is a placeholder (a platform's member without e-mail)
    no_email: bool = False
    #: what the roster's source records for an account created from this row (``external_rows``)
    link: dict | None = None

    @property
    def shown_fate(self) -> str:
        """What the trainer reads: "invited" for a new and an existing account alike."""
        if self.fate == "enrol":
            return "enrolled"
        return "invited" if self.fate in INVITED else self.fate


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
    def invited(self) -> int:
        """How many are invited: the learners the cohort gains if every one of them joins."""
        return sum(1 for line in self.lines if line.fate in INVITED)

    @property
    def joining(self) -> int:
        """The learners the cohort gains if every invited one joins (capacity checks)."""
        return sum(1 for line in self.lines if line.fate in JOINING)

    def listing(self) -> list[RosterLine]:
        """The rows as the preview lists them: those with an error first, each group in file order."""
        return sorted(self.lines, key=lambda line: (line.fate != "error", line.row))


def classify(cohort: Cohort, rows: list[dict], actor: User | None = None) -> RosterPreview:
    """Each row's fate against the accounts and this cohort's members as they are now (a few
    queries for the whole file: one per 500 addresses, whatever their fates)."""
    keys = [row["email"].lower() for row in rows if not row.get("error")]
    users: dict[str, User] = {}
    for start in range(0, len(keys), CHUNK):
        for user in db.session.scalars(
            select(User).where(User.email_key.in_(keys[start : start + CHUNK]))
        ).unique():
            users[user.email_key] = user
    members: set[int] = set()
    ids = [user.id for user in users.values()]
    for start in range(0, len(ids), CHUNK):
        members.update(db.session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.user_id.in_(ids[start : start + CHUNK])
            )
        ))  # fmt: skip
    lines = []
    for row in rows:
        line = RosterLine(row["row"], row["name"], row["email"], row.get("language"), "error",
                          row.get("error"), row.get("error_detail"), bool(row.get("no_email")),
                          row.get("link"))  # fmt: skip
        if not line.error:
            user = users.get(line.email.lower())
            new = "enrol" if line.no_email else "new"
            line.fate = new if user is None else "already" if user.id in members else "invite"
        lines.append(line)
    return RosterPreview(lines, users)


#: rows listed on one page of the preview
PER_PAGE = 200


@dataclass
class RowsPage:
    """One page of the preview's rows (what the ``pager`` macro needs)."""

    items: list[RosterLine]
    page: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _rows_page(preview: RosterPreview, page: int) -> RowsPage:
    listing = preview.listing()
    pages = max(1, math.ceil(len(listing) / PER_PAGE))
    page = min(max(page, 1), pages)
    return RowsPage(listing[(page - 1) * PER_PAGE : page * PER_PAGE], page, pages, len(listing))


def preview_page(cohort: Cohort, imported: RosterImport, actor: User, page: int, room) -> dict:
    """What the preview page shows of ``imported`` (``room``: the places left in the cohort, or
    None without a capacity)."""
    preview = classify(cohort, imported.rows, actor)
    fits = room is None or preview.joining <= room
    rows = _rows_page(preview, page)
    # The first errors in a short list by the notice; the table lists them all (first).
    listed_errors = [line for line in preview.lines if line.fate == "error"][:PER_PAGE]
    languages = list(current_app.config["LMS_LANGUAGES"])
    messages = {line.row: row_error_message({"error": line.error, "error_detail": line.error_detail, "email": line.email}, languages)
                for line in listed_errors + rows.items if line.error}  # fmt: skip
    return {
        "preview": preview,
        "rows": rows,
        "messages": messages,
        "listed_errors": listed_errors,
        "room": room,
        # Only a roster whose every row is right, and that fits the cohort, can be confirmed.
        "can_confirm": imported.applied_at is None and not preview.errors and fits,
    }
