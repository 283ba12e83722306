"""Human-friendly certificate serials such as ``SPP-2026-7K3M-Q9XD``.

A serial is a course prefix, the year of issuance and eight random characters grouped 4-4. The
random part is drawn with :mod:`secrets` from a 32-character alphabet without the lookalikes
0/O and 1/I, so it is easy to read aloud or type from paper and still carries 40 random bits:
serials cannot be guessed to discover other people's certificates.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

#: Digits 2-9 and the letters without I and O: 32 symbols, 5 bits each.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_LENGTH = 8
GROUP = 4

_PREFIX_RE = re.compile(r"[A-Z][A-Z0-9]{1,9}")
_SERIAL_RE = re.compile(
    rf"[A-Z][A-Z0-9]{{1,9}}-[0-9]{{4}}-[{ALPHABET}]{{{GROUP}}}-[{ALPHABET}]{{{GROUP}}}"
)
# Dashes people paste from PDFs, word processors and phones, all meaning "-".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")


def new_serial(prefix: str, year: int) -> str:
    """A fresh serial, e.g. ``new_serial("spp", 2026)`` → ``"SPP-2026-7K3M-Q9XD"``.

    ``prefix`` is 2 to 10 letters or digits starting with a letter (upper-cased here).
    Raises ``ValueError`` on a prefix or year that would give an invalid serial.
    """
    prefix = prefix.strip().upper()
    if not _PREFIX_RE.fullmatch(prefix):
        raise ValueError(
            f"Serial prefix {prefix!r} must be 2 to 10 letters or digits, starting with a letter"
        )
    if not 1000 <= year <= 9999:
        raise ValueError(f"Serial year {year!r} must have four digits")
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{year}-{random_part[:GROUP]}-{random_part[GROUP:]}"


def normalize_serial(text: str) -> str:
    """The canonical form of a serial someone typed or pasted: upper-case, without spaces, with
    any kind of dash turned into ``-``. Lookalikes are *not* mapped (``O`` stays ``O``): the
    alphabet excludes them, so such a serial is simply invalid rather than silently another one.
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return "".join(text.split()).upper()


def is_valid_serial(text: str) -> bool:
    """Whether ``text`` is a serial in canonical form (normalise user input first)."""
    return isinstance(text, str) and _SERIAL_RE.fullmatch(text) is not None
