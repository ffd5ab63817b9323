"""YAML with line numbers: mappings and lists that remember where each entry was, so a
problem can name its line; duplicate keys are an error, not a silent overwrite."""

from __future__ import annotations

from typing import Any

import yaml


class LineMap(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 1
    lines: dict

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


def empty_map() -> LineMap:
    result = LineMap()
    result.lines = {}
    return result


class LineSeq(list):
    line: int = 1
    lines: list


class DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line


class LineLoader(yaml.SafeLoader):
    pass


def construct_map(loader: LineLoader, node: yaml.MappingNode) -> LineMap:
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool):  # `true:`/`false:` keys are option ids, not booleans
            key = str(key).lower()
        try:
            hash(key)  # `? [a, b]` is a list key; SafeLoader refuses it this same way
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found unhashable key",
                key_node.start_mark,
            ) from None
        if key in result:
            raise DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def construct_seq(loader: LineLoader, node: yaml.SequenceNode) -> LineSeq:
    result = LineSeq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_map)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_seq)
