"""Grading a quiz attempt: which questions were answered right (every right choice, nothing
else). Used by the quiz verbs and by the learning records' replay."""

from __future__ import annotations

from curriculum.models import QuizQuestion


def grade(questions: list[QuizQuestion], answers: dict[str, list[str]]) -> dict[str, bool]:
    correct = {}
    for question in questions:
        right = {c.key for c in question.choices if c.correct and c.archived_at is None}
        correct[question.key] = set(answers.get(question.key, [])) == right
    return correct


def same_answers(first: dict[str, list[str]], second: dict[str, list[str]]) -> bool:
    """The same choices for every question (in any order; an empty list is no answer)."""

    def chosen(answers: dict[str, list[str]]) -> dict[str, list[str]]:
        return {key: sorted(values) for key, values in answers.items() if values}

    return chosen(first) == chosen(second)
