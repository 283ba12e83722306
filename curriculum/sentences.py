"""Sentences of a lesson, for the readability warnings of ``lms curriculum check``.

A sentence ends at ``.``, ``!``, ``?``, the Arabic question mark ``؟``, ``…`` or ``۔`` followed by
a space or the end of the text (so "9.5" or "www.anapec.org" do not end one), at a hard line
break, and at the end of its paragraph or list item (an item without a full stop is a sentence of
its own). Code, headings and table rows are left out: they are not prose. A word is a
whitespace-separated piece holding at least one letter or digit (Arabic vowel marks do not split
a word; "—" or ":" alone is no word). The same rules read French, English and Arabic.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it.token import Token

#: after the punctuation, closing quotes and brackets still belong to the sentence
SENTENCE_END = re.compile(r"[.!?؟…۔]+[\"'»”’)\]]*(?=\s|$)")
#: blocks that are not prose
SKIPPED_BLOCKS = {"heading_open": "heading_close", "table_open": "table_close"}


@dataclass(frozen=True)
class Sentence:
    text: str
    #: 0-based line in the Markdown text where the sentence starts
    line: int

    @property
    def words(self) -> int:
        return count_words(self.text)


def count_words(text: str) -> int:
    return sum(1 for piece in text.split() if any(char.isalnum() for char in piece))


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph's text (line breaks end a sentence too)."""
    sentences = []
    for line in text.split("\n"):
        start = 0
        for match in SENTENCE_END.finditer(line):
            sentences.append(line[start : match.end()])
            start = match.end()
        sentences.append(line[start:])
    return [sentence.strip() for sentence in sentences if count_words(sentence)]


def _paragraph(block: Token) -> tuple[str, list[tuple[int, int]]]:
    """The prose of an inline block: its text (hard breaks as "\\n", code left out) and the
    (offset, line) where each of its lines starts."""
    line = block.map[0] if block.map else 0
    text, starts = "", [(0, line)]
    for child in block.children or ():
        if child.type == "text":
            text += child.content
        elif child.type in ("softbreak", "hardbreak"):
            text += " " if child.type == "softbreak" else "\n"
            line += 1
            starts.append((len(text), line))
        elif child.type == "code_inline":
            text += " "
    return text, starts


def sentences(tokens: list[Token]) -> Iterator[Sentence]:
    """Every sentence of the prose of parsed Markdown, with the line it starts on."""
    closing: str | None = None
    for token in tokens:
        if closing is not None:
            closing = None if token.type == closing else closing
            continue
        if token.type in SKIPPED_BLOCKS:
            closing = SKIPPED_BLOCKS[token.type]
            continue
        if token.type != "inline":
            continue
        text, starts = _paragraph(token)
        offsets = [offset for offset, _line in starts]
        position = 0
        for sentence in split_sentences(text):
            position = text.find(sentence, position)
            yield Sentence(sentence, starts[bisect_right(offsets, position) - 1][1])
            position += len(sentence)
