"""Access checks shared by every view: roles, loading an object for the current user, safe
redirects. The rules themselves are ``can_*(user)`` methods on the models."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar
from urllib.parse import urlsplit

from flask import request
from flask_login import current_user, login_required

from .errors import NotAllowed, NotFound

T = TypeVar("T")

#: the roles that run cohorts
STAFF = ("trainer", "admin")


def role_required(*roles: str):
    """The view needs a logged-in user holding one of ``roles`` (else 401 redirect / 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not any(current_user.has_role(role) for role in roles):
                raise NotAllowed()
            return view(*args, **kwargs)

        return wrapper

    return decorator


def authorized(item: T | None, rule: str, user, *, hide: bool = False) -> T:
    """``item`` if it exists (else 404) and ``item.<rule>(user)`` allows it (else 403, or 404 with
    ``hide``: for what one may not even know exists, such as another learner's work)."""
    if item is None:
        raise NotFound()
    if not getattr(item, rule)(user):
        raise NotFound() if hide else NotAllowed()
    return item


def is_safe_redirect(target: str | None) -> bool:
    r"""Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks.

    Browsers drop tabs and newlines inside URLs and read ``\`` as ``/``, so ``/<TAB>/evil.example``
    and ``/\evil.example`` would leave the site: control characters and backslashes are refused.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def next_url(default: str) -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_redirect(target) else default
