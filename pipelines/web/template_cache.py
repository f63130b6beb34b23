"""Datasette's page templates compiled once per machine, not once per server instance.

Jinja turns a template into Python code the first time an Environment loads it, and Datasette
makes an Environment per instance: every server process, every uvicorn worker, and every release
a running server moves to (serve.py starts an instance per release) compiled the table, row,
query and base templates again on its first requests: on the sample build, 20 templates for
seven kinds of page, 0.16-0.20 s of CPU a new instance spent compiling and now does not.

Jinja's own bytecode cache keeps that code in files. It keys each file by the template's name and
path, and stores the source's checksum and Jinja's and Python's versions with it: a changed
template or an upgrade compiles again. The files go to `$JENDELA_TEMPLATE_CACHE` if set, else
to Jinja's per-user folder in the system's temporary folder (made mode 0700, refused if another
user owns it). A cache is only a saving: where its folder cannot be made or written, pages are
compiled as before and served the same.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from jinja2 import BytecodeCache, FileSystemBytecodeCache

CACHE_ENV = "JENDELA_TEMPLATE_CACHE"
PATTERN = "jendela-%s.cache"  # apart from other programs' files in Jinja's shared folder


class _SparingCache(FileSystemBytecodeCache):
    """Jinja's file cache, except that a file it cannot write (a full disk, a folder a cleaner
    removed) leaves the page compiled in memory instead of failing the request."""

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def compiled_templates() -> BytecodeCache | None:
    """The cache for this process's Datasette Environments, or None where no folder can hold it."""
    folder = os.environ.get(CACHE_ENV, "").strip()
    try:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            return _SparingCache(folder, PATTERN)
        return _SparingCache(None, PATTERN)
    except (OSError, RuntimeError):  # RuntimeError: Jinja found no safe temporary folder
        return None
