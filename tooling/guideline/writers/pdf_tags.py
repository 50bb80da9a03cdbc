"""A smaller tag tree for WeasyPrint's tagged PDFs: marked text straight below its structure element.

WeasyPrint (pdf/ua-1) wraps every piece of text it draws (every text box of every line) in a structure element of
its own, a ``Span`` without attributes whose only kid is the marked-content ID of that text. Such a ``Span`` says
nothing a reader needs (it has no language, alternate text or role of its own); the PDF structure model lets the
marked content hang directly below the paragraph, heading, cell or list body that holds it, which is how WeasyPrint
itself tags the text of links. On the benchmark edition those ``Span`` elements were 64,000 of the joined PDF's
113,000 objects, and joining and writing the 670-page document costs about in proportion to the objects.

:func:`flatten_text_spans` is a WeasyPrint *finisher* (``write_pdf(finisher=...)``): it runs on the ``pydyf`` objects
right before they are written and, for each such ``Span``, puts its marked-content ID in its parent's kids in its
place and maps that ID to the parent in the parent tree. The emptied ``Span`` objects stay in the file (``pydyf``
numbers objects by position) as empty dictionaries that nothing refers to; the joined PDF leaves them out, since only
what is referenced is copied. A ``Span`` that has anything else (attributes, several kids, another page than its
parent) is kept as it is.
"""
from __future__ import annotations

from typing import Any

_SPAN_KEYS = frozenset({"Type", "S", "K", "Pg", "P"})


def _number(reference: Any) -> int | None:
    """The object number of a pydyf reference (``b"12 0 R"``)."""
    if isinstance(reference, (bytes, str)):
        head = reference.split()[0] if reference.split() else b""
        try:
            return int(head)
        except ValueError:
            return None
    return None


def flatten_text_spans(document: Any, pdf: Any) -> int:
    """Hang the marked content of WeasyPrint's text ``Span`` elements on their parents (see the module docstring).
    Returns how many ``Span`` elements were taken out. ``document`` is unused (the finisher signature)."""
    objects = pdf.objects
    root = _structure_root(pdf)
    tree_number = _number(root.get("ParentTree")) if root is not None else None
    tree = objects[tree_number] if tree_number is not None and 0 < tree_number < len(objects) else None
    nums = tree.get("Nums") if isinstance(tree, dict) else None
    if not isinstance(nums, list):
        return 0  # no parent tree to keep in step: leave the tags as they are
    lifted: dict[bytes, bytes] = {}  # span reference -> parent reference
    by_parent: dict[int, dict[bytes, int]] = {}  # parent number -> {span reference: mcid}
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("S") != "/Span" or obj.get("Type") != "/StructElem":
            continue
        if set(obj) != _SPAN_KEYS:
            continue
        kids = obj["K"]
        if not isinstance(kids, list) or len(kids) != 1 or type(kids[0]) is not int:
            continue
        number = _number(obj["P"])
        if number is None or not 0 < number < len(objects):
            continue
        parent = objects[number]
        if not isinstance(parent, dict) or parent.get("Type") != "/StructElem" or parent.get("Pg") != obj["Pg"]:
            continue
        if not isinstance(parent.get("K"), list):
            continue
        by_parent.setdefault(number, {})[obj.reference] = kids[0]
    for number, spans in by_parent.items():
        parent = objects[number]
        kids = parent["K"]
        found = [i for i, kid in enumerate(kids) if isinstance(kid, bytes) and kid in spans]
        for i in found:
            ref = kids[i]
            kids[i] = spans[ref]
            lifted[ref] = parent.reference
    if not lifted:
        return 0
    # the parent tree: page arrays (MCID -> element) and annotation entries
    for k in range(1, len(nums), 2):
        value = nums[k]
        if isinstance(value, list):
            for i, ref in enumerate(value):
                if isinstance(ref, bytes) and ref in lifted:
                    value[i] = lifted[ref]
        elif isinstance(value, bytes) and value in lifted:
            nums[k] = lifted[value]
    for ref in lifted:
        objects[_number(ref)].clear()
    return len(lifted)


def _structure_root(pdf: Any) -> dict | None:
    number = _number(pdf.catalog.get("StructTreeRoot"))
    if number is None or not 0 < number < len(pdf.objects):
        return None
    root = pdf.objects[number]
    return root if isinstance(root, dict) else None


__all__ = ["flatten_text_spans"]
