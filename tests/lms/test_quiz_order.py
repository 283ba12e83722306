"""Each learner sees a quiz's choices in an order of their own, drawn again for each attempt and
the same on every reload of it; true/false and ``shuffle: false`` questions keep the pack's order;
the results follow the order the attempt was shown in; the answer key stays on the server."""

from __future__ import annotations

import re

from sqlalchemy import select

from curriculum.db import db
from curriculum.models import QuizChoice

QUIZ = "/courses/civics/basics/check"
FOUR = [("a", True), ("b", False), ("c", False), ("d", False)]


def quiz_course(make_course, attempts: int = 0, unshuffled: tuple[str, ...] = ()):
    settings = {"pass_mark": 100, "attempts": attempts}
    if unshuffled:
        settings["unshuffled"] = list(unshuffled)
    questions = [(f"q{n}", "single", FOUR) for n in range(1, 7)]
    questions.append(("many", "multiple", [("a", True), ("b", True), ("c", False), ("d", False)]))
    questions.append(("tf", "true_false", [("true", True), ("false", False)]))
    spec = {"slug": "check", "kind": "quiz", "settings": settings, "questions": questions}
    return make_course(sequential=False, modules=[("basics", [spec])])


def form_order(html: str) -> dict[str, list[str]]:
    """Question key → its choices' keys, in the order the form shows them."""
    form = html[html.index('id="quiz-form"') :]
    order: dict[str, list[str]] = {}
    for key, value in re.findall(r'name="q-([\w-]+)" value="([\w-]+)"', form):
        order.setdefault(key, []).append(value)
    return order


def result_order(html: str) -> list[list[str]]:
    """The choices of each question of the result section, in the order they are listed."""
    section = html[html.index('id="result"') : html.index("</section>", html.index('id="result"'))]
    return [re.findall(r"Choice ([\w-]+)", part) for part in section.split('class="question"')[1:]]


def enrolled(client, make_user, login):
    login(make_user())
    client.post("/courses/civics/enrol")


def answer(client, html: str, answers: dict):
    hidden = dict(re.findall(r'<input type="hidden" name="(lesson|attempt)" value="(\d+)">', html))
    return client.post(f"{QUIZ}/quiz", data={**hidden, **answers})


def test_choices_are_shuffled_per_learner_and_stable_across_reloads(
    app, client, make_user, login, make_course
):
    quiz_course(make_course)
    enrolled(client, make_user, login)
    first = form_order(client.get(QUIZ).get_data(as_text=True))

    assert form_order(client.get(QUIZ).get_data(as_text=True)) == first  # a reload
    assert all(sorted(first[f"q{n}"]) == ["a", "b", "c", "d"] for n in range(1, 7))
    # six questions of four choices: at least one is not in the pack's order
    assert any(first[f"q{n}"] != ["a", "b", "c", "d"] for n in range(1, 7))
    # nor is the correct answer always at the same place
    assert len({first[f"q{n}"].index("a") for n in range(1, 7)}) > 1
    assert first["tf"] == ["true", "false"]  # true/false keeps its order

    client.post("/logout")
    enrolled(client, make_user, login)  # another learner, another order
    assert form_order(client.get(QUIZ).get_data(as_text=True)) != first


def test_each_attempt_has_its_own_order_and_its_results_follow_it(
    app, client, make_user, login, make_course
):
    quiz_course(make_course, attempts=2)
    enrolled(client, make_user, login)
    page = client.get(QUIZ).get_data(as_text=True)
    shown = form_order(page)
    ticked = {f"q{n}": ["b"] for n in range(1, 7)} | {"many": ["c", "d"], "tf": ["false"]}
    wrong = {f"q-{key}": keys for key, keys in ticked.items()}

    assert answer(client, page, wrong).status_code == 302
    page = client.get(QUIZ).get_data(as_text=True)
    # what the learner ticked in each question, in the order attempt 1 showed it
    chosen = [[key for key in shown[q] if key in ticked[q]] for q in shown]
    assert result_order(page) == chosen
    second = form_order(page)
    assert second != shown  # attempt 2 is drawn again

    assert answer(client, page, wrong).status_code == 302
    page = client.get(QUIZ).get_data(as_text=True)
    # the attempts are used up: every choice is listed, in the order attempt 2 showed them
    assert result_order(page) == list(second.values())
    assert "correct answer" in page


def test_a_form_sent_back_with_an_error_keeps_its_order(app, client, make_user, login, make_course):
    quiz_course(make_course)
    enrolled(client, make_user, login)
    page = client.get(QUIZ).get_data(as_text=True)

    response = answer(client, page, {"q-q1": "b"})  # the other questions unanswered

    assert response.status_code == 400
    assert form_order(response.get_data(as_text=True)) == form_order(page)


def test_questions_marked_shuffle_false_keep_the_packs_order(
    app, client, make_user, login, make_course
):
    quiz_course(make_course, unshuffled=("q1", "q2", "q3", "q4", "q5", "q6"))
    enrolled(client, make_user, login)

    shown = form_order(client.get(QUIZ).get_data(as_text=True))

    assert all(shown[f"q{n}"] == ["a", "b", "c", "d"] for n in range(1, 7))


def test_the_quiz_page_says_nothing_of_the_answer_key(app, client, make_user, login, make_course):
    quiz_course(make_course)
    enrolled(client, make_user, login)
    client.get(QUIZ)  # (the welcome message is shown once)
    before = client.get(QUIZ).get_data(as_text=True)

    for choice in db.session.scalars(select(QuizChoice)):
        choice.correct = not choice.correct
    db.session.commit()
    after = client.get(QUIZ).get_data(as_text=True)

    assert after == before  # the same page, whichever choices are right
    assert "Because" not in before  # no explanation before an attempt
