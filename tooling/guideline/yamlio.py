"""Safe YAML loading with line numbers.

We only *compose* YAML (libyaml's C parser through PyYAML when available: ~15× faster than a pure-Python parser, which
matters for 2,000 metadata blocks) and turn the node graph into plain Python data ourselves, so no YAML tag can ever
construct an object: every explicit tag other than the standard scalar/collection ones is refused, and so are
aliases (``*name``: no use in our sources, and the way to a billion-laughs blow-up) and duplicate keys.
Each key and item keeps its line number (see :class:`Located`).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}
MAX_NODES = 200_000
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")  # markup.CONTROL_RE and NUL


class YamlProblem(Exception):
    """A YAML text that cannot be used; ``line`` is the 1-based line in the file."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Located:
    """Plain data from YAML and where its parts stand: ``lines[path]`` for a key path such as ("nisc", 0, "id")."""

    data: Any
    lines: dict[tuple, int]
    raw: dict[tuple, str] | None = None

    def text(self, *path: Any) -> str | None:
        """The scalar at ``path`` exactly as written (``2.10`` stays "2.10", not the float 2.1)."""
        return (self.raw or {}).get(path)

    def line(self, *path: Any, default: int = 1) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), default)


def _shown(tag: str | None) -> str:
    return (tag or "").replace("tag:yaml.org,2002:", "!!")


class _Converter:
    def __init__(self, first_line: int):
        self.first_line = first_line
        self.lines: dict[tuple, int] = {}
        self.seen: set[int] = set()
        self.raw: dict[tuple, str] = {}
        self.scalars = SafeConstructor()

    def line_of(self, node: Node) -> int:
        return node.start_mark.line + self.first_line

    def convert(self, node: Node, path: tuple) -> Any:
        if id(node) in self.seen:
            raise YamlProblem("YAML aliases (*name) are not allowed here; write the value out", self.line_of(node))
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise YamlProblem(f"YAML document too large (more than {MAX_NODES} values)", self.line_of(node))
        self.lines[path] = self.line_of(node)
        if node.tag not in _STANDARD_TAGS:
            raise YamlProblem(f"YAML tag '{_shown(node.tag)}' is not allowed (tags can construct objects); remove it",
                              self.line_of(node))
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise YamlProblem("a mapping key must be a plain value", self.line_of(key_node))
                key = self.convert(key_node, path + ("<key>",))
                if key in out:
                    raise YamlProblem(f"duplicate key {key!r}; keep one", self.line_of(key_node))
                self.lines[path + (key,)] = self.line_of(key_node)
                out[key] = self.convert(value_node, path + (key,))
                self.lines[path + (key,)] = self.line_of(key_node)
            self.lines.pop(path + ("<key>",), None)
            return out
        if isinstance(node, SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                items.append(self.convert(item, path + (i,)))
            return items
        self.raw[path] = node.value
        try:
            value = self.scalars.construct_object(node)
        except (ConstructorError, ValueError, TypeError, OverflowError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise YamlProblem(f"malformed YAML value: {problem}", self.line_of(node)) from None
        if isinstance(value, str) and _CONTROL_RE.search(value):  # "\e", "\f", "\x85" escapes in quoted text
            bad = _CONTROL_RE.search(value).group()
            raise YamlProblem(f"control character U+{ord(bad):04X} in a YAML value; delete the escape",
                              self.line_of(node))
        return value


def load(text: str, first_line: int = 1) -> Located:
    """Parse one YAML document. ``first_line`` is the file line of the text's first line (for embedded blocks)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark is not None else first_line
        line = min(line, first_line + max(0, len(text.rstrip("\n").split("\n")) - 1))  # "end of stream": last line
        what = (exc.problem or exc.context or "malformed YAML").strip()
        start = exc.context_mark
        if exc.problem and exc.context and start is not None and mark is not None and start.line != mark.line:
            what += f" ({exc.context.strip()} that starts at line {start.line + first_line})"  # an unclosed "…[
        lines = text.split("\n")
        if "\t" in (lines[mark.line] if mark is not None and mark.line < len(lines) else ""):
            what += " (YAML does not allow tab characters for indentation; use spaces)"
        elif mark is not None and mark.line < len(lines) and lines[mark.line].strip():
            what += _likely_cause(exc.problem or "", lines, mark.line)
        raise YamlProblem(f"malformed YAML: {what}", line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"malformed YAML: {str(exc).splitlines()[0] if str(exc) else 'unreadable'}",
                          first_line) from None
    except (RecursionError, MemoryError):
        raise YamlProblem("malformed YAML: nested too deeply", first_line) from None
    if node is None:
        return Located(None, {(): first_line})
    conv = _Converter(first_line)
    try:
        data = conv.convert(node, ())
    except RecursionError:
        raise YamlProblem("malformed YAML: nested too deeply", first_line) from None
    except YamlProblem as exc:
        if exc.message.startswith("YAML aliases"):  # the node graph knows only the anchor: find the first *alias
            exc.line = _first_alias_line(text, first_line) or exc.line
        raise
    return Located(data, conv.lines, conv.raw)


_NO_SPACE_RE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:[^\s/]")  # key:value (a URL's "//" is no such slip)


def _likely_cause(problem: str, lines: list[str], index: int) -> str:
    """What the user most likely did at ``lines[index]`` (where libyaml stopped), with the line as typed."""
    here = lines[index]
    shown = f": {here!r}"
    above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
    indent = lambda s: len(s) - len(s.lstrip(" "))  # noqa: E731
    if "mapping values are not allowed" in problem:
        if re.search(r":\s.*:\s", here):
            return (shown + "; a value that contains ': ' must be quoted, e.g. rationale: \"A: B\" (or indentation, "
                    "or a missing space after ':' on the line above)")
        if _NO_SPACE_RE.match(above):
            return (shown + f"; most likely a missing space after ':' in the line above ({above.strip()!r}), "
                    "or wrong indentation")
        if above and indent(here) > indent(above):
            return (shown + f"; most likely this line is indented more than the line above ({above.strip()!r}): "
                    "indent keys of one mapping alike (or a missing space after ':' above)")
        return shown + "; check the indentation, a missing space after ':' or a value with ': ' that needs quotes"
    if "could not find expected ':'" in problem or "did not find expected" in problem:
        if _NO_SPACE_RE.match(here):
            return shown + "; most likely a missing space after ':' (write 'key: value')"
        return shown + "; check the indentation of this line against the lines above, and a space after each ':'"
    return ""


def _first_alias_line(text: str, first_line: int) -> int | None:
    """The file line of the first ``*alias`` (composed nodes carry the anchor's position, not the alias's)."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + first_line
    except yaml.YAMLError:
        pass
    return None


def key_line(path: str, key: str) -> int:
    """The line of the top-level ``key:`` in the YAML file at ``path``, or 1 when it is not there or the file
    cannot be read: for pointing a diagnostic at a key of a file that was read (and checked) earlier."""
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.startswith(f"{key}:"):
                    return n
    except OSError:
        pass
    return 1
