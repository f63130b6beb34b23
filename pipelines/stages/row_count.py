"""Row-count guard: an input that is empty, header-only or far shorter than what the previous
release published fails its table, unless the build is told to accept it.

A truncated download, a wrong filter on an export or a header-only file would otherwise replace
thousands of published rows with none and report "OK". The drop allowed is the resource's
`jendela.max_row_drop_pct` (default 50: half the rows may go), measured against the rows the
previous release published for the same table; `publish.py build --accept-fewer-rows` accepts
a smaller table for this one build, and the counts are printed either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import Issue
from ..core.indonesian import format_number
from ..core.issue_types import TOO_FEW_ROWS
from ..core.manifest import FAILED, Manifest

DEFAULT_MAX_DROP_PCT = 50


@dataclass
class RowGuard:
    previous: dict[str, int] = field(default_factory=dict)  # table -> rows last published
    accept: bool = False  # --accept-fewer-rows
    accepted: list[str] = field(default_factory=list)  # notes for the tables let through

    @classmethod
    def from_manifest(cls, manifest: Manifest, accept: bool = False) -> RowGuard:
        rows = {
            name: int(entry.get("rows") or 0)
            for dataset in manifest.datasets.values()
            if dataset.status != FAILED  # a failed dataset published nothing
            for name, entry in dataset.resources.items()
        }
        return cls(previous=rows, accept=accept)

    def check(self, resource, rows: int, source: str) -> Issue | None:
        """An Issue when `rows` is too few for `resource`; None when fine or accepted."""
        before = self.previous.get(resource.name)
        allowed = float(resource.ext.get("max_row_drop_pct", DEFAULT_MAX_DROP_PCT))
        shown_rows, shown_before = format_number(rows, 0), format_number(before or 0, 0)
        if rows == 0:
            text_id, text_en = "tidak ada satu baris data pun", "it has no data rows at all"
        elif before and rows < before * (1 - allowed / 100):
            drop = format_number(100 * (before - rows) / before, 1)
            text_id = (
                f"{shown_rows} baris, padahal rilis sebelumnya menerbitkan {shown_before} "
                f"(turun {drop}%, batas {format_number(allowed, 0)}%)"
            )
            text_en = (
                f"{shown_rows} rows where the previous release published {shown_before} "
                f"(down {drop}%, limit {format_number(allowed, 0)}%)"
            )
        else:
            return None
        if self.accept:
            self.accepted.append(
                f"{resource.dataset_id}/{resource.name}: {shown_rows} baris/rows "
                f"(sebelumnya/previously {shown_before}), diterima/accepted"
            )
            return None
        return Issue(
            dataset=resource.dataset_id,
            resource=resource.name,
            type=TOO_FEW_ROWS,
            message=f"tabel {resource.name}: {text_id} / table {resource.name}: {text_en}",
            file=source,
            hint=(
                "periksa berkas sumbernya (terpotong, kosong, atau salah filter?); bila memang "
                "benar, jalankan `python publish.py build --accept-fewer-rows` / check the source "
                "file (cut short, empty, wrongly filtered?); if it is right, run `python "
                "publish.py build --accept-fewer-rows`"
            ),
            extra={"whole_table": True, "rows": rows, "previous_rows": before},
        )
