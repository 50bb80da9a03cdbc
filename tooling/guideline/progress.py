"""Progress lines on stderr ('html ... done in 0.42 s'), for the commands and the release pipeline alike; written
without click so that modules below the CLI can report progress."""
from __future__ import annotations

import sys
import time


class Progress:
    """Terse progress lines on stderr: 'html ... done in 0.42 s'; nothing when ``quiet``."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def say(self, text: str, end: str = "\n") -> None:
        if not self.quiet:
            sys.stderr.write(text + end)  # looked up now: the CLI test runner swaps sys.stderr
            sys.stderr.flush()

    def step(self, label: str) -> "_Step":
        return _Step(self, label)


class _Step:
    def __init__(self, progress: Progress, label: str):
        self.progress, self.label = progress, label

    def __enter__(self) -> "_Step":
        self.t0 = time.perf_counter()
        self.progress.say(f"{self.label} ...", end="")
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.progress.say(f" done in {time.perf_counter() - self.t0:.2f} s")
        else:
            self.progress.say(" failed")
        return False
