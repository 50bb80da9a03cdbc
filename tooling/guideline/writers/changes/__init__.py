"""Writers of a change set (:class:`guideline.diff.ChangeSet`): what ``guideline diff`` and ``release`` publish —
changes.json, the HTML redline, the 新旧対照表 (HTML, Word, PDF) and the Word file with tracked changes."""
