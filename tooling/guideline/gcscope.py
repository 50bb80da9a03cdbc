"""Fewer garbage collections while the model is built or compared.

Reading an edition, comparing two and serialising the result allocate hundreds of thousands of small objects that form
no reference cycles (the model is a tree of frozen dataclasses). At Python's default threshold the cyclic collector
runs every 700 net allocations and, as the heap grows, traverses the whole model again and again while finding
nothing.

:func:`fewer_collections` raises the threshold for the duration of such a phase only: code that does create
cyclic garbage must not run inside it, or memory grows unchecked.

:func:`paused` switches the collector off for a stretch that only allocates (decoding a cached parse result, a
``guideline serve`` rebuild); :func:`frozen` wraps a fork, so that the child's collections leave the objects the
parent had alone (a collection would touch, and so copy, their pages).
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


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection inside; the collector is left as it was found."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """The objects that exist now are out of the collector's reach until the block ends (in this process; a
    process forked inside keeps them there)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
