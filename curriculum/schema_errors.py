"""Pydantic's validation errors said as a pack author reads them: ``file:line: message``, at the
line of the key (or of its mapping when the key is missing)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .yamlsource import YamlDocument

#: said after "missing key '...'" where the key's purpose is not obvious
MISSING_KEY_HINTS = {
    "explanation": " (every choice says why it is right or wrong, in every complete language)",
}


def dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def problems_from_error(error: ValidationError, document: YamlDocument) -> list[tuple[int, str]]:
    """``(line, message)`` for each error: unknown key at its line, missing key at its mapping's."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if part != "[key]")
        kind = item["type"]
        if kind == "extra_forbidden":
            problems.append((document.line(loc), f"unknown key '{dotted(loc)}'"))
        elif kind == "missing":
            hint = MISSING_KEY_HINTS.get(str(loc[-1]), "") if loc else ""
            problems.append((document.line(loc[:-1]), f"missing key '{dotted(loc)}'{hint}"))
        elif loc:
            problems.append((document.line(loc), f"{dotted(loc)}: {_message(item)}"))
        else:
            problems.append((document.line(()), _message(item)))
    return problems


def _message(item: dict[str, Any]) -> str:
    kind = item["type"]
    if kind in ("string_type", "int_type", "bool_type", "list_type", "dict_type"):
        expected = {
            "string_type": "text",
            "int_type": "a whole number",
            "bool_type": "true or false",
            "list_type": "a list",
            "dict_type": "a mapping",
        }[kind]
        value = item.get("input")
        hint = (
            ": put it in quotes" if kind == "string_type" and isinstance(value, int | float) else ""
        )
        return f"must be {expected} (got {_show(value)}{hint})"
    if kind == "model_type":
        return f"must be a mapping (got {_show(item.get('input'))})"
    if kind == "literal_error":
        return f"must be {item['ctx']['expected']} (got {_show(item.get('input'))})"
    if kind == "too_short":
        return f"must have at least {item['ctx']['min_length']} item(s)"
    if kind == "too_long":
        return f"must have at most {item['ctx']['max_length']} item(s)"
    return item["msg"]


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
