"""Languages: which one a request is served in, and what templates need to lay it out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_login import current_user

from curriculum.rendering import RTL_LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
SESSION_KEY = "lms_locale"


def available_languages() -> list[str]:
    return list(current_app.config["LMS_LANGUAGES"])


def select_locale() -> str:
    """Profile language, else the switcher's choice kept in the session, else Accept-Language.

    Outside a request (a CLI command, a background job) it is the default language: messages meant
    for one person are rendered inside ``force_locale(their language)``.
    """
    if not has_request_context():
        return current_app.config["LMS_DEFAULT_LANGUAGE"]
    languages = available_languages()
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["LMS_DEFAULT_LANGUAGE"]
    )


def current_language() -> str:
    return str(get_locale() or current_app.config["LMS_DEFAULT_LANGUAGE"])


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


@contextmanager
def in_language_of(user) -> Iterator[str]:
    """Texts for one person are written in their language (the site's default if unset)."""
    language = user.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]
    with force_locale(language):
        yield language
