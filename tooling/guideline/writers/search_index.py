"""A static character-bigram search index for Japanese text, built at build time and queried by plain JavaScript.

Word-splitting engines (lunr, elasticlunr) find nothing in Japanese, which has no spaces. Here every document's
normalised text is cut into overlapping two-character pieces (「機密性」 → 機密, 密性); a query matches the documents
that hold all of its bigrams, and the browser then checks that the query really occurs as a substring.

Normalisation (both sides, per character with its following marks, so that offsets can be mapped back for
highlighting): Unicode NFKC (full-width ↔ half-width, 「ﾊﾟｽﾜｰﾄﾞ」 → 「パスワード」), then lower case. Bigrams holding white space are not indexed;
the query is split at white space into terms that must all match. ``templates/site/search.js`` implements the same
normalisation and reads the format written by :func:`to_js`:

``window.GUIDELINE_SEARCH_INDEX = {"v": 1, "docs": [[href, label, heading, text, kind], ...],
"grams": {"機密": "0,5,2", ...}}`` — each posting list holds ascending document numbers as base-36 deltas.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

FORMAT_VERSION = 1
GLOBAL_NAME = "GUIDELINE_SEARCH_INDEX"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    href: str  # "page.html#clause-id"
    label: str  # the display address, e.g. "第2編第2章 6.2.(1)"
    heading: str
    text: str
    kind: str = ""  # "" for 例文/本文, "解説" for commentary


_VOICING = "\uff9e\uff9f\u3099\u309a"  # half-width and combining (semi-)voiced sound marks


def _is_mark(ch: str) -> bool:
    return ch in _VOICING or unicodedata.category(ch).startswith("M")


def clusters(text: str) -> list[str]:
    """Characters with their following marks (ﾊﾟ stays together so that NFKC makes it パ)."""
    out: list[str] = []
    for ch in text:
        if out and _is_mark(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def normalize(text: str) -> str:
    """NFKC per character cluster, then lower case (the same as ``norm()`` in search.js)."""
    return "".join(unicodedata.normalize("NFKC", c) for c in clusters(text)).lower()


def bigrams(text: str) -> set[str]:
    """The bigrams of already normalised text, leaving out any that hold white space."""
    out: set[str] = set()
    for a, b in zip(text, text[1:]):
        if not (a.isspace() or b.isspace()):
            out.add(a + b)
    return out


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(digits[r])
    return "".join(reversed(out))


def encode_postings(doc_numbers: list[int]) -> str:
    """Ascending document numbers as comma-separated base-36 deltas: [3, 5, 40] → "3,2,z"."""
    out, prev = [], 0
    for n in doc_numbers:
        out.append(_b36(n - prev))
        prev = n
    return ",".join(out)


def decode_postings(encoded: str) -> list[int]:
    out, total = [], 0
    for part in encoded.split(","):
        if part:
            total += int(part, 36)
            out.append(total)
    return out


def build(docs: list[SearchDoc]) -> dict:
    """The index as a JSON-ready dict (deterministic: documents in the given order, bigrams sorted)."""
    postings: dict[str, list[int]] = {}
    for number, doc in enumerate(docs):
        for gram in bigrams(normalize(doc.heading + "\n" + doc.text)):
            postings.setdefault(gram, []).append(number)
    return {
        "v": FORMAT_VERSION,
        "docs": [[d.href, d.label, d.heading, d.text, d.kind] for d in docs],
        "grams": {gram: encode_postings(postings[gram]) for gram in sorted(postings)},
    }


def to_js(index: dict) -> str:
    """A script that sets ``window.GUIDELINE_SEARCH_INDEX`` (a script, not JSON, so that it loads from file://)."""
    body = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")
    return f"window.{GLOBAL_NAME}={body};\n"


def search(index: dict, query: str) -> list[int]:
    """The reference implementation of the browser search (used by tests): document numbers in order."""
    terms = normalize(query).split()
    if not terms:
        return []
    docs = index["docs"]
    candidates: set[int] | None = None
    for term in terms:
        for gram in bigrams(term):
            encoded = index["grams"].get(gram)
            found = set(decode_postings(encoded)) if encoded else set()
            candidates = found if candidates is None else candidates & found
    pool = range(len(docs)) if candidates is None else sorted(candidates)
    return [n for n in pool if all(t in normalize(docs[n][2] + "\n" + docs[n][3]) for t in terms)]
