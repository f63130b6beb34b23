"""Validate stage: the normalised table is checked against its Table Schema by frictionless.

frictionless is the one judge of validity (types, required, patterns, enums, ranges, primary
keys), so our rules and any Frictionless tool agree. It reads the normalised CSV that will also be
published, in a stream, so memory stays flat however long the table is. Row numbers it reports
are those of the normalised file; they are mapped back to the source file's rows here.

Row by row, frictionless takes half a minute for a million rows, so the errors come from the
fast path (`fast_validate`: pyarrow batches, frictionless's own cell readers and error objects,
the same findings in the same order) whenever it covers the table, and from frictionless itself
otherwise or when JENDELA_VALIDATE=frictionless asks for the reference. Either way the Issues
below are built by one code path from frictionless error objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from frictionless import Resource as FrictionlessResource
from frictionless import Schema

from ..core.errors import Issue, RowMap
from ..core.model import Resource
from .fast_validate import NotCovered, fast_path_wanted, validate_fast

# frictionless stops at 1,000 errors by default; we keep more but not without bound.
LIMIT_ERRORS = 10_000


@dataclass
class ValidationResult:
    issues: list[Issue]
    limit_reached: bool = False  # the validator stopped early: later rows were not checked
    engine: str = "frictionless"  # which path found the errors: "fast" or "frictionless"


def validate_table(
    resource: Resource,
    staging: Path,
    rows_from: RowMap,
    limit_errors: int = LIMIT_ERRORS,
    reference: bool = False,
) -> ValidationResult:
    """frictionless's findings on `staging` as Issues at the source rows; `reference` (or
    JENDELA_VALIDATE=frictionless) skips the fast path."""
    schema = Schema.from_descriptor(resource.frictionless_schema())
    engine, found = table_errors(schema, staging, limit_errors, reference)
    issues: list[Issue] = []
    for error in found:
        staging_row = getattr(error, "row_number", None)
        file, row = rows_from.label, None
        if staging_row is not None and 2 <= staging_row < len(rows_from) + 2:
            file, row = rows_from.locate(staging_row - 2)
        issues.append(
            Issue(
                dataset=resource.dataset_id,
                resource=resource.name,
                type=error.type,
                message=_short_message(error),
                file=file,
                row=row,
                column=getattr(error, "field_name", None) or None,
                value=_cell(error),
                hint=_hint(resource, error),
            )
        )
    return ValidationResult(issues=issues, limit_reached=len(issues) >= limit_errors, engine=engine)


def table_errors(
    schema: Schema, staging: Path, limit_errors: int, reference: bool = False
) -> tuple[str, list]:
    """(engine, frictionless error objects): the fast path's when it covers the table."""
    if not reference and fast_path_wanted():
        try:
            return "fast", validate_fast(schema, staging, limit_errors).errors
        except NotCovered:
            pass
    table = FrictionlessResource(path=staging.name, basepath=str(staging.parent), schema=schema)
    report = table.validate(limit_errors=limit_errors)
    return "frictionless", list(report.errors) + list(report.tasks[0].errors)


def _cell(error) -> str | None:
    cell = getattr(error, "cell", None)
    return None if cell is None else str(cell)


def _short_message(error) -> str:
    note = getattr(error, "note", "") or ""
    return f"{error.title}: {note}" if note else error.message


def _hint(resource: Resource, error) -> str | None:
    name = getattr(error, "field_name", None)
    if not name or name not in resource.field_names:
        return error.description or None
    descriptor = next(f for f in resource.fields if f["name"] == name)
    constraints = descriptor.get("constraints") or {}
    parts = [f"type {descriptor.get('type', 'string')}"]
    parts += [f"{key} {value}" for key, value in constraints.items()]
    return "expected " + ", ".join(parts)
