"""Answers the browser tests give to a quiz."""

from __future__ import annotations

from curriculum.models import Lesson


def half_right(quiz: Lesson) -> dict[str, list[str]]:
    """Every other question answered wrongly (a failed attempt with both outcomes), by the
    choices' keys: the page shows them in the learner's own order."""
    answers = {}
    for number, question in enumerate(quiz.live_questions):
        right = [choice.key for choice in question.choices if choice.correct]
        wrong = [choice.key for choice in question.choices if not choice.correct][:1]
        answers[question.key] = right if number % 2 == 0 else wrong
    return answers
