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


def _object(objects: list, reference: Any) -> dict | None:
    """The dictionary a pydyf reference (``b"12 0 R"``) points to; None for anything else."""
    try:
        obj = objects[int(reference.split(None, 1)[0])]
    except (AttributeError, ValueError, IndexError):
        return None
    return obj if isinstance(obj, dict) else None


def flatten_text_spans(document: Any, pdf: Any) -> int:
    """Hang the marked content of WeasyPrint's text ``Span`` elements on their parents (see the module docstring).
    Returns how many ``Span`` elements were taken out. ``document`` is unused (the finisher signature)."""
    objects = pdf.objects
    root = _object(objects, pdf.catalog.get("StructTreeRoot"))
    tree = _object(objects, root.get("ParentTree")) if root is not None else None
    nums = tree.get("Nums") if tree is not None else None
    if not isinstance(nums, list):
        return 0  # no parent tree to keep in step: leave the tags as they are
    by_parent: dict[bytes, dict[bytes, int]] = {}  # parent reference -> {span reference: its MCID}
    spans: dict[bytes, dict] = {}
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("S") != "/Span" or obj.get("Type") != "/StructElem":
            continue
        kids = obj["K"] if set(obj) == _SPAN_KEYS else None
        if not isinstance(kids, list) or len(kids) != 1 or type(kids[0]) is not int:
            continue
        parent = _object(objects, obj["P"])
        if (parent is None or parent.get("Type") != "/StructElem" or parent.get("Pg") != obj["Pg"]
                or not isinstance(parent.get("K"), list)):
            continue
        by_parent.setdefault(obj["P"], {})[obj.reference] = kids[0]
        spans[obj.reference] = obj
    lifted: dict[bytes, bytes] = {}  # span reference -> parent reference
    for parent_ref, mcids in by_parent.items():
        kids = _object(objects, parent_ref)["K"]
        for i, kid in enumerate(kids):
            if isinstance(kid, bytes) and kid in mcids:
                kids[i] = mcids[kid]
                lifted[kid] = parent_ref
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
        spans[ref].clear()
    return len(lifted)


__all__ = ["flatten_text_spans"]
