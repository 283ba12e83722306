"""The request's one transaction boundary, and the one place a domain error becomes a message.

A request to an LMS view commits once, after the view has returned a response below 400, and
rolls back otherwise: an error page, a refused form, any exception (as Indico's ``RH.process``).
Views never commit or roll back; CLI commands and job batches are the only other boundaries.
Mail and job hand-offs listen for that commit, so a rolled-back request sends nothing.

``attempt`` runs an operation that may refuse: the refusal (an ``LMSError``) undoes what the
operation wrote, goes onto a form field (or into a flash message) and gives the page its status.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Response, current_app, flash, request

from curriculum.db import db

from .errors import LMSError


def end_of_request(response: Response) -> Response:
    """``after_request``: commit what an LMS view did, or roll it back (the host app's own views
    keep their own transaction handling)."""
    if request.blueprint in current_app.extensions["lms"].blueprint_names:
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
    return response


@dataclass
class Outcome:
    """What ``attempt`` saw: truthy when the operation went through."""

    error: LMSError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        return self.error.status_code if self.error else 200

    @property
    def message(self) -> str:
        return self.error.message if self.error else ""


@contextmanager
def attempt(
    field=None, *, flash_error: bool = False, catch: type[LMSError] = LMSError
) -> Iterator[Outcome]:
    """Run the block; a domain error (of the ``catch`` kind: others reach the error page) undoes
    it and becomes a message on ``field`` (a form field, or a list such as ``form.form_errors``),
    or a flash message, or stays in the outcome."""
    outcome = Outcome()
    try:
        yield outcome
    except catch as error:
        db.session.rollback()  # what the refused operation flushed is gone before the page renders
        outcome.error = error
        if field is not None:
            (field if isinstance(field, list) else field.errors).append(error.message)
        elif flash_error:
            flash(error.message, "error")


def form_status(form) -> int:
    """The status of a page that shows a form again: 400 when it has errors."""
    return 400 if form.errors else 200
