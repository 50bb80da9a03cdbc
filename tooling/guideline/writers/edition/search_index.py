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

import bisect
import json
import operator
import threading
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


# Characters met so far: those that are not marks (and, in _TRANSLATE, what NFKC makes of each one it changes), and
# the marks. Text without marks is one cluster per character, so it is normalised by one str.translate.
_PLAIN: set[str] = set()
_MARKS: set[str] = set()
_TRANSLATE: dict[int, str] = {}


def normalize(text: str) -> str:
    """NFKC per character cluster, then lower case (the same as ``norm()`` in search.js)."""
    chars = set(text)
    new = chars - _PLAIN
    if new:
        if new & _MARKS:
            return normalize_clusters(text)
        for ch in new:
            if _is_mark(ch):
                _MARKS.add(ch)
                continue
            nfkc = unicodedata.normalize("NFKC", ch)
            if nfkc != ch:
                _TRANSLATE[ord(ch)] = nfkc
            _PLAIN.add(ch)
        if new & _MARKS:
            return normalize_clusters(text)
    return text.translate(_TRANSLATE).lower()


def normalize_clusters(text: str) -> str:
    """:func:`normalize` the plain way, cluster by cluster (the reference; used for text holding marks)."""
    return "".join(unicodedata.normalize("NFKC", c) for c in clusters(text)).lower()


def bigrams(text: str) -> set[str]:
    """The bigrams of already normalised text, leaving out any that hold white space."""
    out: set[str] = set()
    for run in text.split():  # str.split() and str.isspace() agree on what white space is
        if len(run) > 1:
            out.update(map(operator.add, run, run[1:]))
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


_B36: list[str] = []


def encode_postings(doc_numbers: list[int]) -> str:
    """Ascending document numbers as comma-separated base-36 deltas: [3, 5, 40] → "3,2,z"."""
    if not doc_numbers:
        return ""
    deltas = list(map(operator.sub, doc_numbers, [0, *doc_numbers[:-1]]))
    top = max(deltas)
    if top >= len(_B36):
        _B36.extend(_b36(n) for n in range(len(_B36), max(top + 1, 2 * len(_B36), 4096)))
    return ",".join(map(_B36.__getitem__, deltas))


def decode_postings(encoded: str) -> list[int]:
    out, total = [], 0
    for part in encoded.split(","):
        if part:
            total += int(part, 36)
            out.append(total)
    return out


# Bigrams of a document's heading and text, by that text; and the postings of the last index built. A preview
# rebuilds the index after every save, when mostly one document has changed: only the changed documents are cut up
# again, and only their bigrams' posting lists are updated and encoded again (the result is the same as building
# from scratch; a different number of documents, or many changes, build from scratch).
_GRAMS: dict[str, frozenset[str]] = {}
MEMO_DOCS = 20000
PATCH_LIMIT = 64  # changed documents up to which the last index is patched
_LOCK = threading.Lock()
_last: dict = {}  # keys: list of texts, grams: their bigram sets, postings: gram -> doc numbers, encoded: gram -> str


def _grams_of(key: str) -> frozenset[str]:
    grams = _GRAMS.get(key)
    if grams is None:
        grams = frozenset(bigrams(normalize(key)))
        if len(_GRAMS) >= MEMO_DOCS:
            _GRAMS.clear()
        _GRAMS[key] = grams
    return grams


def _postings(keys: list[str], grams: list[frozenset[str]]) -> dict[str, str]:
    """gram → encoded posting list, patched from the last build when few documents changed."""
    last = _last
    if last and len(last["keys"]) == len(keys):
        changed = [i for i, (a, b) in enumerate(zip(last["keys"], keys)) if a != b]
        if len(changed) <= PATCH_LIMIT:
            postings, encoded = last["postings"], last["encoded"]
            touched: set[str] = set()
            for i in changed:
                old, new = last["grams"][i], grams[i]
                for gram in old - new:
                    postings[gram].remove(i)
                    touched.add(gram)
                for gram in new - old:
                    bisect.insort(postings.setdefault(gram, []), i)
                    touched.add(gram)
            for gram in touched:
                if postings[gram]:
                    encoded[gram] = encode_postings(postings[gram])
                else:
                    del postings[gram], encoded[gram]
            last["keys"], last["grams"] = keys, grams
            return encoded
    postings = {}
    for number, doc_grams in enumerate(grams):
        for gram in doc_grams:
            found = postings.get(gram)
            if found is None:
                postings[gram] = [number]
            else:
                found.append(number)
    encoded = {gram: encode_postings(numbers) for gram, numbers in postings.items()}
    _last.clear()
    _last.update(keys=keys, grams=grams, postings=postings, encoded=encoded)
    return encoded


def forget() -> None:
    """Drop the memory of earlier builds (the last index and the bigram memo): the next :func:`build` starts from
    scratch, as in a new process (what a test compares an incremental build with)."""
    _last.clear()
    _GRAMS.clear()


def build(docs: list[SearchDoc]) -> dict:
    """The index as a JSON-ready dict (deterministic: documents in the given order, bigrams sorted)."""
    keys = [d.heading + "\n" + d.text for d in docs]
    with _LOCK:
        grams = [_grams_of(k) for k in keys]
        encoded = _postings(keys, grams)
        ordered = {gram: encoded[gram] for gram in sorted(encoded)}
    return {
        "v": FORMAT_VERSION,
        "docs": [[d.href, d.label, d.heading, d.text, d.kind] for d in docs],
        "grams": ordered,
    }


def build_plain(docs: list[SearchDoc]) -> dict:
    """:func:`build` without any memory of earlier builds (the reference for tests)."""
    postings: dict[str, list[int]] = {}
    for number, doc in enumerate(docs):
        for gram in bigrams(normalize_clusters(doc.heading + "\n" + doc.text)):
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
