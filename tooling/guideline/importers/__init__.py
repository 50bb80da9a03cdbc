"""Importing existing documents (Word .docx, HTML 例規集 pages, plain text) into the source format.

Readers (``text``, ``html``, ``docx``) each turn one input format into the common paragraph stream
(:mod:`~guideline.importers.stream`); :mod:`~guideline.importers.recognise` recognises numbers (one rule per
construct); :mod:`~guideline.importers.structure` builds the clause tree; :mod:`~guideline.importers.edition` makes
the model, IDs and files; :mod:`~guideline.importers.document` is the entry point::

    from guideline.importers.document import import_document, write_result
    result = import_document("policy.docx")      # ImportResult: .edition, .files, .report, .paragraphs
    write_result(result, "guideline_src/editions/imported")
"""
