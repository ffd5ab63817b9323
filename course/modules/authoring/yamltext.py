"""YAML as the course editor writes it: read tolerantly (a draft may be invalid), written
in the authors' own style (block text, short id lists on one line, comments at the top
kept), and one line of course.yaml changed without rewriting the rest. No Flask."""

from __future__ import annotations

import re
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    # Lists of ids (`options: [a, b, c]`) stay on one line, as authors write them.
    flat = all(isinstance(x, str | int | bool) and len(str(x)) < 40 for x in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump_yaml(data: Any, header: str = "") -> str:
    body = yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6, indent=2
    )
    return header + body


def leading_comments(text: str) -> str:
    """The comment lines at the top of a YAML file, kept when the file is rewritten."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def load_yaml(text: str | None) -> Any:
    if not text:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def set_module_date(text: str, module_id: str, name: str, value: str | None) -> str | None:
    """course.yaml with the module's `name:` date line set to `value`, the rest of the file
    (comments included) as it was; a missing `reviewed:` goes under `status_as_of:`, and
    None takes it out (a restore to "not recorded"). None when the module or its
    `status_as_of:` line is not found."""
    # The module's own lines only: none that starts the next module's entry.
    entry = rf"(-\s+id:\s*{re.escape(module_id)}\s*\n(?:[ \t]+(?!-\s+id:)[^\n]*\n)*?)"
    if value is None:
        if name == "status_as_of":
            return None
        gone = re.compile(entry + rf"[ \t]+{re.escape(name)}:[^\n]*\n")
        return gone.sub(lambda m: m.group(1), text, count=1)
    line = re.compile(entry + rf"([ \t]+{re.escape(name)}:[ \t]*)(\S+)")
    new_text, count = line.subn(lambda m: m.group(1) + m.group(2) + value, text, count=1)
    if count == 1 or name == "status_as_of":
        return new_text if count == 1 else None
    under = re.compile(entry + r"([ \t]+)(status_as_of:[^\n]*\n)")
    new_text, count = under.subn(
        lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(2)}{name}: {value}\n",
        text,
        count=1,
    )
    return new_text if count == 1 else None
