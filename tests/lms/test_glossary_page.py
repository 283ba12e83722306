"""The glossary page: public, in the learner's language, sorted by the term as it is shown, an
anchor per term, searchable without JavaScript; linked from every course page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GLOSSARY = Path(__file__).resolve().parents[1] / "curriculum" / "glossaries" / "glossary.yaml"


@pytest.fixture
def glossary(app):
    app.config["LMS_GLOSSARY_PATH"] = str(GLOSSARY)


def terms(html: str) -> list[tuple[str, str]]:
    """(anchor, term) of each entry, in the order of the page."""
    return re.findall(r'<dt id="(term-[\w-]+)"[^>]*><dfn>([^<]+)</dfn>', html)


def test_anyone_reads_the_glossary_in_french_sorted_with_an_anchor_per_term(client, glossary):
    response = client.get("/glossary", headers={"Accept-Language": "fr"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert terms(html) == [
        (
            "term-employment-agency",
            "Agence nationale de promotion de l&#39;emploi et des compétences",
        ),
        ("term-youth-centre", "Dar Chabab"),
        ("term-evaluation", "évaluation"),
        ("term-hcp", "Haut-Commissariat au Plan"),
        ("term-public-problem", "problème public"),
    ]
    assert "(<bdi><abbr>HCP</abbr></bdi>)" in html
    assert "L&#39;institution qui produit les statistiques officielles du Maroc." in html
    assert 'href="#term-hcp"' in html
    # nothing to download but the page, its stylesheet and the offline scripts every page has
    scripts = re.findall(r"<script[^>]*>", html)
    assert all(re.search(r'src="[^"]*/offline(-db)?\.js"', tag) for tag in scripts), scripts


def test_in_arabic_the_terms_are_arabic_right_to_left_and_a_missing_one_says_its_language(
    client, glossary
):
    html = client.get("/glossary", headers={"Accept-Language": "ar"}).get_data(as_text=True)

    assert '<dt id="term-hcp" lang="ar" dir="rtl"><dfn>المندوبية السامية للتخطيط</dfn>' in html
    assert '<dd lang="ar" dir="rtl">المؤسسة التي تنتج الإحصاءات الرسمية للمغرب.</dd>' in html
    # no Arabic for this term yet: shown in French, marked as French
    assert '<dt id="term-evaluation" lang="fr" dir="ltr"><dfn>évaluation</dfn>' in html
    assert [term for _anchor, term in terms(html)][1:] == [
        "المندوبية السامية للتخطيط",
        "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
        "دار الشباب",
        "مشكلة عمومية",
    ]


def test_a_search_without_javascript_keeps_the_matching_terms(client, glossary):
    html = client.get("/glossary?q=anapec").get_data(as_text=True)

    assert [anchor for anchor, _term in terms(html)] == ["term-employment-agency"]
    assert "1 word found for “anapec”." in html
    assert 'value="anapec"' in html and 'href="/glossary">Show every word</a>' in html

    html = client.get("/glossary?q=nothing+like+this").get_data(as_text=True)
    assert terms(html) == [] and "0 words found for “nothing like this”." in html


def test_a_search_is_shown_as_text(client, glossary):
    html = client.get("/glossary?q=<script>alert(1)</script>").get_data(as_text=True)

    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_every_course_page_links_to_the_glossary(client, make_course, glossary):
    make_course()

    html = client.get("/courses/civics").get_data(as_text=True)

    assert '<a href="/glossary">Glossary: the words of the masterclasses</a>' in html


def test_without_a_glossary_file_there_is_no_link_and_the_page_says_so(
    app, client, make_course, tmp_path
):
    app.config["LMS_GLOSSARY_PATH"] = str(tmp_path / "none.yaml")
    make_course()

    assert 'href="/glossary"' not in client.get("/courses/civics").get_data(as_text=True)
    html = client.get("/glossary").get_data(as_text=True)
    assert "The glossary is not available yet." in html and terms(html) == []
