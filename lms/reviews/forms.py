"""The review form: feedback, then accept or ask for a revision."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length


class ReviewForm(FlaskForm):
    feedback = TextAreaField(
        _l("Feedback (Markdown: **bold**, lists, links)"), validators=[Length(max=20000)]
    )
    accept = SubmitField(_l("Accept the work"))
    revise = SubmitField(_l("Ask for a revision"))

    def decided(self) -> bool:
        """The trainer pressed one of the two buttons (else the form says to choose)."""
        if self.accept.data or self.revise.data:
            return True
        self.feedback.errors.append(_("Choose: accept the work, or ask for a revision."))
        return False
