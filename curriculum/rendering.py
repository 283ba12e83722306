"""Markdown → safe HTML, done once when a pack is imported.

CommonMark (markdown-it-py) with tables; raw HTML is not interpreted (it shows as text). Pack
links are rewritten to URLs relative to the lesson page, then the HTML goes through nh3 with a
small allowlist, so nothing a pack contains can run script in a learner's browser: no
``<script>``, no ``on*=`` handlers, no ``style``, no ``javascript:`` or ``data:`` URLs, no iframes.

URLs: a lesson page is ``<prefix>/courses/<course>/<module>/<lesson>`` (no trailing slash) and
pack assets are served at ``<prefix>/courses/<course>/assets/<path>``, so

- ``lesson:module/lesson`` → ``../module/lesson``
- ``lesson:lesson``        → ``../<current module>/lesson``
- ``assets/x.png``         → ``../assets/x.png``

Right-to-left lessons (Arabic): runs of Latin letters and digits in the text (acronyms such as
ANAPEC, figures such as "9 100 DH" or "70 %") are wrapped in ``<bdi>``, so that the punctuation
around them stays where the author put it instead of jumping to the other end of the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

#: bump when the rendering changes: it is part of every content hash, so the next import of an
#: unchanged pack renders its lessons again
RENDER_VERSION = "2"

LESSON_SCHEME = "lesson:"
ASSETS_PREFIX = "assets/"

#: languages written right to left (their lessons get ``<bdi>`` around Latin runs)
RTL_LANGUAGES = frozenset({"ar"})

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "code", "pre", "hr", "br", "bdi",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
#: a Latin letter or digit, then more of them, with spaces, points, commas, hyphens, slashes,
#: apostrophes and % inside the run (never at its end: "ANAPEC." keeps its point outside)
LATIN_RUN = re.compile(rf"[{_LATIN}](?:[{_LATIN}%°]|[ \u00a0\u202f.,:/'’+\-–](?=[{_LATIN}%]))*")


def isolate_latin_runs(text: str) -> str:
    """HTML of a right-to-left text with each Latin run in a ``<bdi>`` (the rest escaped)."""
    parts: list[str] = []
    end = 0
    for match in LATIN_RUN.finditer(text):
        parts.append(escapeHtml(text[end : match.start()]))
        parts.append(f"<bdi>{escapeHtml(match.group())}</bdi>")
        end = match.end()
    parts.append(escapeHtml(text[end:]))
    return "".join(parts)


def _render_rtl_text(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return isolate_latin_runs(tokens[idx].content)


_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
#: the same Markdown, for right-to-left lessons: only the rendering of plain text differs (code,
#: link targets and image descriptions are left as they are)
_rtl_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
_rtl_markdown.add_render_rule("text", _render_rtl_text)
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def parse(text: str) -> list[Token]:
    """The block tokens of a Markdown text (reused by the checker and the renderer)."""
    return _markdown.parse(text)


@dataclass(frozen=True)
class Reference:
    """A link or image target in a Markdown text; ``line`` is 0-based in that text."""

    kind: str  # "link" | "image"
    target: str
    line: int


def references(tokens: list[Token], text: str) -> Iterator[Reference]:
    """Every link and image target, with the line it is written on (best effort)."""
    lines = text.splitlines()
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        start, end = block.map or (0, len(lines))
        for child in block.children:
            if child.type == "link_open":
                kind, target = "link", str(child.attrGet("href") or "")
            elif child.type == "image":
                kind, target = "image", str(child.attrGet("src") or "")
            else:
                continue
            target = unquote(target)
            line = next((i for i in range(start, end) if target in lines[i]), start)
            yield Reference(kind, target, line)


def rewrite_target(target: str, current_module: str | None) -> str:
    """A pack link → a URL relative to the lesson page (see the module docstring)."""
    if target.startswith(LESSON_SCHEME):
        path = target[len(LESSON_SCHEME) :]
        if "/" not in path and current_module:
            path = f"{current_module}/{path}"
        return f"../{path}"
    if target.startswith(ASSETS_PREFIX):
        return f"../{target}"
    return target


def render_tokens(
    tokens: list[Token], current_module: str | None = None, language: str | None = None
) -> str:
    """Sanitised HTML of parsed Markdown, links rewritten for a lesson of ``current_module``,
    Latin runs isolated when ``language`` is written right to left."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"  # the page has its own h1: the lesson title
        for child in token.children or ():
            for attribute in ("href", "src"):
                value = child.attrGet(attribute)
                if value is not None:
                    child.attrSet(attribute, rewrite_target(str(value), current_module))
    markdown = _rtl_markdown if language in RTL_LANGUAGES else _markdown
    html = markdown.renderer.render(tokens, markdown.options, {})
    return sanitize_html(html)


def render_markdown(
    text: str, current_module: str | None = None, language: str | None = None
) -> str:
    """Markdown text → sanitised HTML (lessons, and any other Markdown the LMS shows)."""
    return render_tokens(parse(text), current_module, language)


def sanitize_html(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes (defence in depth)."""
    return _cleaner.clean(html)
