"""An Arabic lesson on a 390×844 phone, in a real browser: Arabic fonts and a tall line, the
table laid out right to left, Latin acronyms isolated so the brackets stay around them; the quiz
in Arabic with its choices shuffled; the glossary page in Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest

from curriculum.db import db
from curriculum.importer import import_pack

pytestmark = pytest.mark.browser

TESTS = Path(__file__).resolve().parents[1]
PACK = TESTS / "curriculum" / "packs" / "arabic"
GLOSSARY = TESTS / "curriculum" / "glossaries" / "glossary.yaml"


def test_an_arabic_lesson_quiz_and_glossary_read_well_on_a_phone(
    app, live_server, new_page, make_user
):
    import_pack(PACK)
    db.session.commit()
    app.config["LMS_GLOSSARY_PATH"] = str(GLOSSARY)
    learner = make_user(email="salma@example.org", locale="ar")
    page = new_page(locale="ar")
    page.goto(f"{live_server}/login")
    page.fill("#email", learner.email)
    page.fill("#password", "correct horse battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    course = f"{live_server}/courses/arabic-course"
    page.goto(course)
    page.locator('form[action$="/enrol"] button').click()
    page.wait_for_url(course)

    page.goto(f"{course}/jobs/where-to-ask")
    prose = page.locator(".prose")
    style = prose.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.fontFamily, parseFloat(s.lineHeight) / parseFloat(s.fontSize), s.direction] }"
    )
    assert style[0].startswith('"Noto Naskh Arabic", "Noto Sans Arabic", Tahoma')
    assert 1.75 <= style[1] <= 1.85 and style[2] == "rtl"
    assert page.locator(".notice").count() == 0  # no "shown in French"
    # the first column of the table is on the right, its text starts on the right
    first, last = (page.locator(".prose th").nth(i).bounding_box() for i in (0, 2))
    assert first["x"] > last["x"]
    cell = page.locator(".prose td").first
    assert cell.evaluate("el => getComputedStyle(el).textAlign") == "start"
    # "(ANAPEC)": the acronym is isolated, the brackets stay around it
    acronym = page.locator(".prose p bdi", has_text="ANAPEC").first
    assert acronym.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider

    page.goto(f"{course}/jobs/check")
    assert "من يساعد الشباب على إيجاد عمل؟" in page.locator("#quiz-form").inner_text()
    page.check('input[name="q-agency"][value="anapec"]')
    page.check('input[name="q-open-days"][value="weekdays"]')
    page.check('input[name="q-bring"][value="cv"]')
    with page.expect_navigation():
        page.locator('form[action$="/quiz"] button').click()
    assert page.locator("#result p.result-right").count() == 3

    page.goto(course)
    with page.expect_navigation():
        page.locator('a[href="/glossary"]').click()
    term = page.locator("#term-hcp")
    assert term.get_attribute("dir") == "rtl" and "المندوبية السامية للتخطيط" in term.inner_text()
    page.fill("#q", "ANAPEC")
    with page.expect_navigation():
        page.locator("form.glossary-search button").click()
    assert page.locator("dl.glossary dt").count() == 1
