"""The journal pages of a circle: its entries (newest first) with the form to write one, a
comment on an entry, and a photo of an entry.

Access: the circle's current members, its facilitators (the cohort's trainers) and
administrators (403 for anyone else, members of other circles included). Members write entries;
members and facilitators comment. A refused entry or comment shows the page again with what was
typed and the reason (the photos must be chosen again: a browser never refills a file field).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.boundary import attempt
from lms.circles import queries as circle_queries
from lms.circles.models import Circle
from lms.uploads import accepts_large_uploads, upload_folder

from . import operations, queries
from .forms import CommentForm, EntryForm
from .photos import MAX_BYTES


def _page(circle: Circle, form=None, failed=None, status: int = 200):
    """The journal; ``failed``: (entry id, its comment form) when a comment was refused."""

    def comment_form(entry):
        if failed and failed[0] == entry.id:
            return failed[1]
        return CommentForm(prefix=f"c{entry.id}", formdata=None)

    return render_template(
        "lms/circles/journal/journal.html",
        circle=circle,
        entries=queries.page_of(circle, request.args.get("page", 1, type=int)),
        form=form or EntryForm(formdata=None),
        comment_form=comment_form,
        may_write=circle.is_member(current_user),
        max_photos=operations.MAX_PHOTOS,
        max_mb=MAX_BYTES // (1024 * 1024),
    ), status


def _to_journal(circle: Circle, anchor: str | None = None):
    return redirect(url_for("lms_journal.journal", circle_id=circle.id, _anchor=anchor))


@login_required
def journal(circle_id: int):
    return _page(circle_queries.visible_circle(circle_id, current_user))


def _photos_sent(form: EntryForm) -> list[tuple[str, bytes]]:
    """The chosen files as (name, bytes); a file field left empty sends a nameless part."""
    sent = []
    for upload in form.photos.data or []:
        if upload is None or not getattr(upload, "filename", ""):
            continue
        sent.append((upload.filename, upload.stream.read(MAX_BYTES + 1)))
    return sent


@accepts_large_uploads
@login_required
def write(circle_id: int):
    circle = circle_queries.visible_circle(circle_id, current_user)
    form = EntryForm()
    if not form.validate_on_submit():
        return _page(circle, form=form, status=400)
    with attempt() as done:
        entry = operations.create_entry(circle, current_user, form.text.data, _photos_sent(form))
    if not done:
        field = form.photos if getattr(done.error, "field", "") == "photos" else form.text
        field.errors.append(done.message)
        return _page(circle, form=form, status=done.status)
    flash(_("Your update is in the circle's journal."), "success")
    return _to_journal(circle, f"entry-{entry.id}")


@login_required
def comment(circle_id: int, entry_id: int):
    circle = circle_queries.visible_circle(circle_id, current_user)
    entry = queries.entry_of(circle, entry_id)
    form = CommentForm(prefix=f"c{entry.id}")
    if not form.validate_on_submit():
        return _page(circle, failed=(entry.id, form), status=400)
    with attempt(form.text) as done:
        operations.add_comment(entry, current_user, form.text.data)
    if not done:
        return _page(circle, failed=(entry.id, form), status=done.status)
    flash(_("Your comment is added."), "success")
    return _to_journal(circle, f"entry-{entry.id}")


@login_required
def photo(circle_id: int, photo_id: int):
    circle = circle_queries.visible_circle(circle_id, current_user)
    item = queries.photo_of(circle, photo_id)
    data = (upload_folder() / item.path).read_bytes()
    return Response(data, mimetype="image/jpeg", headers={"Cache-Control": "private, no-store"})
