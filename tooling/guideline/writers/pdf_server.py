"""What the PDF fork server imports before it forks any worker (:data:`guideline.writers.pdf.PRELOAD`).

WeasyPrint, with its C bindings prebuilt (:mod:`guideline.writers.weasyprint_ffi`: 0.33-0.40 s instead of
0.73-0.87 s), and the rendering code, so that a worker forked from the server starts laying out at once.
"""
from __future__ import annotations

from guideline.writers import weasyprint_ffi

weasyprint_ffi.import_weasyprint()

import pikepdf  # noqa: E402,F401 - a worker repacks what WeasyPrint wrote (pdf._repacked)

from guideline.writers import pdf  # noqa: E402,F401 - after WeasyPrint, as a worker will use them
from guideline.writers import pdf_fonts  # noqa: E402

pdf_fonts.available()  # a worker's fonts get stubs for their subsets (pdf_fonts.deferred_subsets)
pdf_fonts.installed_fonts()
