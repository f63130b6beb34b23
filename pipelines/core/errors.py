"""Typed errors shared by every stage.

Errors are data (DESIGN rule 9): each carries what a data officer needs to act (file, row, column,
value, a hint) and the CLI only turns them into messages and exit codes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .issue_types import IssueType, issue_type

EXIT_DATA_INVALID = 1
EXIT_USAGE = 2


class JendelaError(Exception):
    """Base of errors the CLI reports without a traceback."""

    exit_code = EXIT_USAGE


class DescriptorError(JendelaError):
    """A datapackage.yaml or metadata file that cannot be used as written."""

    def __init__(self, path: str, key: str, message: str):
        self.path, self.key, self.message = path, key, message
        super().__init__(f"{path}: {key}: {message}")


class UnknownDatasetError(JendelaError):
    def __init__(self, name: str, suggestions: list[str]):
        self.name, self.suggestions = name, suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"Dataset tidak dikenal / unknown dataset: {name!r}.{hint} "
            "Run `python publish.py list` to see all datasets."
        )


class FetchError(JendelaError):
    """A source could not be fetched; the dataset is skipped, nothing published is touched."""

    exit_code = EXIT_DATA_INVALID


@dataclass(frozen=True)
class Issue:
    """One problem found in the data, in the shape frictionless reports use.

    `row` is the row number in the file as a person counts it (header is row 1), or None for
    problems of the whole table. `type` is given as an entry of the issue-type catalogue
    (core/issue_types.py) and kept as its slug; a slug the catalogue does not know is refused.
    """

    dataset: str
    resource: str
    type: str  # an IssueType on the way in (or its slug), its slug once made
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    hint: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        slug = self.type.slug if isinstance(self.type, IssueType) else self.type
        object.__setattr__(self, "type", issue_type(slug).slug)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, {})}

    def as_line(self) -> str:
        where = self.file or f"{self.dataset}/{self.resource}"
        parts = [f"{self.dataset}/{self.resource}", where]
        if self.row is not None:
            parts.append(f"baris/row {self.row}")
        if self.column:
            parts.append(f"kolom/column {self.column}")
        text = " | ".join(parts)
        value = f" (nilai/value {self.value!r})" if self.value is not None else ""
        return f"{text}: [{self.type}] {self.message}{value}"


class RowMap:
    """Where each row of a normalised table came from: (source file, row number in that file).

    Stages after normalise see only the normalised file; this lets them name the row a data
    officer will find when opening the original.
    """

    def __init__(self) -> None:
        self.files: list[str] = []
        self._rows: list = []
        self._file_index: list = []

    def add(self, file: str, rows) -> None:
        import numpy as np

        if file not in self.files:
            self.files.append(file)
        self._rows.append(np.asarray(rows, dtype=np.int64))
        self._file_index.append(np.full(len(rows), self.files.index(file), dtype=np.int32))

    def freeze(self) -> None:
        import numpy as np

        self._rows = [np.concatenate(self._rows)] if self._rows else [np.array([], np.int64)]
        self._file_index = (
            [np.concatenate(self._file_index)] if self._file_index else [np.array([], np.int32)]
        )

    def __len__(self) -> int:
        return sum(len(part) for part in self._rows)

    def locate(self, position: int) -> tuple[str | None, int | None]:
        """(file, row) of the row at 0-based `position` in the normalised table."""
        if len(self._rows) != 1:
            self.freeze()
        if not 0 <= position < len(self._rows[0]):
            return (self.files[0] if self.files else None), None
        return self.files[int(self._file_index[0][position])], int(self._rows[0][position])

    def positions(self, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
        """0-based positions of the rows that came from the given (file, row) source lines.

        One source line may give several rows (a transform that splits columns into rows), so
        each pair maps to all of them; one pass per file.
        """
        import numpy as np

        self.freeze() if len(self._rows) != 1 else None
        found: dict[tuple[str, int], list[int]] = {}
        for index, file in enumerate(self.files):
            wanted = [row for f, row in pairs if f == file]
            if not wanted:
                continue
            hits = np.flatnonzero((self._file_index[0] == index) & np.isin(self._rows[0], wanted))
            for position in hits:
                found.setdefault((file, int(self._rows[0][position])), []).append(int(position))
        return found

    def without(self, positions) -> RowMap:
        """The row map after the rows at `positions` were removed from the table."""
        import numpy as np

        self.freeze() if len(self._rows) != 1 else None
        keep = np.ones(len(self._rows[0]), dtype=bool)
        keep[np.asarray(list(positions), dtype=np.int64)] = False
        other = RowMap()
        other.files = list(self.files)
        other._rows = [self._rows[0][keep]]
        other._file_index = [self._file_index[0][keep]]
        return other

    @property
    def label(self) -> str:
        if len(self.files) <= 1:
            return self.files[0] if self.files else ""
        return f"{self.files[0]} (+{len(self.files) - 1})"
