"""Safe YAML loading with line numbers.

ruamel.yaml's round-trip loader keeps each mapping's and sequence's line numbers (``.lc``); we convert its result into
plain Python data plus a side table of line numbers, and refuse every explicit tag (``!!python/object``, ``!foo``):
our sources have no use for them and a tag that constructs objects is an attack.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

try:  # ruamel >= 0.17 exposes TaggedScalar here
    from ruamel.yaml.comments import TaggedScalar
except ImportError:  # pragma: no cover
    TaggedScalar = ()  # type: ignore[assignment]

_STANDARD_TAGS = {
    None,
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


class YamlProblem(Exception):
    """A YAML text that cannot be used; ``line`` is 1-based within the text."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Located:
    """Plain data from YAML and where its parts stand: ``lines[path]`` for a key path such as ("nisc", 0, "id")."""

    data: Any
    lines: dict[tuple, int]

    def line(self, *path: Any, default: int = 1) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), default)


def _tag_of(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    if tag is None:
        return None
    value = getattr(tag, "value", tag)  # ruamel >= 0.18 wraps tags in a Tag object
    if value is None:
        return None
    return str(value)


def _shown(tag: str | None) -> str:
    return (tag or "").replace("tag:yaml.org,2002:", "!!")


def _plain(node: Any, path: tuple, lines: dict[tuple, int], base_line: int) -> Any:
    tag = _tag_of(node)
    if tag not in _STANDARD_TAGS:
        raise YamlProblem(f"YAML tag '{_shown(tag)}' is not allowed (tags can construct objects); remove it", lines.get(path, base_line))
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            try:
                kl = node.lc.key(key)[0] + base_line
            except Exception:  # pragma: no cover - defensive
                kl = lines.get(path, base_line)
            lines[path + (key,)] = kl
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise YamlProblem("a mapping key must be a plain scalar", kl)
            out[key] = _plain(node[key], path + (key,), lines, base_line)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            try:
                lines[path + (i,)] = node.lc.item(i)[0] + base_line
            except Exception:  # pragma: no cover
                lines[path + (i,)] = lines.get(path, base_line)
            items.append(_plain(item, path + (i,), lines, base_line))
        return items
    if TaggedScalar and isinstance(node, TaggedScalar):
        raise YamlProblem(f"YAML tag '{_shown(tag)}' is not allowed (tags can construct objects); remove it", lines.get(path, base_line))
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, (bytes, bytearray, set)) or not isinstance(node, (datetime.date, datetime.datetime)):
        raise YamlProblem("this YAML value type is not allowed here; write plain text, numbers, lists or mappings",
                          lines.get(path, base_line))
    return node  # dates stay datetime.date


def _line_of_bad_value(text: str, first_line: int) -> int:
    """Best effort: the first line holding something that looks like an impossible date."""
    import re

    for n, line in enumerate(text.split("\n")):
        for m in re.finditer(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line):
            try:
                datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return first_line + n
    return first_line


def load(text: str, first_line: int = 1) -> Located:
    """Parse one YAML document. ``first_line`` is the file line of the text's first line (for embedded blocks)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark is not None else first_line
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if "found character '\\t'" in str(exc) or "\\t" in what:
            what += " (YAML does not allow tab characters for indentation; use spaces)"
        raise YamlProblem(f"malformed YAML: {what}", line) from None
    except YAMLError as exc:
        raise YamlProblem(f"malformed YAML: {exc}".splitlines()[0], first_line) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date such as 2024-13-02
        raise YamlProblem(f"malformed YAML value: {exc}", _line_of_bad_value(text, first_line)) from None
    except RecursionError:
        raise YamlProblem("malformed YAML: nested too deeply", first_line) from None
    lines: dict[tuple, int] = {(): first_line}
    if data is None:
        return Located(None, lines)
    return Located(_plain(data, (), lines, first_line), lines)
