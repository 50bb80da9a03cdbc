"""A smaller tag tree for WeasyPrint's tagged PDFs: marked content straight below the element that means something.

WeasyPrint (pdf/ua-1) wraps every piece of text it draws (every text box of every line) in a structure element of
its own, a ``Span`` without attributes whose only kid is the marked-content ID of that text; an inline element of the
HTML (``<span class="num">``, a placeholder) becomes a ``Span`` too, and generated text (list markers, the
punctuation of ``::before``/``::after``) a ``NonStruct``. Neither says anything a reader needs when it has no
attributes (no language, alternate or actual text, no role of its own): ``NonStruct`` is by definition no structure,
and a bare ``Span`` only groups inline content. The PDF structure model lets the marked content hang directly below
the paragraph, heading, cell or list body that holds it, which is how WeasyPrint itself tags the text of links. On
the benchmark edition the text ``Span`` elements alone were 64,000 of the joined PDF's 113,000 objects; once they
were lifted, the remaining bare ``Span`` and ``NonStruct`` elements were still 23,000 of 63,000. Joining and writing
the 670-page document costs about in proportion to the objects. A ``<div>`` of the HTML becomes a ``Div``, a
grouping that says nothing either: the 8,694 bare ``Div`` elements were the next largest share (39,311 → 30,527
objects, the PDF 3.19 → 3.05 MB).

:func:`flatten_bare_tags` is a WeasyPrint *finisher* (``write_pdf(finisher=...)``): it runs on the ``pydyf``
objects right before they are written. A *bare* element is a ``Span``, ``NonStruct`` or ``Div`` with no key other
than ``Type``, ``S``, ``K``, ``P`` and ``Pg``, whose kids are marked-content IDs (after its own bare kids were
lifted; a ``Div``'s may be structure elements too, if no other element names it as its parent), and whose parent is a
structure element with a list of kids (on the same page, when it has marked-content IDs): its kids take its place,
in order, in its parent's kids, the elements among them name that parent as theirs, and the parent tree maps its IDs
to that parent (to the nearest ancestor kept, when the parent went too).
The emptied elements stay in the file (``pydyf`` numbers objects by position) as empty dictionaries that nothing
refers to; the joined PDF leaves them out, since only what is referenced is copied. Anything else (attributes,
another page than its parent, an annotation or a marked-content reference among its kids) is kept as it is.
"""
from __future__ import annotations

from typing import Any

_BARE_KEYS = frozenset({"Type", "S", "K", "Pg", "P"})
_REQUIRED_KEYS = frozenset({"Type", "S", "K", "P"})
_NEUTRAL = frozenset({"/Span", "/NonStruct", "/Div"})


def _object(objects: list, reference: Any) -> dict | None:
    """The dictionary a pydyf reference (``b"12 0 R"``) points to; None for anything else."""
    try:
        obj = objects[int(reference.split(None, 1)[0])]
    except (AttributeError, ValueError, IndexError):
        return None
    return obj if isinstance(obj, dict) else None


def flatten_bare_tags(document: Any, pdf: Any) -> int:
    """Hang the kids of bare ``Span``, ``NonStruct`` and ``Div`` elements on their parents (see the module
    docstring). Returns how many elements were taken out. ``document`` is unused (the finisher signature)."""
    objects = pdf.objects
    root = _object(objects, pdf.catalog.get("StructTreeRoot"))
    tree = _object(objects, root.get("ParentTree")) if root is not None else None
    nums = tree.get("Nums") if tree is not None else None
    if not isinstance(nums, list):
        return 0  # no parent tree to keep in step: leave the tags as they are
    candidates: dict[bytes, dict] = {}  # bare elements not lifted yet, by reference, in object order
    children: dict[bytes, int] = {}  # element reference -> how many elements name it as their parent
    for obj in objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem":
            parent_ref = obj.get("P")
            if isinstance(parent_ref, bytes):
                children[parent_ref] = children.get(parent_ref, 0) + 1
            if (obj.get("S") in _NEUTRAL and _REQUIRED_KEYS <= set(obj) <= _BARE_KEYS
                    and isinstance(obj["K"], list)):
                candidates[obj.reference] = obj
    lifted: dict[bytes, bytes] = {}  # element reference -> its parent's reference
    emptied: list[dict] = []
    progress = True
    while progress:  # innermost first: an element whose bare kids were lifted may go in the next round
        progress = False
        for ref, obj in list(candidates.items()):
            kids = obj["K"]
            if not kids:
                continue
            elements = [_object(objects, kid) for kid in kids if type(kid) is not int]
            if ((elements and obj["S"] != "/Div") or children.get(ref, 0) != len(elements)
                    or any(e is None or e.get("Type") != "/StructElem" or e.get("P") != ref for e in elements)):
                # a kid that is not an MCID or (of a Div) a structure element of its own, or an element that
                # names it as parent without being its kid (WeasyPrint's margin boxes do that)
                continue
            parent = _object(objects, obj["P"])
            siblings = parent.get("K") if parent is not None else None
            if (parent is None or parent.get("Type") != "/StructElem" or not isinstance(siblings, list)
                    or (len(elements) < len(kids) and (obj.get("Pg") is None or parent.get("Pg") != obj["Pg"]))):
                del candidates[ref]
                continue
            at = next((i for i, kid in enumerate(siblings) if isinstance(kid, bytes) and kid == ref), None)
            if at is None:
                del candidates[ref]
                continue
            siblings[at:at + 1] = kids
            for element in elements:
                element["P"] = obj["P"]
            children[obj["P"]] = children.get(obj["P"], 0) - 1 + len(elements)
            lifted[ref] = obj["P"]
            emptied.append(obj)
            del candidates[ref]
            progress = True
    if not lifted:
        return 0

    def keeper(ref: bytes) -> bytes:
        while ref in lifted:
            ref = lifted[ref]
        return ref

    # the parent tree: page arrays (MCID -> element) and annotation entries
    for k in range(1, len(nums), 2):
        value = nums[k]
        if isinstance(value, list):
            for i, ref in enumerate(value):
                if isinstance(ref, bytes) and ref in lifted:
                    value[i] = keeper(ref)
        elif isinstance(value, bytes) and value in lifted:
            nums[k] = keeper(value)
    for obj in emptied:
        obj.clear()
    return len(lifted)


__all__ = ["flatten_bare_tags"]
