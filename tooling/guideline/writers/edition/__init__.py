"""Writers of an edition: the formats ``guideline build`` and ``release`` publish (single-page HTML, the site, Word,
PDF through Typst), the OSCAL export and the Markdown source format, with the OOXML and Typst parts they share."""
