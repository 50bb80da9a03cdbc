"""The parts of ``guideline release`` (:mod:`guideline.release` orders them): what goes into the bundle
(:mod:`~guideline.bundle.plan`, :mod:`~guideline.bundle.steps`), its pages, manifest and checksums, the personal-data
scan of every file, and the output directory's lock."""
