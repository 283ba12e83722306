"""The kinds of job: each is written once and runs embedded or on Celery workers alike.

A kind is three plain functions:

- ``prepare(params) -> subject``: checks the parameters when the job is started (raising a
  domain error with a clear message) and names what the job works on;
- ``list_keys(params) -> keys``: the items, listed once when the job begins (strings: ids, serials);
- ``process(job, key)``: does one item, inside its own savepoint, never committing. It returns
  normally when the item is done, raises :class:`SkipItem` when there was nothing to do (the
  reason is kept), and raises anything else when the item failed (the error is kept, the job
  goes on). It must be idempotent: a crash can make it run again for an item whose first run
  was rolled back.

Areas register their kinds at import (``certificates.bulk``); the extension imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from lms.errors import InvalidInput


class SkipItem(Exception):
    """Nothing to do for this item (already done, not eligible); the message says why."""


@dataclass(frozen=True)
class JobKind:
    name: str
    #: the kind in words, translated when shown ("Issue certificates")
    title: Callable[[], str]
    prepare: Callable[[dict[str, Any]], str]
    list_keys: Callable[[dict[str, Any]], Iterable[str]]
    process: Callable[[Any, str], None]


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add a kind (registering the same name twice replaces it, for reloads in development)."""
    _kinds[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind:
    try:
        return _kinds[name]
    except KeyError:
        raise InvalidInput(_("Unknown kind of job: %(kind)s.", kind=name)) from None


def kind_title(name: str) -> str:
    kind = _kinds.get(name)
    return kind.title() if kind else name
