"""Normalise stage: text chunks from a reader become columns in the Table Schema's own terms.

It renames source headers to field names, runs the dataset's transform.py if it has one, and turns
every cell into the canonical text of its type with the Indonesian parsers (`1.234,5` -> `1234.5`,
`26 Mei 2015` -> `2015-05-26`, `3271` -> `32.71`), then multiplies out a field's `jendela.scale`
(`17986.5` milyar -> `17986500000000`). A cell that cannot be parsed becomes an Issue with its
source row and column, and is left empty, never guessed. Issues stop at a limit the build gives
(a million bad dates would otherwise be a million Issues in memory); the rows stay marked bad all
the same, and `capped` says the list is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.errors import Issue
from ..core.indonesian import format_number, parse_column, scale_column
from ..core.issue_types import (
    CELL_TOO_LONG,
    EXTRA_CELL,
    MISSING_CELL,
    MISSING_COLUMN,
    PARSE_ERROR,
    TRANSFORM_ERROR,
)
from ..core.model import Resource, catalog_name
from ..readers import FILE_COLUMN, INVALID_ROWS, ROW_COLUMN
from .transforms import Transform, TransformContext, TransformError


@dataclass
class NormalisedChunk:
    frame: pd.DataFrame  # the schema's fields, in order, as canonical text (NA for empty)
    rows: pd.Series  # the source row number of each row
    issues: list[Issue] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)  # positions in `frame` with parse errors
    room: int | None = None  # how many Issues this chunk may still collect (None: no limit)
    capped: bool = False  # some problems got no Issue: the chunk had more than `room`

    def take(self, wanted: int) -> int:
        """How many of `wanted` new Issues fit; sets `capped` when not all of them do."""
        if self.room is None:
            return wanted
        fits = max(min(wanted, self.room - len(self.issues)), 0)
        self.capped = self.capped or fits < wanted
        return fits


def normalise_chunk(
    chunk: pd.DataFrame,
    resource: Resource,
    source_name: str,
    transform: Transform | None = None,
    room: int | None = None,
    source_path: Path | None = None,
) -> NormalisedChunk:
    """The chunk as the schema's fields in canonical text, with an Issue per failed cell, up to
    `room` Issues (the build passes what is left of its per-table limit). `source_path` is the
    file the chunk was read from, for the transform's context."""
    frame = chunk.rename(columns=resource.column_map)
    if transform is not None:
        context = TransformContext(resource, source_name, source_path)
        try:
            frame = transform(frame, context)
        except Exception as exc:  # a dataset's own code: report it as that dataset's failure
            raise TransformFailedError(resource, source_name, chunk, exc) from exc
    derived = resource.derived_fields  # filled by the build (regions.py), not read
    missing = [n for n in resource.field_names if n not in frame.columns and n not in derived]
    if missing:
        raise MissingColumnsError(resource, source_name, missing, list(chunk.columns))
    rows = frame[ROW_COLUMN].reset_index(drop=True)
    out = {}
    result = NormalisedChunk(pd.DataFrame(), rows, room=room)
    for field_descriptor in resource.fields:
        name = field_descriptor["name"]
        if name in derived:
            # Empty until the build fills it. Arrow's null array is the same pandas array as
            # pd.array([pd.NA] * n, dtype="string") without a Python object per cell (1,000,000
            # tenders, four region-name fields: 0.6 s of read+normalise).
            out[name] = pd.arrays.ArrowStringArray(pa.nulls(len(rows), pa.large_string()))
            continue
        source = frame[name].reset_index(drop=True)
        source = _without_long_cells(source, resource, field_descriptor, rows, source_name, result)
        parsed = parse_column(source, resource.parse_kind(field_descriptor))
        scale = (field_descriptor.get("jendela") or {}).get("scale")
        if scale:  # a source unit (ribu, milyar) multiplied out exactly, after parsing
            whole = field_descriptor.get("type") == "integer"
            parsed = scale_column(parsed, int(scale), whole=whole)
        out[name] = parsed.values
        failed = parsed.errors.notna()
        if failed.any():
            positions = failed.index[failed]
            result.bad_rows.update(positions.tolist())  # complete even when Issues are capped
            for position in positions[: result.take(len(positions))]:
                result.issues.append(
                    Issue(
                        dataset=resource.dataset_id,
                        resource=resource.name,
                        type=PARSE_ERROR,
                        message=str(parsed.errors[position]),
                        file=source_name,
                        row=int(rows[position]),
                        column=name,
                        value=str(source[position]),
                        hint=f"expected a value of type {field_descriptor.get('type', 'string')}",
                    )
                )
    result.frame = pd.DataFrame(out)
    return result


DEFAULT_MAX_CELL_CHARS = 32_767  # the most an XLSX cell holds: every download keeps it whole


def max_cell_chars(resource: Resource, field_descriptor: dict) -> int:
    """The longest text a cell of this field may hold: the field's `jendela.max_cell_chars`, else
    the resource's, else 32,767 characters."""
    own = (field_descriptor.get("jendela") or {}).get("max_cell_chars")
    return int(own or resource.ext.get("max_cell_chars") or DEFAULT_MAX_CELL_CHARS)


def _without_long_cells(
    source: pd.Series,
    resource: Resource,
    field_descriptor: dict,
    rows: pd.Series,
    source_name: str,
    result: NormalisedChunk,
) -> pd.Series:
    """The column with every cell over the size limit emptied and reported (`cell-too-long`,
    naming row and column, with the cell's start and length), so that one 50 MB cell fails its
    table, clearly, instead of reaching the preview, the search index or a download."""
    limit = max_cell_chars(resource, field_descriptor)
    lengths = cell_lengths(source)
    long = lengths > limit
    if not long.any():
        return source
    positions = np.flatnonzero(long)
    result.bad_rows.update(positions.tolist())
    name = field_descriptor["name"]
    for position in positions[: result.take(len(positions))]:
        size = format_number(int(lengths[position]), 0)
        result.issues.append(
            Issue(
                dataset=resource.dataset_id,
                resource=resource.name,
                type=CELL_TOO_LONG,
                message=(
                    f"sel ini {size} karakter, lebih dari batas {format_number(limit, 0)} / this "
                    f"cell has {size} characters, over the limit of {format_number(limit, 0)}"
                ),
                file=source_name,
                row=int(rows[position]),
                column=name,
                value=str(source[position])[:60] + "…",
                hint=(
                    "periksa sel itu di sumber (sering isi berkas lain yang tersalin ke satu sel); "
                    "bila memang benar, naikkan jendela.max_cell_chars di field-nya / check that "
                    "cell in the source (often another file's content pasted into one cell); if "
                    "it is right, raise jendela.max_cell_chars on its field"
                ),
            )
        )
    source = source.copy()
    source[long] = pd.NA
    return source


def cell_lengths(source: pd.Series) -> np.ndarray:
    """Characters in each cell of a column, 0 where it is missing.

    Counted by Arrow in C on the column as it comes (pandas' `.astype("string").str.len()`
    copied an object column into strings first): per column, 0.57 -> 0.09 ms on a 32-row chunk,
    which a budget of 159 small files repeats 1,530 times, and 19 -> 10 ms on 200,000 rows. A
    column holding other values than text (numbers from a JSON source) is measured as its text,
    as before."""
    try:
        cells = pa.array(source, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        cells = None
    if cells is None or not (
        pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)
    ):
        cells = pa.array(source.astype("string"), from_pandas=True)
    return pc.fill_null(pc.utf8_length(cells), 0).to_numpy(zero_copy_only=False)


def longest_text_cell(frame: pd.DataFrame, columns: list[str]) -> int:
    """The most characters one cell of `columns` holds in `frame` (0 when none): measured in
    memory as each chunk is written, so that whether the table fits an XLSX cell
    (stages/export.xlsx_allowed) needs no second reading of the staging file."""
    return max((int(cell_lengths(frame[name]).max(initial=0)) for name in columns), default=0)


def ragged_issues(resource: Resource, source_name: str, chunk: pd.DataFrame) -> list[Issue]:
    """One Issue per missing or extra cell of the rows the reader left out because their number
    of cells differs from the header's (readers.INVALID_ROWS): `missing-cell` names each column
    the row lacks, `extra-cell` each cell past the last column. The row's raw text is the value,
    so nothing of it is lost (the quarantine file keeps it too)."""
    headers = [c for c in chunk.columns if c not in (ROW_COLUMN, FILE_COLUMN)]
    fields = resource.column_map
    issues = []
    for bad in chunk.attrs.get(INVALID_ROWS) or []:
        expected, found = bad["expected"], bad["found"]
        if found < expected:
            kind, positions = MISSING_CELL, range(found, expected)
        else:
            kind, positions = EXTRA_CELL, range(expected, found)
        for position in positions:
            if kind == MISSING_CELL:
                header = headers[position] if position < len(headers) else f"#{position + 1}"
                column = fields.get(header, header)
                what_id = f"sel kolom {column} tidak ada"
                what_en = f"the cell of column {column} is missing"
            else:
                column = f"#{position + 1}"
                what_id = f"sel ke-{position + 1} tidak punya judul kolom"
                what_en = f"cell {position + 1} has no column header"
            issues.append(
                Issue(
                    dataset=resource.dataset_id,
                    resource=resource.name,
                    type=kind,
                    message=(
                        f"baris ini punya {found} sel, judulnya {expected}: {what_id} / this row "
                        f"has {found} cells where the header has {expected}: {what_en}"
                    ),
                    file=source_name,
                    row=bad["line"],
                    column=column,
                    value=bad["text"],
                    hint=(
                        "perbaiki baris itu di sumber (pemisah atau tanda kutip yang hilang?) / "
                        "fix that row in the source (a missing delimiter or quote?)"
                    ),
                    extra={"line_text": True},
                )
            )
    return issues


class ChunkError(ValueError):
    """A chunk that cannot be normalised at all; `issue` says why, for the report."""

    issue: Issue


class TransformFailedError(ChunkError):
    def __init__(self, resource: Resource, source_name: str, chunk: pd.DataFrame, exc: Exception):
        rows = chunk[ROW_COLUMN]
        span = f"rows {rows.iloc[0]}-{rows.iloc[-1]}" if len(rows) else "no rows"
        self.issue = Issue(
            dataset=resource.dataset_id,
            resource=resource.name,
            type=TRANSFORM_ERROR,
            message=f"{catalog_name(resource.dataset_id, 'transform.py')} raised "
            f"{type(exc).__name__}: {exc} (on {span})",
            file=source_name,
            row=exc.row if isinstance(exc, TransformError) else None,
            column=exc.column if isinstance(exc, TransformError) else None,
            hint="transform.py stopped on this input: if the message names a data problem, "
            "fix the source file; otherwise fix transform.py. Then run "
            "`python publish.py validate <id>`",
        )
        super().__init__(self.issue.message)


class MissingColumnsError(ChunkError):
    def __init__(self, resource: Resource, source_name: str, missing: list[str], found: list[str]):
        self.resource = resource
        self.issue = Issue(
            dataset=resource.dataset_id,
            resource=resource.name,
            type=MISSING_COLUMN,
            message=(
                f"columns {', '.join(missing)} not found in the source; it has "
                f"{', '.join(c for c in found if c not in (ROW_COLUMN, FILE_COLUMN))}"
            ),
            file=source_name,
            row=1,
            hint="map source headers to field names in jendela.columns",
        )
        super().__init__(self.issue.message)
