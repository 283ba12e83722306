"""The order a learner sees a quiz's choices in.

Each learner sees the choices of each question in an order of their own, drawn again for every
attempt, so that "the answer is always b" or "the answer is the longest" cannot be learnt from
one learner to the next. The order is derived, not stored: a hash of (enrolment, quiz, attempt
number, question, choice) sorts the choices, so reloading the page, a form sent back with an
error and the results of that attempt all show the same order, and nothing needs a column.

True/false questions and questions marked ``shuffle: false`` in the pack (their ids are in the
quiz's ``settings["unshuffled"]``) keep the pack's order. The order says nothing about which
choice is right: the answer key stays on the server until the attempt is graded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from curriculum.models import Lesson, QuizChoice, QuizQuestion


@dataclass(frozen=True)
class ShownQuestion:
    """A question with its live choices in the order one learner sees them in one attempt."""

    question: QuizQuestion
    choices: list[QuizChoice]

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def type(self) -> str:
        return self.question.type

    @property
    def prompts(self) -> dict[str, str]:
        return self.question.prompts


def is_shuffled(lesson: Lesson, question: QuizQuestion) -> bool:
    unshuffled = (lesson.settings or {}).get("unshuffled", [])
    return question.type != "true_false" and question.key not in unshuffled


def _rank(seed: str, choice: QuizChoice) -> bytes:
    return hashlib.sha256(f"{seed}:{choice.key}".encode()).digest()


def shown_questions(
    lesson: Lesson, questions: list[QuizQuestion], enrolment_id: int | None, attempt: int
) -> list[ShownQuestion]:
    """The questions (in the pack's order) with their choices in the order of ``attempt``
    (1, 2, ...) of this enrolment; in the pack's order when there is no enrolment (a preview)."""
    shown = []
    for question in questions:
        choices = [choice for choice in question.choices if choice.archived_at is None]
        if enrolment_id is not None and is_shuffled(lesson, question):
            seed = f"{enrolment_id}:{lesson.id}:{attempt}:{question.key}"
            choices.sort(key=lambda choice, seed=seed: _rank(seed, choice))
        shown.append(ShownQuestion(question, choices))
    return shown
