"""The personal-data gate: a table holding NIK, a person's NPWP, phone numbers or e-mail
addresses fails, unless its descriptor declares the column public with a reason.

UU 27/2022 (Pelindungan Data Pribadi) applies to every instance that runs this, and a
publisher's export may carry a column nobody meant to publish. Every table is read (the gate is
not opt-in), after normalise and before validation, so nothing of it reaches SQLite, a download,
a preview, the search index or the quarantine file. Detection is in core/personal_data.py.

A column that is personal-looking but public (an office's official phone number, a
16-digit code that happens to look like a NIK) is declared on its field:

    - name: telepon_kantor
      jendela:
        personal_data: {public: true, reason: "Nomor telepon resmi kantor dinas ..."}
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..core.chunks import chunk_rows, text_tables, with_long_rows
from ..core.errors import Issue, RowMap
from ..core.issue_types import CELL_TOO_LONG, PARSE_ERROR, PERSONAL_DATA
from ..core.personal_data import (
    DECLARE_HINT,
    KINDS,
    NUMERIC_TYPES,
    Finding,
    declared_public,
    describe,
    find_in_frame,
    mask,
    personal_values,
)
from .runner import gate

CHUNK_ROWS = 50_000  # as the reader's chunks: pandas strings take ~60 bytes a cell
# The staging file is read by Arrow (core/chunks.text_tables) and handed to pandas as its
# Arrow-backed text: pandas' own CSV parser took 4 of the gate's 7 s on 1,000,000 tenders.
ARROW_TEXT = {pa.string(): pd.StringDtype("pyarrow")}


def scanned_columns(resource) -> list[str]:
    """Fields read from the source (not derived by the build) and not declared public."""
    derived = resource.derived_fields
    return [
        f["name"] for f in resource.fields if f["name"] not in derived and not declared_public(f)
    ]


@gate(PERSONAL_DATA.slug)
def personal_data(resource, staging: Path, rows_from: RowMap, **_) -> list[Issue]:
    """One Issue per column and kind found, naming the column, the kind, how many cells and the
    first row, with that cell masked; `whole_table` so that the table fails, never quarantined."""
    columns = scanned_columns(resource)
    if not columns:
        return []
    kinds = {f["name"]: f.get("type", "string") for f in resource.fields}
    texts = {column: kinds[column] not in NUMERIC_TYPES for column in columns}

    def scan(block_bytes: int) -> dict[tuple[str, str], Finding]:
        found: dict[tuple[str, str], Finding] = {}
        offset = 0
        for table in text_tables(staging, columns, chunk_rows(CHUNK_ROWS), block_bytes):
            chunk = table.to_pandas(types_mapper=ARROW_TEXT.get)
            for column, findings in find_in_frame(chunk, texts).items():
                for finding in findings:
                    key = (column, finding.kind)
                    before = found.get(key)
                    if before is None:
                        found[key] = Finding(
                            column, finding.kind, finding.count, offset + finding.first,
                            finding.example, finding.by_name,
                        )  # fmt: skip
                    else:
                        found[key] = Finding(
                            column, before.kind, before.count + finding.count, before.first,
                            before.example, before.by_name,
                        )  # fmt: skip
            offset += len(chunk)
        return found

    found = with_long_rows(scan)
    return [_issue(resource, rows_from, finding) for finding in found.values()]


def _issue(resource, rows_from: RowMap, finding: Finding) -> Issue:
    file, row = rows_from.locate(finding.first)
    return Issue(
        dataset=resource.dataset_id,
        resource=resource.name,
        type=PERSONAL_DATA,
        message=describe(finding, row) + "; tabel tidak diterbitkan / the table is not published",
        file=file,
        row=row,
        column=finding.column,
        value=finding.example,
        hint=DECLARE_HINT,
        extra={"whole_table": True, "kind": finding.kind, "count": finding.count},
    )


# Issues that carry text of the source the table never holds: a cell that failed to parse (empty
# in the table), the start of a cell over the size limit, the raw line of a row the reader could
# not split into the header's cells.
SOURCE_TEXT_TYPES = (PARSE_ERROR.slug, CELL_TOO_LONG.slug)
CELLS_OF_A_LINE = re.compile(r"[,;\t|]")
SOURCE_TEXT_HINT = (
    "perbaiki baris itu di sumber: nilainya tidak masuk tabel, tetapi laporan dan berkas "
    "karantina akan memuatnya (UU 27/2022 PDP) / fix that row in the source: its value is not "
    "in the table, but the report and the quarantine file would show it (Indonesian personal "
    "data protection law, UU 27/2022)"
)


def carries_source_text(issue: Issue, public: set[str]) -> bool:
    """Whether the Issue carries source text to test: a whole raw line always (its cells belong
    to every column), one cell's text unless its column is declared public."""
    if not issue.value:
        return False
    if issue.extra.get("line_text"):
        return True
    return issue.type in SOURCE_TEXT_TYPES and issue.column not in public


def personal_data_in_source_text(resource, issues: list[Issue]) -> tuple[list[Issue], list[Issue]]:
    """(`issues` with personal data in their source text masked, the Issues that fail the table).

    The gate above reads the staging file, which never holds this text; the reports, the build's
    output and the quarantine file would. Each such text (each cell of a raw line) is tested by
    its value alone. One finding fails the whole table, one failing Issue per source text: the
    row cannot be quarantined, since the quarantine file shows it."""
    public = {f["name"] for f in resource.fields if declared_public(f)}
    carriers = [i for i in issues if carries_source_text(i, public)]
    cells = {c.strip() for i in carriers for c in CELLS_OF_A_LINE.split(i.value)} - {""}
    found = personal_values(cells)
    if not found:
        return issues, []
    masked = {id(i): _masked(i, found) for i in carriers}
    failing: dict[tuple, Issue] = {}
    for original in carriers:
        issue = masked[id(original)]
        if issue is None or (issue.file, issue.row, issue.value) in failing:
            continue  # a raw line reported once per missing cell fails the table once
        kinds = sorted({kind for text, kind in found.items() if text in original.value})
        kind_id = ", ".join(KINDS[k][0] for k in kinds)
        kind_en = ", ".join(KINDS[k][1] for k in kinds)
        failing[(issue.file, issue.row, issue.value)] = Issue(
            dataset=resource.dataset_id,
            resource=resource.name,
            type=PERSONAL_DATA,
            message=(
                f"teks sumber baris ini memuat data pribadi ({kind_id}; contoh tersamar "
                f"{issue.value}); tabel tidak diterbitkan / this row's source text holds personal "
                f"data ({kind_en}; masked example {issue.value}); the table is not published"
            ),
            file=issue.file,
            row=issue.row,
            column=issue.column,
            value=issue.value,
            hint=SOURCE_TEXT_HINT,
            extra={"whole_table": True, "kind": kinds[0]},
        )
    kept = [masked.get(id(i)) or i for i in issues]
    return kept, list(failing.values())


def _masked(issue: Issue, found: dict[str, str]) -> Issue | None:
    """The Issue with each personal value in its text masked, or None if it holds none."""
    value, message = issue.value, issue.message
    for text in sorted(found, key=len, reverse=True):  # a longer value before one inside it
        value, message = value.replace(text, mask(text)), message.replace(text, mask(text))
    if value == issue.value:
        return None
    return dataclasses.replace(issue, value=value, message=message)
