"""The surface a dataset's transform.py may import: small, stable and the same for every dataset.

Everything else in `pipelines/` may be moved or renamed between releases; these names will not,
so a dataset written today keeps building (tests/test_dependencies.py holds every
`datasets/*/transform.py` to importing nothing else of ours). The contract itself is in
docs/descriptor.md ("transform.py").

A transform receives a chunk whose columns are all text (`str` or missing), already renamed by
`jendela.columns`, plus `ROW_COLUMN` (the source row number a person sees when opening the file)
and `FILE_COLUMN` (the source file's name). It returns the resource's fields as text; parsing by
the Table Schema comes after it. An example where the input is strange: a DJPK export names its
government and year only in its path, `2021/Kota_Malang.csv`, so the transform reads them from
`FILE_COLUMN`, looks the name up in `context.lookup("pemda.csv")` by `region_name_key`
("Kota_Malang", "KOTA MALANG" and "Kota Malang" are one key), and raises `TransformError` naming
the file when a name is not there, rather than guess a government.
"""

from __future__ import annotations

import pandas as pd

from .core.indonesian import PATH_SEPARATOR, parse_column, region_name_key
from .readers import FILE_COLUMN, ROW_COLUMN
from .stages.transforms import TransformContext, TransformError

__all__ = [
    "FILE_COLUMN",
    "PATH_SEPARATOR",
    "ROW_COLUMN",
    "TransformContext",
    "TransformError",
    "parse_column",
    "region_name_key",
    "reshaped",
]


def reshaped(frame: pd.DataFrame, columns: dict, index: pd.Index | None = None) -> pd.DataFrame:
    """A new table of `columns` (values: a Series of `frame`'s rows or one value for all), led by
    the source row number and file of each row, so that a later error still names the line.

    >>> reshaped(chunk, {"kode_wilayah": chunk["kode"], "sumber": "BPS"})  # doctest: +SKIP
    """
    origin = {ROW_COLUMN: frame[ROW_COLUMN], FILE_COLUMN: frame[FILE_COLUMN]}
    return pd.DataFrame({**origin, **columns}, index=index)
