"""Forms of the journal. The text's rules (required, length) and the photos' (type, size,
pixels) are checked by the operations, which the offline queue calls too: one set of messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, TextAreaField

from .operations import COMMENT_MAX, MAX_PHOTOS, TEXT_MAX


class EntryForm(FlaskForm):
    text = TextAreaField(_l("What happened?"), render_kw={"maxlength": TEXT_MAX, "rows": 4})
    photos = MultipleFileField(
        _l("Photos (up to %(n)d, optional)", n=MAX_PHOTOS),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True},
    )


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Your comment"), render_kw={"maxlength": COMMENT_MAX, "rows": 2})
