"""Reading one person's answers from a form (the public page, a member's entry form) or from a
CSV row, and checking them against the questions: every problem named by its question, and what
was typed kept so that the form can be shown again as it was sent.

A form field is named ``q<question id>``; a multiple-choice question sends the field once per
ticked choice. Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from .models import MAX_CHOICES, TEXT_MAX

#: a value of an answer: (question id, choice key or None, text or None)
Value = tuple[int, str | None, str | None]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """A text as stored: Unicode NFC, no control characters, no surrounding spaces."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


@dataclass
class ReadAnswers:
    values: list[Value] = field(default_factory=list)
    #: question id → the message shown next to it
    errors: dict[int, str] = field(default_factory=dict)
    #: question id → what was sent (to fill the form again)
    typed: dict[int, list[str]] = field(default_factory=dict)
    #: a problem with the answer as a whole (nothing answered at all)
    general: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.general

    def all_errors(self) -> list[str]:
        return ([self.general] if self.general else []) + list(self.errors.values())


def field_name(question) -> str:
    return f"q{question.id}"


def read_form(questions, form) -> ReadAnswers:
    """The answers in ``form`` (a MultiDict) to ``questions``."""
    sent = {}
    for question in questions:
        raw = form.getlist(field_name(question))
        sent[question.id] = [value for value in raw if isinstance(value, str)]
    return check(questions, sent)


def check(questions, sent: dict[int, list[str]]) -> ReadAnswers:
    """``sent``: question id → the raw values sent for it (choice keys, or one text)."""
    result = ReadAnswers()
    for question in questions:
        raw = [value.strip() for value in sent.get(question.id, []) if value.strip()]
        result.typed[question.id] = raw
        problem = _check_one(question, raw, result.values)
        if problem:
            result.errors[question.id] = problem
    if not result.errors and not result.values:
        result.general = _("Please answer at least one question.")
    return result


def _check_one(question, raw: list[str], values: list[Value]) -> str | None:
    if not raw:
        return _("Please answer this question.") if question.required else None
    if question.kind == "text":
        text = clean_text(" ".join(raw))
        if len(text) > TEXT_MAX:
            return _(
                "At most %(max)d characters, please (this answer has %(n)d).",
                max=TEXT_MAX,
                n=len(text),
            )
        if text:
            values.append((question.id, None, text))
        elif question.required:
            return _("Please answer this question.")
        return None
    keys = question.keys
    unknown = [value for value in raw if value not in keys]
    if unknown:
        return _("“%(value)s” is not one of the possible answers.", value=unknown[0][:40])
    if question.kind in ("single", "scale") and len(set(raw)) > 1:
        return _("Choose only one answer.")
    chosen = list(dict.fromkeys(raw))[:MAX_CHOICES]
    values.extend((question.id, key, None) for key in chosen)
    return None


def as_rows(consultation_id: int, answer_id: int, channel: str, commune: str,
            values: list[Value]) -> list[dict[str, Any]]:  # fmt: skip
    """The ``lms_consultation_values`` rows of one answer (for a bulk insert)."""
    return [
        {
            "answer_id": answer_id,
            "consultation_id": consultation_id,
            "question_id": question_id,
            "choice": choice,
            "text": text,
            "channel": channel,
            "commune": commune,
            "hidden_reason": "",
        }
        for question_id, choice, text in values
    ]
