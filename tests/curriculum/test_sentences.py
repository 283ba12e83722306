"""The sentence splitter of the readability warning reads French, English and Arabic alike."""

from __future__ import annotations

import pytest

from curriculum.rendering import parse
from curriculum.sentences import count_words, sentences, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Salma habite à Benguerir. Elle a 24 ans ! Que fait-elle ? Elle cherche un emploi…",
            ["Salma habite à Benguerir.", "Elle a 24 ans !", "Que fait-elle ?",
             "Elle cherche un emploi…"],
        ),
        (
            'Hamza said: "Ask the council." Then he left! Did it work? Not yet',
            ['Hamza said: "Ask the council."', "Then he left!", "Did it work?", "Not yet"],
        ),
        (
            "تسكن سلمى في ابن جرير. هل تبحث عن عمل؟ نعم! تسجّلت في الوكالة.",
            ["تسكن سلمى في ابن جرير.", "هل تبحث عن عمل؟", "نعم!", "تسجّلت في الوكالة."],
        ),
        (
            "Le budget est de 9.5 millions, voir www.anapec.org et la note (p. 3).",
            ["Le budget est de 9.5 millions, voir www.anapec.org et la note (p.", "3)."],
        ),
    ],
)  # fmt: skip
def test_sentences_end_at_final_punctuation_followed_by_a_space(text, expected):
    assert split_sentences(text) == expected


def test_words_are_pieces_with_a_letter_or_a_digit():
    assert count_words("L'agence — ANAPEC : 9 100 DH.") == 5
    # vowel marks (shadda, sukun, tanwin) do not split an Arabic word
    assert count_words("سجّلْ موعدًا") == 2


def test_list_items_and_hard_breaks_end_sentences_headings_tables_and_code_do_not_count():
    markdown = (
        "## A heading of many many many words\n\n"
        "First line  \nsecond line, same paragraph\nstill the second.\n\n"
        "- an item without a point\n- another item\n\n"
        "| a table | cell. |\n|---|---|\n| one | two. |\n\n"
        "```\ncode. code.\n```\n\n"
        "Text with `inline code. here` in it."
    )

    found = [(sentence.line, sentence.text) for sentence in sentences(parse(markdown))]

    assert found == [
        (2, "First line"),
        (3, "second line, same paragraph still the second."),
        (6, "an item without a point"),
        (7, "another item"),
        (17, "Text with   in it."),
    ]
