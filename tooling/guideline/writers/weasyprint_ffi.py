"""WeasyPrint's C bindings declared once per installation instead of once per process.

WeasyPrint reaches Pango, HarfBuzz and fontconfig through cffi in its *in-line* ABI mode: ``weasyprint/text/ffi.py``
declares ~450 lines of C (``ffi.cdef``), which pycparser parses at every import, and every C type named in a string
afterwards (``ffi.new("PangoRectangle *")``, ``ffi.new(f"hb_codepoint_t[{n}]", ...)``) is parsed by pycparser
again the first time a process meets it. cffi's *out-of-line* ABI mode keeps the same declarations in a generated
Python module that loads at once and parses type strings in C. :func:`install` builds that module from WeasyPrint's
own declarations (once, kept in the user's cache directory, named by a hash of the declarations and of the cffi and
Python versions) and makes ``weasyprint.text.ffi`` use it: the module's source is run as it is apart from the one
statement that creates and declares ``ffi``. The same C functions are called with the same arguments, so the output
is the same byte for byte (tested).

Measured on the project machine (2 cores): ``import weasyprint`` 0.73-0.87 s → 0.33-0.40 s; laying out a one-page
tagged document for the first time in a process 0.38-0.50 → 0.29 CPU-s, the second time 0.28-0.36 → 0.24-0.25
CPU-s. It matters most where a fresh process lays out one document: the PDF fork server imports WeasyPrint before
it can fork a worker, and a one-clause edit's worker lays out a single unit (:mod:`guideline.writers.pdf`).

Anything unexpected leaves WeasyPrint alone (the plain import follows): a ``ffi.py`` that does not consist of exactly
one ``ffi = cffi.FFI()`` / ``ffi.cdef('''...''')`` pair, an unwritable cache (the module is then generated in a
temporary directory and used from memory), a failure while running the adapted module. ``GUIDELINE_WEASYPRINT_FFI=0``
turns it off.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import os
import sys
import tempfile
from pathlib import Path

from guideline.diagnostics import UserError
from guideline.fileio import atomic_write

log = logging.getLogger(__name__)

ENV = "GUIDELINE_WEASYPRINT_FFI"
MODULE = "weasyprint.text.ffi"
OPENING = "ffi = cffi.FFI()\nffi.cdef('''"
CLOSING = "''')"
FORMAT = "1"  # bump when the generated module or the way it is used changes

_installed: bool | None = None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "guideline" / "cffi"


def adapt(source: str) -> tuple[str, str] | None:
    """``(adapted source, declarations)`` for WeasyPrint's ffi.py: the source with its ``ffi = cffi.FFI()`` /
    ``ffi.cdef('''...''')`` statement replaced by the prebuilt ``ffi`` (and as many newlines, so that every line
    below keeps its number); None unless the source has exactly that shape."""
    if source.count(OPENING) != 1:
        return None
    start = source.index(OPENING)
    end = source.find(CLOSING, start + len(OPENING))
    if end < 0:
        return None
    before, declarations, after = source[:start], source[start + len(OPENING):end], source[end + len(CLOSING):]
    if any(word in after for word in ("ffi.cdef", "ffi.set_source", "ffi.include", "cffi.FFI(")):
        return None
    newlines = OPENING.count("\n") + declarations.count("\n")
    return before + "ffi = _GUIDELINE_PREBUILT_FFI" + "\n" * newlines + after, declarations


def _load(text: str, name: str):
    """The ``ffi`` object a generated module defines (it only calls ``_cffi_backend.FFI``)."""
    if not text.startswith("# auto-generated file") or f"FFI('{name}'" not in text:
        raise ValueError("not a module generated for these declarations")
    namespace: dict = {"__name__": name}
    exec(compile(text, f"<{name}>", "exec"), namespace)
    return namespace["ffi"]


def prebuilt_ffi(declarations: str):
    """An out-of-line ABI-mode ``ffi`` declaring ``declarations``: from the generated module in :func:`cache_dir`,
    made (and written there) when missing or unusable."""
    import cffi

    digest = hashlib.sha256("\0".join((FORMAT, cffi.__version__, sys.version, declarations)).encode()).hexdigest()
    name = f"_guideline_weasyprint_{digest[:16]}"
    path = cache_dir() / f"{name}.py"
    try:
        return _load(path.read_text(encoding="utf-8"), name)
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - damaged: made again
        log.debug("%s unusable (%s); made again", path, exc)
    builder = cffi.FFI()
    builder.cdef(declarations)
    builder.set_source(name, None)
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / f"{name}.py"
        builder.emit_python_code(str(target))
        text = target.read_text(encoding="utf-8")
    ffi = _load(text, name)
    try:
        atomic_write(path, text)
    except (UserError, OSError) as exc:  # used from memory this time
        log.debug("cffi module not cached: %s", exc)
    return ffi


class _Loader(importlib.abc.Loader):
    def __init__(self, path: str, source: str, ffi):
        self.path = path
        self.source = source
        self.ffi = ffi

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__dict__["_GUIDELINE_PREBUILT_FFI"] = self.ffi
        exec(compile(self.source, self.path, "exec"), module.__dict__)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, loader: _Loader):
        self.loader = loader

    def find_spec(self, name, path=None, target=None):
        if name != MODULE:
            return None
        sys.meta_path.remove(self)  # once: a fallback import finds the original
        spec = importlib.machinery.ModuleSpec(name, self.loader, origin=self.loader.path)
        spec.has_location = True  # __file__ is the original's
        return spec


def install() -> bool:
    """Make the next ``import weasyprint`` use the prebuilt declarations; True when it will (or already did).
    Does nothing once WeasyPrint's bindings are imported, when turned off, or when anything looks unexpected."""
    global _installed
    if _installed is not None:
        return _installed
    _installed = False
    if os.environ.get(ENV, "1") == "0" or MODULE in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec("weasyprint")
        if spec is None or not spec.submodule_search_locations:
            return False
        path = os.path.join(list(spec.submodule_search_locations)[0], "text", "ffi.py")
        with open(path, encoding="utf-8") as f:
            adapted = adapt(f.read())
        if adapted is None:
            log.debug("%s: not the expected shape; WeasyPrint imported as it is", path)
            return False
        source, declarations = adapted
        loader = _Loader(path, source, prebuilt_ffi(declarations))
    except Exception as exc:  # noqa: BLE001 - never worse than the plain import
        log.debug("prebuilt cffi declarations not used: %s", exc)
        return False
    sys.meta_path.insert(0, _Finder(loader))
    _installed = True
    return True


def import_weasyprint():
    """``import weasyprint`` with the prebuilt declarations when possible; falls back to the plain import if the
    adapted bindings fail to load."""
    if install() and MODULE not in sys.modules:
        try:
            import weasyprint

            return weasyprint
        except Exception as exc:  # noqa: BLE001
            log.debug("prebuilt cffi declarations failed (%s); importing WeasyPrint as it is", exc)
            for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
                del sys.modules[name]
    import weasyprint

    return weasyprint
