"""Read side of the glossary: the file named by ``LMS_GLOSSARY_PATH`` (the packs' own
``curriculum/packs/glossary.yaml`` by default), read again only when it changes."""

from __future__ import annotations

from flask import current_app

from curriculum.glossary import BUNDLED_GLOSSARY, Entry, Glossary, read_glossary

MAX_QUERY = 100


def glossary() -> Glossary | None:
    return read_glossary(current_app.config["LMS_GLOSSARY_PATH"] or BUNDLED_GLOSSARY)


def has_glossary() -> bool:
    """Whether there is a glossary to link to (a template global: the course page's link)."""
    return glossary() is not None


def entries(language: str, query: str) -> list[Entry]:
    found = glossary()
    fallback = current_app.config["LMS_DEFAULT_LANGUAGE"]
    return found.entries(language, fallback, query[:MAX_QUERY]) if found else []
