"""Validation reports: every issue of one resource, as JSON for tools and HTML for people.

The CLI prints only the first issues; the report keeps all of them (up to the validator's limit),
so a data officer can fix a file in one pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.errors import Issue
from ..core.layout import report_paths, site_dir
from .templates import environment

# A report's keys in the order its JSON has always had them.
_KEYS = ("dataset", "resource", "source", "valid", "quarantined", "rows", "error_count",
         "error_types", "errors", "warning_count", "warnings")  # fmt: skip


def write_report(
    release: Path,
    dataset_id: str,
    resource_name: str,
    source: str,
    rows: int,
    issues: list[Issue],
    quarantined: bool = False,
    warnings: list[Issue] | None = None,
) -> dict:
    """`quarantined`: the rows with issues were left out of the published table (policy
    `on_error: quarantine`), so the table is published although the report lists errors.
    `warnings`: findings published with the table instead of failing it (a check declared
    `on_mismatch: warn`, e.g. totals the source does not add up); listed, never hidden."""
    document = {
        "dataset": dataset_id,
        "resource": resource_name,
        "source": source,
        "valid": not issues,
        "quarantined": quarantined,
        "rows": rows,
        "errors": [issue.as_dict() for issue in issues],
        "warnings": [warning.as_dict() for warning in warnings or []],
    }
    return _write(release, document)


def add_to_report(release: Path, dataset_id: str, resource_name: str, issues: list[Issue]) -> dict:
    """The table's written report with `issues` added to its errors (a download a worker could
    not write, found after the table was reported valid), so the report never says valid for a
    table whose dataset failed; its manifest entry."""
    json_rel, _ = report_paths(dataset_id, resource_name)
    document = json.loads((site_dir(release) / json_rel).read_text(encoding="utf-8"))
    document["errors"] += [issue.as_dict() for issue in issues]
    document["valid"] = False
    return _write(release, document)


def _write(release: Path, document: dict) -> dict:
    """Write the report's JSON and HTML, its counts taken from its lists; its manifest entry."""
    errors, warnings = document["errors"], document["warnings"]
    document = {
        **document,
        "error_count": len(errors),
        "error_types": _count_types(errors),
        "warning_count": len(warnings),
    }
    document = {key: document[key] for key in _KEYS}  # the published order of the keys
    json_rel, html_rel = report_paths(document["dataset"], document["resource"])
    site = site_dir(release)
    (site / json_rel).parent.mkdir(parents=True, exist_ok=True)
    (site / json_rel).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    # Reports are written while tables build, before render_site sets the per-build globals
    # (operator, methodology) on the shared environment: they are set here so a report never
    # shows what an earlier build in the same process left there (deterministic output).
    html = (
        environment()
        .get_template("report.html")
        .render(report=document, root="../../", operator=None, methodology=False)
    )
    (site / html_rel).write_text(html, encoding="utf-8")
    return {
        "valid": document["valid"],
        "quarantined": document["quarantined"],
        "errors": document["error_count"],
        "warnings": document["warning_count"],
        # by issue type, so the scorecard weighs them from the manifest, not the report file
        "error_types": document["error_types"],
        "warning_types": _count_types(warnings),
        "json": json_rel,
        "html": html_rel,
    }


def _count_types(issues: list[dict]) -> dict[str, int]:
    """How many issues of each type, by slug in sorted order (deterministic JSON)."""
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue["type"]] = counts.get(issue["type"], 0) + 1
    return dict(sorted(counts.items()))
