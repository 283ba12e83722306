"""Markdown from a pack can never run script in a learner's browser; pack links work."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from curriculum.rendering import render_markdown, sanitize_html


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would see them."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_harmless(html: str) -> None:
    for tag, attributes in Tags(html).tags:
        assert tag not in ("script", "iframe", "object", "embed", "style", "svg", "form")
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            url = (value or "").strip().lower()
            assert not url.startswith(("javascript:", "vbscript:", "data:")), (tag, name, value)


ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    '![x](https://example.org/x.png "a\\" onerror=\\"alert(1)")',
    "[x](vbscript:msgbox(1))",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("markdown", ATTACKS)
def test_nothing_in_markdown_can_run_script(markdown):
    html = render_markdown(markdown, "module")

    assert_harmless(html)


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)" onclick="x()">x</a>',
        '<a href="JaVa&#x53;cript:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<img src="x" onerror="alert(1)" style="x">',
        "<script>alert(1)</script><iframe></iframe><object></object>",
        '<table><tr><td style="color:red" onmouseover="x()">1</td></tr></table>',
    ],
)
def test_the_sanitiser_alone_removes_dangerous_html(html):
    cleaned = sanitize_html(html)

    assert_harmless(cleaned)
    assert "alert(1)</script>" not in cleaned


def test_raw_html_shows_as_text():
    html = render_markdown("Hello <b>world</b> <script>alert(1)</script>")

    assert html == "<p>Hello &lt;b&gt;world&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_pack_links_become_relative_to_the_lesson_page():
    html = render_markdown(
        "[a](lesson:other/intro) [b](lesson:next) ![c](assets/map.png) [d](assets/guide.pdf)",
        "define",
    )

    assert Tags(html).tags == [
        ("p", {}),
        ("a", {"href": "../other/intro", "rel": "noopener noreferrer"}),
        ("a", {"href": "../define/next", "rel": "noopener noreferrer"}),
        ("img", {"src": "../assets/map.png", "alt": "c"}),
        ("a", {"href": "../assets/guide.pdf", "rel": "noopener noreferrer"}),
    ]


def test_web_links_get_rel_noopener_and_markdown_features_survive():
    html = render_markdown(
        "# Title\n\n**bold** *em* `code`\n\n> quote\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n"
        '- [site](https://example.org "t")\n- [mail](mailto:a@example.org)\n\n---\n'
    )

    tags = [tag for tag, _attributes in Tags(html).tags]
    assert tags == [
        "h2", "p", "strong", "em", "code", "blockquote", "p", "table", "thead", "tr", "th", "th",
        "tbody", "tr", "td", "td", "ul", "li", "a", "li", "a", "hr",
    ]  # fmt: skip
    assert '<a href="https://example.org" title="t" rel="noopener noreferrer">site</a>' in html
    assert "style" not in html


# -- Arabic lessons: Latin acronyms and figures isolated ------------------------------------------


def test_latin_acronyms_and_figures_in_arabic_text_are_isolated():
    html = render_markdown(
        "سجّل في الوكالة (ANAPEC) مقابل 9 100 DH، أي 70 % من المنحة. اقرأ [HCP](https://hcp.ma).",
        language="ar",
    )

    assert html == (
        "<p>سجّل في الوكالة (<bdi>ANAPEC</bdi>) مقابل <bdi>9 100 DH</bdi>، أي <bdi>70 %</bdi> من"
        ' المنحة. اقرأ <a href="https://hcp.ma" rel="noopener noreferrer"><bdi>HCP</bdi></a>.</p>\n'
    )


def test_isolation_leaves_code_links_and_other_languages_alone():
    arabic = render_markdown(
        "انظر `INDH 2005` و![خريطة RGPH](assets/map.png) و**OFPPT**.", "m", language="ar"
    )
    french = render_markdown("L'ANAPEC (2024) et l'INDH.", language="fr")

    assert "<code>INDH 2005</code>" in arabic
    assert '<img src="../assets/map.png" alt="خريطة RGPH">' in arabic
    assert "<strong><bdi>OFPPT</bdi></strong>" in arabic
    assert french == "<p>L'ANAPEC (2024) et l'INDH.</p>\n"


def test_isolated_text_is_still_escaped_and_tables_keep_no_direction_of_their_own():
    assert render_markdown("<b>NEET</b> & <script>", language="ar") == (
        "<p>&lt;<bdi>b</bdi>&gt;<bdi>NEET</bdi>&lt;/<bdi>b</bdi>&gt; &amp; &lt;<bdi>script</bdi>&gt;</p>\n"
    )
    table = render_markdown("| الخدمة | الثمن |\n|:--|--:|\n| ANAPEC | 0 DH |", language="ar")
    assert [tag for tag, attributes in Tags(table).tags if attributes] == []  # no dir, no align
    assert "<td><bdi>ANAPEC</bdi></td>" in table and "<td><bdi>0 DH</bdi></td>" in table
