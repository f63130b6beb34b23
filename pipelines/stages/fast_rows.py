"""One flagged row's findings as frictionless's own error objects, in frictionless's order.

frictionless parses a row's cells lazily. Its row stream first reads each unique field's cell,
then the primary key's cells; the first unique or primary-key error it appends makes the row
parse all its remaining cells (type and constraint errors in field order, then extra cells, then
missing cells, and a blank row replaces everything found so far) before that error is added.
`RowJudge.errors` follows that order, so a report cut at `limit_errors` keeps the same findings.
The cell verdicts come from frictionless's own readers (`Screen.read`).
"""

from __future__ import annotations

from typing import Any

from frictionless import Schema, errors
from frictionless.error import Error

from .fast_keys import PRIMARY, Repeats
from .fast_screen import Screen

SAME_ROW = "the same as in the row at position %s"
ALL_EMPTY = 'cells composing the primary keys are all "None"'


class RowJudge:
    def __init__(self, schema: Schema, screen: Screen) -> None:
        self.screen = screen
        self.names = schema.field_names
        self.primary = [self.names.index(n) for n in schema.primary_key]
        self.unique = [i for i, f in enumerate(schema.fields) if f.constraints.get("unique")]

    def errors(self, row_number: int, cells: list[Any], repeats: Repeats) -> list[Error]:
        return _Row(self, row_number, cells, repeats.of(row_number)).findings()


class _Row:
    """The state frictionless keeps for one row while it reads it."""

    def __init__(self, owner: RowJudge, number: int, cells: list[Any], earlier: dict) -> None:
        self.owner, self.number, self.cells, self.earlier = owner, number, cells, earlier
        self.texts = ["" if c is None else str(c) for c in cells]
        self.values: dict[int, Any] = {}
        self.blank: set[int] = set()
        self.found: list[Error] = []
        self.whole = False

    def findings(self) -> list[Error]:
        for index in self.owner.unique:
            value = self.read(index)
            if value is not None and self.owner.names[index] in self.earlier:
                self.read_all()
                name = self.owner.names[index]
                self.found.append(self._unique(index, SAME_ROW % self.earlier[name]))
        if self.owner.primary:
            key = [self.read(index) for index in self.owner.primary]
            note = ALL_EMPTY if set(key) == {None} else None
            if note is None and PRIMARY in self.earlier:
                note = SAME_ROW % self.earlier[PRIMARY]
            if note:
                self.read_all()
                self.found.append(
                    errors.PrimaryKeyError(note=note, cells=self.texts, row_number=self.number)
                )
        self.read_all()
        return self.found

    def read(self, index: int) -> Any:
        if index in self.values:
            return self.values[index]
        source = self.cells[index] if index < len(self.cells) else None
        value, notes = self.owner.screen.read(index, source)
        notes = dict(notes or {})
        type_note = notes.pop("type", None)
        if value is None and not type_note:
            self.blank.add(index)
        where = dict(
            cells=self.texts,
            row_number=self.number,
            cell=str(source),
            field_name=self.owner.names[index],
            field_number=index + 1,
        )
        if type_note:
            self.found.append(errors.TypeError(note=type_note, **where))
        self.found += [errors.ConstraintError(note=note, **where) for note in notes.values()]
        self.values[index] = value
        return value

    def read_all(self) -> None:
        if self.whole:
            return
        self.whole = True
        fields = len(self.owner.names)
        for index in range(fields):
            self.read(index)
        for position in range(fields, len(self.cells)):
            self.found.append(
                errors.ExtraCellError(
                    note="",
                    cells=self.texts,
                    row_number=self.number,
                    cell=str(self.cells[position]),
                    field_name="",
                    field_number=position + 1,
                )
            )
        for index in range(len(self.cells), fields):
            self.found.append(
                errors.MissingCellError(
                    note="",
                    cells=self.texts,
                    row_number=self.number,
                    cell="",
                    field_name=self.owner.names[index],
                    field_number=index + 1,
                )
            )
        if len(self.blank) == fields:
            self.found = [errors.BlankRowError(note="", cells=self.texts, row_number=self.number)]

    def _unique(self, index: int, note: str) -> Error:
        return errors.UniqueError(
            note=note,
            cells=self.texts,
            row_number=self.number,
            cell=str(self.values[index]),
            field_name=self.owner.names[index],
            field_number=index + 1,
        )
