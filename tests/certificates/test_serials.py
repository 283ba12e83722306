"""Serials people read off paper and type into the verify page."""

from __future__ import annotations

import re

import pytest

from certificates.serials import ALPHABET, is_valid_serial, new_serial, normalize_serial


def test_a_serial_is_prefix_year_and_two_groups_of_four():
    serial = new_serial("SPP", 2026)
    assert re.fullmatch(r"SPP-2026-[0-9A-Z]{4}-[0-9A-Z]{4}", serial)
    assert is_valid_serial(serial)


def test_the_alphabet_has_32_symbols_and_no_lookalikes():
    assert len(set(ALPHABET)) == len(ALPHABET) == 32
    assert not set("0O1I") & set(ALPHABET)


def test_serials_are_random_over_the_whole_alphabet_and_do_not_repeat():
    serials = [new_serial("spp", 2026) for _ in range(20_000)]
    assert len(set(serials)) == len(serials)
    used = set("".join(serial[9:].replace("-", "") for serial in serials))
    assert used == set(ALPHABET)


def test_the_prefix_is_upper_cased_and_checked():
    assert new_serial(" spp ", 2026).startswith("SPP-2026-")
    for bad in ("", "S", "1SP", "SP-P", "ÉCOLE", "ABCDEFGHIJK"):
        with pytest.raises(ValueError, match="prefix"):
            new_serial(bad, 2026)
    with pytest.raises(ValueError, match="year"):
        new_serial("SPP", 26)


@pytest.mark.parametrize(
    "typed",
    [
        "spp-2026-7k3m-q9xd",
        "  SPP-2026-7K3M-Q9XD\n",
        "SPP - 2026 - 7K3M - Q9XD",
        "SPP–2026—7K3M‑Q9XD",  # en dash, em dash, non-breaking hyphen pasted from a PDF
        "ＳＰＰ-２０２６-７Ｋ３Ｍ-Ｑ９ＸＤ",  # full-width, from a phone keyboard
    ],
)
def test_what_people_type_normalises_to_the_serial(typed):
    assert normalize_serial(typed) == "SPP-2026-7K3M-Q9XD"
    assert is_valid_serial(normalize_serial(typed))


@pytest.mark.parametrize(
    "text",
    [
        "SPP-2026-7K3M-Q9X",  # too short
        "SPP-2026-7K3MQ9XD",  # not grouped
        "SPP-2026-7K3O-Q9XD",  # O is not in the alphabet (and is not silently read as 0)
        "SPP-2026-7K30-Q9XD",
        "SPP-2026-7K3I-Q9XD",
        "SPP-2026-7K31-Q9XD",
        "spp-2026-7k3m-q9xd",  # not normalised
        "SPP-26-7K3M-Q9XD",
        "../SPP-2026-7K3M-Q9XD",
        None,
        42,
    ],
)
def test_invalid_serials_are_rejected(text):
    assert not is_valid_serial(text)


def test_normalising_does_not_map_lookalikes():
    assert normalize_serial("spp-2026-7k3o-q9xd") == "SPP-2026-7K3O-Q9XD"
    assert not is_valid_serial(normalize_serial("spp-2026-7k3o-q9xd"))
