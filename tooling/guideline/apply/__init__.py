"""``guideline apply``: Word edits back into the Markdown sources, clause by clause (docs/word-roundtrip.md).

* :mod:`~guideline.apply.docx_read` — an edited ``guideline.docx``/``reibun.docx``/``tracked.docx`` → a typed list
  of clauses in the canonical Word form of :mod:`guideline.wordview` (the inverse of the Word writer), with the
  tracked changes accepted and listed;
* :mod:`~guideline.apply.merge` — that list against the edition: what changed in Word, what changed in the source
  since the file was built (the fingerprints the file carries), conflicts, the new clause order;
* :mod:`~guideline.apply.patch` — the new source text, touching only the lines of changed clauses.
"""
