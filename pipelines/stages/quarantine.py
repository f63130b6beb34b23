"""Quarantine: publish a table without its bad rows, and publish the bad rows beside it, flagged.

A dataset whose descriptor says `on_error: quarantine` accepts that official data has known
errors (e.g. scrambled rows in one year): the rows with issues leave the published table and go
to `<resource>.quarantine.csv` with their source file, source row and the reasons, so nothing is
hidden and nothing is lost. Table-level problems (a missing column, an unreadable file) and
reports cut short by the validator's error limit still fail the dataset: only rows we can name
are quarantined.

A cell that could not be parsed is empty in the staging file (the table never holds a value its
schema does not declare). In the quarantine file that cell shows the source's own text again,
taken from its `parse-error` Issue, so the row a person reads there is the row the source had.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.chunks import chunk_rows
from ..core.csv_lines import RowWriter, write_frame
from ..core.errors import Issue, RowMap
from ..core.issue_types import PARSE_ERROR

CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Quarantined:
    rows: int  # rows moved out of the table
    kept: int  # rows left in the table
    path: Path  # the quarantine CSV


def can_quarantine(issues: list[Issue], limit_reached: bool) -> bool:
    """Rows can be set aside only when every Issue names its row, and none says its whole table
    must fail (`extra["whole_table"]`: personal data must not reach the quarantine file either,
    which is published)."""
    return not limit_reached and all(
        i.row is not None and i.file and not i.extra.get("whole_table") for i in issues
    )


def quarantine(
    staging: Path, rows_from: RowMap, issues: list[Issue], target: Path
) -> tuple[Quarantined, RowMap]:
    """Rewrite `staging` without the rows named by `issues`; write them to `target`.

    Returns the new row map (positions shift once rows are removed).
    """
    reasons: dict[int, list[str]] = {}
    source_text: dict[int, dict[str, str]] = {}  # per row, the unparsed cells' source text
    where = rows_from.positions({(i.file, i.row) for i in issues})
    for issue in issues:
        text = f"{issue.type}: {issue.column or '-'}: {issue.message}"
        for position in where.get((issue.file, issue.row), []):
            reasons.setdefault(position, []).append(text)
            if issue.type == PARSE_ERROR.slug and issue.column and issue.value is not None:
                source_text.setdefault(position, {})[issue.column] = issue.value
    bad = np.array(sorted(reasons), dtype=np.int64)
    unsplit: set[tuple] = set()
    target.parent.mkdir(parents=True, exist_ok=True)
    kept_path = staging.with_suffix(".kept.csv")
    offset = 0
    with (
        open(kept_path, "w", encoding="utf-8", newline="") as kept_out,
        open(target, "w", encoding="utf-8", newline="") as bad_out,
    ):
        writer = RowWriter(bad_out)
        for number, chunk in enumerate(
            pd.read_csv(staging, dtype=str, keep_default_na=False, chunksize=chunk_rows(CHUNK_ROWS))
        ):
            if number == 0:
                kept_out.write(",".join(chunk.columns) + "\n")
                writer.writerow(["sumber_berkas", "sumber_baris", "masalah", *chunk.columns])
            positions = np.arange(offset, offset + len(chunk))
            is_bad = np.isin(positions, bad)
            write_frame(chunk[~is_bad], kept_out)
            columns = list(chunk.columns)
            for position, row in zip(
                positions[is_bad], chunk[is_bad].itertuples(index=False), strict=True
            ):
                file, source_row = rows_from.locate(int(position))
                cells = _with_source_text(columns, list(row), source_text.get(int(position), {}))
                writer.writerow([file, source_row, " | ".join(reasons[int(position)]), *cells])
            offset += len(chunk)
        # Rows the reader could not split into the header's columns are not in the table: the
        # quarantine file keeps their raw text, so nothing of them is lost.
        for issue in issues:
            place = (issue.file, issue.row)
            if issue.extra.get("line_text") and place not in where and place not in unsplit:
                text = f"{issue.type}: {issue.column or '-'}: {issue.message}"
                writer.writerow([issue.file, issue.row, f"{text} | baris mentah / raw line:",
                                 issue.value])  # fmt: skip
                unsplit.add(place)
    kept_path.replace(staging)
    kept_map = rows_from.without(bad)
    moved = len(bad) + len(unsplit)
    return Quarantined(rows=moved, kept=len(kept_map), path=target), kept_map


def _with_source_text(columns: list[str], cells: list[str], source: dict[str, str]) -> list[str]:
    """The row's cells, each empty cell whose source text failed to parse showing that text."""
    return [
        source[column] if cell == "" and column in source else cell
        for column, cell in zip(columns, cells, strict=True)
    ]
