"""Unit check: the unit a source's column header declares must fit the size of its values.

Official tables print the unit in the header and forget it in the cells. LKPP's monitoring
workbook heads its columns "Nilai RUP Total (dalam miliar rupiah)" and then writes full Rupiah
(Kota Bogor: 1904864400898, that is 1.9 trillion, not 1.9 sextillion); Kota Tangerang Selatan
heads a column "Persentase PPKS ..." over counts such as 2335. Publishing either silently would
hide a question the publisher must answer, so this check compares the two and reports it, never
rescaling anything itself.

Declared per resource beside the other checks of pipelines/checks/runner.py (this module registers
`unit-mismatch` in that registry):

    jendela:
      checks:
        - type: unit-mismatch
          columns: [nilai_rup_rp, nilai_realisasi_rp]   # fields to compare with their header
          headers: {nilai_rup_rp: "Nilai RUP (miliar)"}  # optional: the header text, when the
                                                        # field is not renamed from it (`columns`)
          factor: 1             # optional: what the pipeline multiplied the source values by
          on_mismatch: warn     # fail (default): the dataset fails; warn: published, and the
                                # validation report lists the finding

The header of a field is, by default, the source column that `jendela.columns` renames to it.
Units read from it: persen/persentase/% (values must lie within 0..100), ribu (1e3), juta (1e6),
miliar/milyar (1e9), triliun/trilyun (1e12). A column "in" a scale whose typical value (the
median of the non-zero values) is already at least that scale is written in whole units: 1e9
miliar would be 1e18 Rupiah, a thousand times Indonesia's GDP. One issue per column, on the row
of the first value that does not fit, naming the column, the header and that value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..core.errors import Issue, RowMap
from ..core.issue_types import UNIT_MISMATCH
from ..core.model import Resource
from .runner import check, grouped, plain

CHECK_TYPE = "unit-mismatch"
PERCENT = "persen"
# (unit word, pattern in the lower-cased header, scale); the first match wins.
UNITS: list[tuple[str, re.Pattern[str], float]] = [
    (PERCENT, re.compile(r"\bpersen|\bpersentase\b|%|\bpercent"), 100.0),
    ("triliun", re.compile(r"\btri[l]?[iy]un\b|\btrillion"), 1e12),
    ("miliar", re.compile(r"\bmil[iy]ar\b|\bbillion"), 1e9),
    ("juta", re.compile(r"\bjuta\b|\bmillion"), 1e6),
    ("ribu", re.compile(r"\bribu\b|\bthousand"), 1e3),
]


def declared_unit(header: str) -> tuple[str, float] | None:
    """The unit a header text declares, with its scale (100 for a percentage), or None.

    >>> declared_unit("Nilai RUP Total (dalam miliar rupiah)")
    ('miliar', 1000000000.0)
    """
    text = " ".join(str(header).lower().split())
    for unit, pattern, scale in UNITS:
        if pattern.search(text):
            return unit, scale
    return None


def misfits(values: pd.Series, unit: str, scale: float) -> pd.Series:
    """A boolean mask of the values that contradict the unit (all False when they fit).

    A percentage contradicts where it lies outside 0..100; a scale contradicts the whole column
    when its median non-zero magnitude is at least the scale, and then every value that large.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    if unit == PERCENT:
        return ((numbers < 0) | (numbers > 100)).fillna(False)
    magnitude = numbers.abs()
    nonzero = magnitude[magnitude > 0]
    if nonzero.empty or nonzero.median() < scale:
        return pd.Series(False, index=values.index)
    return (magnitude >= scale).fillna(False)


@check(CHECK_TYPE)
def unit_mismatch(
    db, resource: Resource, staging: Path, rows_from: RowMap | None, **spec
) -> list[Issue]:
    """The `unit-mismatch` check of pipelines/checks/runner.py's registry, on the normalised CSV.

    load_dataset checked that `columns` are fields, each with a known header (model.CHECK_TYPES).
    """
    columns = list(spec["columns"])
    headers = _headers(resource, columns, spec.get("headers") or {})
    factor = float(spec.get("factor", 1))
    frame = pd.read_csv(
        staging, usecols=columns, dtype="string", keep_default_na=False, na_values=[""]
    )
    issues = []
    for column in columns:
        declared = declared_unit(headers[column])
        if declared is None:
            continue
        unit, scale = declared
        source = pd.to_numeric(frame[column], errors="coerce") / factor
        bad = misfits(source, unit, scale)
        if not bad.any():
            continue
        position = int(bad.to_numpy().nonzero()[0][0])
        sample = source.iloc[position]
        issues.append(
            _issue(resource, rows_from, position, column, headers[column], unit, sample, bad)
        )
    return issues


def _headers(resource: Resource, columns: list[str], given: dict) -> dict[str, str]:
    """The source header of each column: given in the check, or the one renamed to it."""
    renamed = {field: header for header, field in resource.column_map.items()}
    return {column: str(given.get(column) or renamed[column]) for column in columns}


def _issue(resource, rows_from, position, column, header, unit, sample, bad) -> Issue:
    file, row = rows_from.locate(position) if rows_from is not None else (None, position + 1)
    shown = grouped(sample)
    count = int(bad.sum())
    if unit == PERCENT:
        said_id = f"nilai seperti {shown} bukan persentase (0-100)"
        said_en = f"values such as {shown} are not percentages (0-100)"
        hint = (
            "tanyakan penerbit apakah kolom ini jumlah atau persentase, lalu beri nama yang benar "
            "/ ask the publisher whether this column holds counts or percentages, then name it so"
        )
    else:
        said_id = f"nilai seperti {shown} sudah dalam satuan penuh, bukan {unit}"
        said_en = f"values such as {shown} are already in whole units, not {unit}"
        hint = (
            f"nilai diterbitkan apa adanya; pastikan satuannya dengan penerbit / the values are "
            f"published as given; confirm with the publisher whether they are {unit} or whole units"
        )
    return Issue(
        dataset=resource.dataset_id,
        resource=resource.name,
        type=UNIT_MISMATCH,
        message=(
            f"kolom {column}: judul sumber {header!r} menyatakan satuan {unit}, tetapi {said_id} "
            f"({count} nilai) / column {column}: the source header {header!r} declares {unit}, "
            f"but {said_en} ({count} values)"
        ),
        file=file,
        row=row,
        column=column,
        value=plain(sample),
        hint=hint,
        extra={"header": header, "unit": unit, "values": count},
    )
