"""Mark as skipped the mutants that cosmic-ray plants inside type annotations.

Every module here starts with `from __future__ import annotations`, so an annotation is never
evaluated: `str | None` turned into `str & None` cannot change behaviour and would only add
equivalent mutants to triage (11 per `X | None`). Usage: python skip_annotations.py SESSION.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) positions, as (row, col), of every annotation in `source`."""
    nodes: list[ast.expr] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nodes += [a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg)]
            nodes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            nodes.append(node.annotation)
    return [
        ((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)) for n in nodes if n is not None
    ]


def main(session: str) -> int:
    with use_db(session, WorkDB.Mode.open) as db:
        spans: dict[Path, list] = {}
        skipped = 0
        for item in db.pending_work_items:
            for m in item.mutations:
                path = Path(m.module_path)
                if path not in spans:
                    spans[path] = annotation_spans(path.read_text(encoding="utf-8"))
                if any(a <= tuple(m.start_pos) and tuple(m.end_pos) <= b for a, b in spans[path]):
                    db.set_result(
                        item.job_id,
                        WorkResult(output="In an annotation", worker_outcome=WorkerOutcome.SKIPPED),
                    )
                    skipped += 1
                    break
        print(f"{skipped} mutants in annotations skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
