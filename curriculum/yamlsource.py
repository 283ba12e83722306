"""YAML that remembers where everything came from.

Pack authors need to be told *where* a problem is, so YAML is loaded through PyYAML's composer:
the node tree gives the data and, for every key path, its line in the file. Booleans are
only ``true`` and ``false`` (lowercase): ``yes``, ``no``, ``on``, ``off`` and ``True`` stay text, so
a choice id ``no`` or an answer ``en: True`` means what the author wrote. Anchors and aliases
(``&name``, ``*name``) are refused, so that a pack costs what it weighs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

PathKey = str | int
KeyPath = tuple[PathKey, ...]


#: deeper than any pack needs (a quiz choice's explanation is at level 6)
MAX_DEPTH = 50


class _Refused(Exception):
    """YAML that a pack may not use; ``mark`` is where it starts."""

    def __init__(self, message: str, mark: yaml.Mark):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only booleans are ``true`` and ``false``, and whose composer refuses
    aliases, anchors and nesting deeper than ``MAX_DEPTH``.

    Aliases are how a few hundred bytes expand into gigabytes ("billion laughs": nine aliases of
    nine aliases of...) or into a structure that contains itself (``a: &a [*a]``); nesting is
    how they exhaust the stack. Without them a pack costs what it weighs.
    """

    def compose_document(self):
        self.depth = 0
        self.first_anchor: yaml.Mark | None = None
        node = super().compose_document()
        if self.first_anchor is not None:  # no alias used it, but an anchor is of no use either
            raise _Refused("YAML anchors are not allowed", self.first_anchor)
        return node

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("YAML aliases are not allowed", event.start_mark)
        if event.anchor is not None and self.first_anchor is None:
            self.first_anchor = event.start_mark
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(f"YAML nesting is deeper than {MAX_DEPTH} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class YamlSyntaxError(ValueError):
    """The text is not valid YAML, or uses what a pack may not (aliases, anchors, deep nesting);
    ``line`` is 1-based (in the text given to ``load_yaml``)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class YamlDocument:
    """The data of a YAML text and the line of every key path in it.

    ``line(("certificate", "wording", "fr"))`` is the line of the key ``fr``; for a path that does
    not exist (a missing key) it is the line of the deepest mapping that does.
    """

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    #: (key path of the mapping, key, line) of every key given twice in a mapping
    duplicate_keys: list[tuple[KeyPath, str, int]] = field(default_factory=list)
    first_line: int = 1

    def line(self, path: Sequence[PathKey] = ()) -> int:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), self.first_line)

    def value_at(self, path: Sequence[PathKey]) -> Any:
        value = self.data
        for key in path:
            value = value[key]
        return value


def load_yaml(text: str, line_offset: int = 0) -> YamlDocument:
    """Load one YAML document; lines are shifted by ``line_offset`` (front matter in Markdown).

    Raises ``YamlSyntaxError`` with the line of the first syntax error.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _Refused as error:
        raise YamlSyntaxError(error.message, error.mark.line + 1 + line_offset) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark is not None else 1) + line_offset
        problem = error.problem or error.context or "invalid YAML"
        raise YamlSyntaxError(f"YAML syntax error: {problem}", line) from error
    except yaml.YAMLError as error:  # e.g. a second document in the file
        raise YamlSyntaxError(f"YAML syntax error: {error}", 1 + line_offset) from error
    document = YamlDocument(data=None, first_line=1 + line_offset)
    if node is None:
        return document
    builder = _Builder(document, line_offset)
    document.lines[()] = node.start_mark.line + 1 + line_offset
    document.data = builder.build(node, ())
    return document


class _Builder:
    def __init__(self, document: YamlDocument, line_offset: int):
        self.document = document
        self.offset = line_offset
        self.constructor = _Loader("")

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            raise YamlSyntaxError(
                f"YAML syntax error: unsupported tag {node.tag}", self.line_of(node)
            )
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.document.lines[(*path, index)] = self.line_of(item)
                items.append(self.build(item, (*path, index)))
            return items
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            raise YamlSyntaxError(
                f"YAML syntax error: {error.problem}", self.line_of(node)
            ) from error

    def build_mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        self.constructor.flatten_mapping(node)  # merge keys (<<)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(
                    "YAML syntax error: a key must be plain text", self.line_of(key_node)
                )
            # Keys are always text as written: `1:` or `true:` are the keys "1" and "true".
            key = str(key_node.value)
            line = self.line_of(key_node)
            if key in mapping:
                self.document.duplicate_keys.append((path, key, line))
            self.document.lines[(*path, key)] = line
            mapping[key] = self.build(value_node, (*path, key))
        return mapping
