"""Progress lines on stderr for long builds; silent with --quiet so scripts read only results."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, quiet: bool = False, stream: TextIO | None = None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self._last_rows = 0.0

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def dataset(self, number: int, total: int, dataset_id: str) -> None:
        self._say(f"[{number}/{total}] {dataset_id}")

    def stage(self, resource: str, stage: str) -> None:
        self._say(f"    {resource}: {stage}")

    def rows(self, count: int) -> None:
        now = time.monotonic()
        if now - self._last_rows >= 2.0:
            self._last_rows = now
            self._say(f"      {count:,} baris/rows")

    def failed(self, resource: str, issues: int) -> None:
        self._say(f"    {resource}: {issues} masalah/issues")

    def note(self, text: str) -> None:
        self._say(f"... {text}")
