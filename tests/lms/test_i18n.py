"""Languages: French by default, English and Arabic; profile, then switcher, then Accept-Language;
``<html lang dir>``; and the catalogues, once they exist, complete and compiled."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch
from flask_babel import gettext

from curriculum.db import db
from lms.i18n import select_locale

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lms" / "translations"
TRANSLATED_LANGUAGES = ("fr", "ar")
#: every catalogue shipped: English too (its msgstr is the msgid, never empty)
CATALOGUE_LANGUAGES = (*TRANSLATED_LANGUAGES, "en")
PACKAGES = ("lms", "certificates", "curriculum")


def html_tag(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<html") : html.index(">", html.index("<html")) + 1]


def test_french_is_the_default(client):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)  # a browser that states no preference
    assert html_tag(client.get("/")) == '<html lang="fr" dir="ltr">'
    assert (
        html_tag(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}))
        == '<html lang="fr" dir="ltr">'
    )


def test_the_browser_language_is_used_when_nothing_else_is_known(client):
    for accept, tag in [
        ("en-GB,en;q=0.8", '<html lang="en" dir="ltr">'),
        ("ar-MA", '<html lang="ar" dir="rtl">'),
        ("de;q=1, ar;q=0.5, fr;q=0.4", '<html lang="ar" dir="rtl">'),
        ("fr-MA", '<html lang="fr" dir="ltr">'),
    ]:
        assert html_tag(client.get("/login", headers={"Accept-Language": accept})) == tag, accept


def test_the_switcher_is_remembered_for_the_visit(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/language?next=/login", data={"language": "ar"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login")
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    html = page.get_data(as_text=True)
    assert 'value="ar" lang="ar"\n          aria-pressed="true" class="current"' in html

    client.post("/language", data={"language": "klingon"})  # not offered: ignored
    assert html_tag(client.get("/")) == '<html lang="ar" dir="rtl">'


def test_the_profile_language_comes_first(client, make_user, login):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    client.post("/language", data={"language": "ar"})
    login(make_user(locale="en"))
    assert html_tag(client.get("/account")) == '<html lang="en" dir="ltr">'


def test_switching_language_when_logged_in_updates_the_profile(client, make_user, login):
    user = make_user(locale="fr")
    login(user)
    client.post("/language", data={"language": "ar"})
    db.session.refresh(user)
    assert user.locale == "ar"
    assert html_tag(client.get("/account")) == '<html lang="ar" dir="rtl">'


def test_registration_offers_the_current_language_first(client):
    html = client.get("/register", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<option selected value="ar">العربية</option>' in html


def test_outside_a_request_the_default_language_is_used(app):
    """A command or a background job has no browser to ask (and must not crash asking)."""
    assert select_locale() == "fr"
    assert gettext("Page not found")  # translating outside a request works


# -- catalogues -----------------------------------------------------------------------------------


def mapping():
    with open(ROOT / "babel.cfg") as handle:
        return parse_mapping_cfg(handle)


def extracted_messages() -> dict[str, str]:
    """msgid → where it was found, extracted as ``make translations`` does (babel.cfg)."""
    method_map, options_map = mapping()
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _key(value):
    """Plural messages come as tuples from a .po file and as lists from a .mo file."""
    return value if isinstance(value, str) else tuple(value)


def catalogue_paths(language: str) -> tuple[Path, Path]:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    return folder / "messages.po", folder / "messages.mo"


def test_every_templates_folder_is_extracted():
    """babel.cfg reads the templates of every ``templates`` folder of the packages (an area's
    own, such as lms/lti/templates, too): the strings of a folder left out would be marked
    obsolete by ``make translations``."""
    method_map, _options = mapping()
    patterns = [pattern for pattern, method in method_map if method == "jinja2"]
    left_out = [
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for folder in (ROOT / package).rglob("templates")
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.suffix in (".html", ".txt")
        and not any(pathmatch(p, path.relative_to(ROOT).as_posix()) for p in patterns)
    ]
    assert left_out == []
    found = extracted_messages()
    assert found["Choose what to add to your course"].startswith("lms/lti/templates/")
    assert found["Search the catalogue"].startswith("lms/lti/templates/")


@pytest.mark.skipif(
    not all(catalogue_paths(language)[0].exists() for language in CATALOGUE_LANGUAGES),
    reason="the fr, ar and en catalogues are not written yet",
)
@pytest.mark.parametrize("language", CATALOGUE_LANGUAGES)
def test_catalogues_complete(language):
    po_path, mo_path = catalogue_paths(language)
    with open(po_path, "rb") as handle:
        catalogue = read_po(handle, locale=language)

    problems = []
    for msgid, where in sorted(extracted_messages().items()):
        message = catalogue.get(msgid)
        strings = (
            ()
            if message is None
            else (message.string if isinstance(message.string, tuple) else (message.string,))
        )
        if not strings or not all(strings):
            problems.append(f"{where}: not translated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"{where}: fuzzy: {msgid!r}")
    if language == "en":  # English says each message as it is written (plural forms too)
        problems.extend(
            f"{po_path.name}:{m.lineno}: the English is not the msgid: {m.id!r}"
            for m in catalogue
            if m.id and _key(m.string) != _key(m.id)
        )
    for message, errors in catalogue.check():  # placeholders such as %(n)d kept in translations
        problems.extend(f"{po_path.name}:{message.lineno}: {error}" for error in errors)
    assert problems == [], f"{language}: " + "\n".join(problems)

    # The compiled catalogue says the same as the .po file (run `make translations` after edits).
    assert mo_path.exists(), f"{mo_path} is missing: run `make translations`"
    with open(mo_path, "rb") as handle:
        compiled = read_mo(io.BytesIO(handle.read()))
    expected = {_key(m.id): _key(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}
    actual = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert actual == expected, f"{mo_path} is out of date: run `make translations`"
