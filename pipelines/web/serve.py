"""How `publish.py serve` starts Datasette on a release: read-only, CORS on, our parts mounted.

Kept apart from the CLI so the command line stays a thin layer and tests can read the arguments.
"""

from __future__ import annotations

from pathlib import Path

from ..core.layout import (
    FACET_COUNTS_FILE,
    FACET_STORE_DIR,
    INSPECT_FILE,
    METADATA_FILE,
    SITE,
)
from .layout import DATASETTE_STATIC, DATASETTE_TEMPLATES, ROOT, STATIC_MOUNT

CONFIG = ROOT / "datasette.yaml"


def serve_arguments(
    release: Path, database: Path, host: str, port: int, settings: list[tuple[str, str]]
) -> list[str]:
    """`datasette serve` arguments for a release.

    --immutable: the file is never written, so Datasette skips locking and caches counts;
    --cors: the JSON API is for browsers on other sites too; --inspect-file: exact row counts;
    `settings` (NAME, VALUE) pairs override datasette.yaml (`--setting max_csv_mb 1`).
    """
    plugin = {
        "site_dir": release / SITE,
        "facet_counts": release / FACET_COUNTS_FILE,
        "facet_store": release / FACET_STORE_DIR,
    }
    arguments = [
        "--immutable",
        str(database),
        "--config",
        str(CONFIG),
        "--metadata",
        str(release / METADATA_FILE),
        "--template-dir",
        str(DATASETTE_TEMPLATES),
        "--static",
        f"{STATIC_MOUNT}:{DATASETTE_STATIC}",
        "--cors",
        "--host",
        host,
        "--port",
        str(port),
    ]
    if (release / INSPECT_FILE).is_file():
        arguments += ["--inspect-file", str(release / INSPECT_FILE)]
    for name, value in plugin.items():
        arguments += ["--setting", f"plugins.jendela.{name}", str(value)]
    for name, value in settings:
        arguments += ["--setting", name, value]
    return arguments
