"""What the PDF fork server imports before it forks any worker (:data:`guideline.writers.pdf.PRELOAD`).

WeasyPrint, with its C bindings prebuilt (:mod:`guideline.writers.weasyprint_ffi`: 0.33-0.40 s instead of
0.73-0.87 s), and the rendering code, so that a worker forked from the server starts laying out at once.
"""
from __future__ import annotations

import atexit
import os
import sys

from guideline.writers import weasyprint_ffi

if any("multiprocessing.forkserver" in arg for arg in getattr(sys, "orig_argv", ())):
    # The server ends when the command does (its workers end with os._exit already). Ending without Python's
    # teardown (freeing WeasyPrint and the rest: ~0.2 s) lets a pipe on the command's output close when the command
    # ends: `guideline build … 2>&1 | tee log` returned ~0.18 s after the command itself.
    atexit.register(os._exit, 0)

weasyprint_ffi.import_weasyprint()

import pikepdf  # noqa: E402,F401 - a worker repacks what WeasyPrint wrote (pdf._repacked)

from guideline.writers import pdf  # noqa: E402,F401 - after WeasyPrint, as a worker will use them
from guideline.writers import pdf_fonts  # noqa: E402

pdf_fonts.available()  # a worker's fonts get stubs for their subsets (pdf_fonts.deferred_subsets)
pdf_fonts.installed_fonts()
