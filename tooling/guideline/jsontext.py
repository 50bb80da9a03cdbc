"""Indented JSON text, the same characters as ``json.dumps(obj, ensure_ascii=False, indent=n, sort_keys=True)``, faster.

With ``indent`` set, the standard library encodes in Python through nested generators (its C encoder serves only
the compact form), which is a large part of writing a big ``changes.json``. This encoder appends to one list in a plain recursion, using the standard library's C string escaper, and hands
anything it was not written for (a key that is not a string, an object of another type) to ``json.dumps``, so that
the result is always that of ``json.dumps``.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper when the _json accelerator is there

__all__ = ["dumps"]


class _Unsupported(Exception):
    pass


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def dumps(obj: object, indent: int = 1) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=True)``."""
    out: list[str] = []
    append = out.append
    escape = encode_basestring
    newlines: list[str] = []

    def newline(level: int) -> str:
        while len(newlines) <= level:
            newlines.append("\n" + " " * (indent * len(newlines)))
        return newlines[level]

    def encode(value: object, level: int) -> None:
        # exact types first: bool is an int, and subclasses may encode differently in json.dumps
        kind = type(value)
        if kind is str:
            append(escape(value))
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif kind is int:
            append(int.__repr__(value))
        elif kind is float:
            append(_float(value))
        elif kind is dict:
            if not value:
                append("{}")
                return
            if any(type(key) is not str for key in value):
                raise _Unsupported
            inner = newline(level + 1)
            separator = "," + inner
            append("{")
            first = True
            for key in sorted(value):
                append(inner if first else separator)
                first = False
                append(escape(key))
                append(": ")
                encode(value[key], level + 1)
            append(newline(level))
            append("}")
        elif kind is list or kind is tuple:
            if not value:
                append("[]")
                return
            inner = newline(level + 1)
            separator = "," + inner
            append("[")
            first = True
            for item in value:
                append(inner if first else separator)
                first = False
                encode(item, level + 1)
            append(newline(level))
            append("]")
        else:
            raise _Unsupported

    try:
        encode(obj, 0)
    except (_Unsupported, RecursionError):
        return json.dumps(obj, ensure_ascii=False, indent=indent, sort_keys=True)
    return "".join(out)
