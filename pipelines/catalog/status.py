"""`publish.py status`: the published release and the freshness of every dataset in it, as the
lines the command prints (the command line only prints them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core.manifest import Manifest
from ..core.registry import Catalog
from ..stages.history import read_history
from .site import dataset_freshness


def status_lines(catalog: Catalog, release: Path, day: dt.date) -> list[str]:
    """The release id, the day, then per dataset: frequency, last change at the source, due
    date and whether it is overdue on `day`."""
    history = read_history(release)
    lines = [f"rilis/release {history[0]['id']} ({history[0]['date']})"] if history else []
    lines.append(f"hari ini/today {day.isoformat()}")
    for dataset_id, entry in Manifest.load(release).datasets.items():
        if dataset_id not in catalog.datasets:
            continue
        state = dataset_freshness(catalog.datasets[dataset_id], entry, day)
        if state.overdue:
            verdict = f"TERLAMBAT/OVERDUE {state.days_late} hari/days"
        elif state.due:
            verdict = "tepat waktu/on time"
        else:
            verdict = "tanpa jadwal/no schedule"
        lines.append(
            f"{dataset_id}: frekuensi/frequency {state.frequency or '-'}; "
            f"perubahan sumber/source changed {state.last_change}; "
            f"jatuh tempo/due {state.due or '-'}; {verdict}"
        )
    return lines
