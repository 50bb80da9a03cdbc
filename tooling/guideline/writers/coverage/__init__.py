"""Writers of the NISC coverage (:class:`guideline.xref.Coverage`) for ``guideline coverage``: an HTML page, CSV and
XLSX for Excel, JSON; the site's NISC pages reuse the HTML tables."""
