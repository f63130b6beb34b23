"""Dataset transforms: how the build finds a dataset's transform.py and what it hands it.

A transform.py is loaded by path (pipelines/ never imports datasets/ by name) and gives one of:

- `transform(frame, context)`: applied to the chunks of every resource of the dataset;
- `TRANSFORMS = {"<resource name>": function, ...}`: one function per resource, declared once;
  a resource not listed is not transformed. A key naming no resource of the dataset stops the
  dataset when the file is loaded, so a misspelt name cannot silently transform nothing.

Each call gets a `TransformContext`: which resource the chunk belongs to, the file it was read
from, the dataset folder (for lookup tables beside the descriptor) and small helpers. Dataset code
imports these names from `pipelines.api`, the one module it may import.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import pandas as pd

from ..core.model import Dataset, Resource, catalog_name


@dataclass(frozen=True)
class TransformContext:
    """What a transform knows about the chunk it reshapes.

    A chunk always comes from one source file: `source_path` is the file the reader read (the
    cached copy of the snapshot or download, decompressed), `source_name` is how messages and the
    `FILE_COLUMN` of every row name it (`datasets/ppks-tangsel/source/36c.xlsx`, or a URL).
    """

    resource: Resource
    source_name: str
    source_path: Path | None = None  # None only where a test normalises a chunk without a file

    @property
    def resource_name(self) -> str:
        return self.resource.name

    @property
    def field_names(self) -> list[str]:
        """The resource's Table Schema field names, in order: the columns a transform returns."""
        return self.resource.field_names

    @property
    def options(self) -> dict:
        """The resource's reader options (`jendela.options`), as the descriptor states them."""
        return self.resource.reader_options

    @property
    def dataset_folder(self) -> Path:
        """The folder of datapackage.yaml: lookup tables (pemda.csv, lpse.csv) live here."""
        return self.resource.folder

    def lookup(self, file_name: str) -> list[dict[str, str]]:
        """The rows of a CSV lookup table in the dataset folder, as dicts of text (read once)."""
        return [dict(row) for row in _read_lookup(self.dataset_folder / file_name)]


class TransformError(ValueError):
    """A transform's refusal of its input, with the source row and column where one is to blame.

    The build reports it as a `transform-error` of the file being read; `row` (the source row
    number, from `ROW_COLUMN`) and `column` are put on the issue when given.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


Transform = Callable[[pd.DataFrame, TransformContext], pd.DataFrame]


class TransformLoadError(ValueError):
    """transform.py has a syntax error, fails on import, or declares its functions wrongly."""


def load_transforms(dataset: Dataset) -> dict[str, Transform]:
    """Resource name -> the function of the dataset's transform.py that reshapes its chunks."""
    path = dataset.folder / "transform.py"
    where = catalog_name(dataset.id, "transform.py")
    if not path.is_file():
        if path.is_symlink() or path.exists():
            # A link whose target moved (a dataset folder copied with `cp -r`, a renamed
            # dataset) read as "no transform" and failed later on columns the transform makes.
            what = "it is not a file"
            if path.is_symlink():
                what = f"it links to {os.readlink(path)}, which is not a file"
            raise TransformLoadError(f"{where} cannot be loaded: {what}")
        return {}
    spec = importlib.util.spec_from_file_location(f"jendela_transform_{dataset.id}", path)
    module: ModuleType = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise TransformLoadError(f"{where} cannot be loaded: {type(exc).__name__}: {exc}") from exc
    names = [r.name for r in dataset.resources]
    each = getattr(module, "transform", None)
    declared = getattr(module, "TRANSFORMS", None)
    if (each is None) == (declared is None):
        raise TransformLoadError(
            f"{where} cannot be loaded: it must define either `transform(frame, context)` or "
            "`TRANSFORMS = {resource name: function}`, not both and not neither"
        )
    if declared is None:
        return dict.fromkeys(names, each)
    unknown = sorted(set(declared) - set(names))
    if unknown:
        raise TransformLoadError(
            f"{where} cannot be loaded: TRANSFORMS names {', '.join(unknown)}, not a resource of "
            f"this dataset ({', '.join(names)})"
        )
    return dict(declared)


@cache
def _read_lookup(path: Path) -> tuple[dict[str, str], ...]:
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))
