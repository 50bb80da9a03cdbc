"""Writers of a comment round's published result (:class:`guideline.comments.report.Result`): result.html, .docx,
.pdf, and result.csv, .xlsx for internal use."""
