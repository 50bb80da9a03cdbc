"""Writers: pure functions from the model to files, grouped by what they write — ``edition/`` (an Edition: HTML,
site, Word, PDF, OSCAL, Markdown source), ``changes/`` (a ChangeSet: changes.json, redline, 新旧対照表, tracked Word),
``coverage/`` (the NISC coverage), ``comments/`` (a comment round's result). :mod:`guideline.writers.registry` names
them all."""
