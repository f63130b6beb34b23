"""Export jobs whose worker process dies on one table, as the machine's OOM killer would end it.

Tests put these in place of the real writers (pipelines/stages/export_jobs.py hands a worker the
function by name, so the worker imports them from here: tests/ is on the path). A worker has no
other way to die on cue; the death itself (SIGKILL, no code run on the way out) is real."""

from __future__ import annotations

import os
import signal

from pipelines.stages.export_xlsx import write_xlsx_from_staging
from pipelines.stages.ocds import write_package_from_file

DYING_TABLE = "tender"


def xlsx_or_die(staging: str, table: str, *rest) -> None:
    _die_on(table)
    write_xlsx_from_staging(staging, table, *rest)


def ocds_or_die(database: str, table: str, *rest) -> None:
    _die_on(table)
    write_package_from_file(database, table, *rest)


def _die_on(table: str) -> None:
    if table == DYING_TABLE:
        os.kill(os.getpid(), signal.SIGKILL)
