"""A municipality's own policy made from the guideline, kept current across revisions (``guideline local``).

A local policy project is a directory: ``local.yaml`` (the base edition, the municipality's name and network model,
the placeholder values, the clauses left out, the local clauses added, open rebase conflicts) and ``clauses/`` (one
Markdown file per overridden or local clause, in the source format). The policy itself is an
:class:`~guideline.model.Edition` composed from the base edition and the project (:mod:`guideline.local.compose`),
so every existing writer renders it and the diff compares two of them.

- :mod:`~guideline.local.project` reads and writes the project (``local.yaml``, the clause files, the base copy);
- :mod:`~guideline.local.compose` makes the policy's Edition (placeholders, models, overrides, numbering);
- :mod:`~guideline.local.articles` numbers it as a 訓令 (第N章/第N節/第N条, 項, 号);
- :mod:`~guideline.local.rebase` moves the project onto a new edition, with three-way conflicts;
- :mod:`~guideline.local.align` matches an existing policy's articles to guideline clauses.
"""
