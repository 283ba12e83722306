"""A learner who reads Arabic: lessons and quizzes of a pack written in Arabic are shown in Arabic,
right to left, with no "shown in French" notice; Latin acronyms and figures are isolated; the
stylesheet gives Arabic text its fonts and line height; a ``shuffle: false`` question of the pack
keeps its order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curriculum.db import db
from curriculum.importer import import_pack

PACK = Path(__file__).resolve().parents[1] / "curriculum" / "packs" / "arabic"
COURSE = "/courses/arabic-course"
FALLBACK = "هذا الدرس غير متوفر بلغتك بعد"  # "This lesson is not available in your language yet"


@pytest.fixture
def arabic_course(app):
    import_pack(PACK)
    db.session.commit()


@pytest.fixture
def reader(client, make_user, login, arabic_course):
    """A learner whose profile says Arabic, enrolled in the course."""
    login(make_user(locale="ar"))
    client.post(f"{COURSE}/enrol")
    client.get(COURSE)  # (the welcome message is shown once)
    return client


def test_an_arabic_lesson_is_shown_in_arabic_without_the_fallback_notice(reader):
    html = reader.get(f"{COURSE}/jobs/where-to-ask").get_data(as_text=True)

    assert '<div class="prose" lang="ar" dir="rtl">' in html
    assert "تساعد الوكالة الوطنية" in html and "L'agence ANAPEC" not in html
    assert FALLBACK not in html and "notice" not in html.split('class="prose"')[0][-400:]


def test_a_quiz_of_a_course_complete_in_arabic_is_asked_in_arabic(reader):
    html = reader.get(f"{COURSE}/jobs/check").get_data(as_text=True)

    assert "من يساعد الشباب على إيجاد عمل؟" in html
    assert "Qui aide les jeunes" not in html
    assert FALLBACK not in html


def test_latin_acronyms_and_figures_are_isolated_in_the_arabic_lesson(reader):
    html = reader.get(f"{COURSE}/jobs/where-to-ask").get_data(as_text=True)
    prose = html.split('class="prose"')[1].split("</div>")[0]

    assert "(<bdi>ANAPEC</bdi>)" in prose
    assert "<td><bdi>20 DH</bdi></td>" in prose
    assert "(<bdi>CV</bdi>)." in prose  # the point stays after the bracket, outside the run
    assert "<code>30 min</code>" in prose  # code is left as written
    # the table takes the lesson's direction: no direction or alignment of its own
    assert re.search(r"<(table|th|td)[^>]*(dir|align|style)=", prose) is None


def test_the_french_lesson_has_no_isolates(client, make_user, login, arabic_course):
    login(make_user(locale="fr"))
    client.post(f"{COURSE}/enrol")
    html = client.get(f"{COURSE}/jobs/where-to-ask").get_data(as_text=True)

    assert "L'agence ANAPEC aide les jeunes" in html and "<bdi>" not in html


def test_the_stylesheet_gives_arabic_its_fonts_line_height_and_table_alignment(client):
    css = client.get("/lms-static/lms.css").get_data(as_text=True)
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = {
        selector.strip(): body
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", without_comments)
    }

    fonts = rules[':lang(ar), [dir="rtl"] body']
    assert fonts.index('"Noto Naskh Arabic"') < fonts.index('"Noto Sans Arabic"')
    assert fonts.index('"Noto Sans Arabic"') < fonts.index("Tahoma") < fonts.index("sans-serif")
    assert "line-height: 1.8" in rules['[dir="rtl"] body, .prose:lang(ar)']
    assert "text-align: start" in rules[".prose th, .prose td"]
    assert "@font-face" not in css  # system fonts only: nothing more to download


def test_a_question_marked_shuffle_false_keeps_the_packs_order(
    client, make_user, login, arabic_course
):
    orders = set()
    for _learner in range(4):
        login(make_user())
        client.post(f"{COURSE}/enrol")
        html = client.get(f"{COURSE}/jobs/check").get_data(as_text=True)
        form = html[html.index('id="quiz-form"') :]
        assert re.findall(r'name="q-open-days" value="([\w-]+)"', form) == [
            "weekend",
            "never",
            "weekdays",
        ]
        orders.add(tuple(re.findall(r'name="q-agency" value="([\w-]+)"', form)))
        client.post("/logout")
    assert len(orders) > 1  # the other questions are shuffled
