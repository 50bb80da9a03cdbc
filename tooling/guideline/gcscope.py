"""Fewer garbage collections while the model is built or compared.

Reading an edition, comparing two and serialising the result allocate hundreds of thousands of small objects that form
no reference cycles (the model is a tree of frozen dataclasses). At Python's default threshold the cyclic collector
runs every 700 net allocations and, as the heap grows, traverses the whole model again and again while finding
nothing: on the 2,042-clause benchmark, `guideline diff --format json` spent ~0.15 s of ~1 s in it.

:func:`fewer_collections` raises the threshold for the duration of such a phase only. It must not wrap layout work:
WeasyPrint does create cyclic garbage, and a PDF build with the raised threshold for its whole run peaked at 929 MB
instead of 356 MB (r5-03, one process).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

THRESHOLD = (50_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    saved = gc.get_threshold()
    if saved[0] >= THRESHOLD[0]:  # nested, or already raised by the caller
        yield
        return
    gc.set_threshold(*THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
