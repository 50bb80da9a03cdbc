"""Clause-level diff of two editions.

``compare(old, new)`` → :class:`~guideline.diff.changeset.ChangeSet`: the annotated model that every diff output
renders (``changes.json``, the HTML redline, the 新旧対照表, Word tracked changes).
"""
from guideline.diff.changeset import ASPECTS, KINDS, Change, ChangeSet, MetaDiff, TextDiff, compare

__all__ = ["ASPECTS", "KINDS", "Change", "ChangeSet", "MetaDiff", "TextDiff", "compare"]
