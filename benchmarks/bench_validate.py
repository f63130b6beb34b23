"""Time the validate stage alone on a generated N-row tender table: fast path, frictionless
(the reference path) and the `frictionless validate` command line on the same staging file.

Run by hand (never in the test suite); figures go in the closing note of the work that changed
them:

    python benchmarks/bench_validate.py                 # 1,000,000 rows
    python benchmarks/bench_validate.py --rows 200000 --no-cli

The staging CSV is made the way the build makes it (the tender resource of the sample catalog,
its reader and `normalise_chunk`), then validated; the script checks that both paths report the
same findings and prints seconds, rows/s and the peak RSS growth of each.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate_tenders import generate  # noqa: E402
from pipelines.core.chunks import chunk_rows  # noqa: E402
from pipelines.core.errors import RowMap  # noqa: E402
from pipelines.core.registry import load_catalog  # noqa: E402
from pipelines.readers import DEFAULT_CHUNK_ROWS, FILE_COLUMN, read_chunks  # noqa: E402
from pipelines.stages.normalise import normalise_chunk  # noqa: E402
from pipelines.stages.validate import validate_table  # noqa: E402


def staging_file(source: Path, staging: Path):
    """The tender table normalised into a staging CSV as the build writes it; (resource, rows)."""
    catalog = load_catalog(ROOT / "tests" / "fixtures" / "sample-catalog")
    dataset = catalog.datasets["tender-kota-bogor"]
    table = next(r for r in dataset.resources if r.name == "tender")
    rows_from = RowMap()
    with open(staging, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(table.field_names) + "\n")
        for chunk in read_chunks(
            table.reader, source, table.reader_options, chunk_rows(DEFAULT_CHUNK_ROWS)
        ):
            chunk.insert(1, FILE_COLUMN, source.name)
            normalised = normalise_chunk(chunk, table, source.name, None, None, source)
            normalised.frame.to_csv(out, header=False, index=False, lineterminator="\n")
            rows_from.add(source.name, normalised.rows.to_numpy())
    rows_from.freeze()
    return table, rows_from


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-cli", action="store_true", help="skip `frictionless validate`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jendela-bench-") as tmp:
        source, staging = Path(tmp) / "tenders.csv", Path(tmp) / "tender.csv"
        generate(source, args.rows)
        table, rows_from = staging_file(source, staging)
        size = staging.stat().st_size / 1e6
        print(f"staging file: {args.rows:,} rows, {size:.0f} MB\n")
        print(f"{'path':<24}{'seconds':>9}{'rows/s':>12}{'findings':>10}{'peak RSS MB':>13}")
        found = {}
        for label, reference in (("fast path", False), ("frictionless (reference)", True)):
            tick = time.perf_counter()
            result = validate_table(table, staging, rows_from, reference=reference)
            seconds = time.perf_counter() - tick
            found[label] = [(i.type, i.row, i.column, i.message) for i in result.issues]
            print(
                f"{label:<24}{seconds:>9.2f}{args.rows / seconds:>12,.0f}"
                f"{len(result.issues):>10}{peak_mb():>13,.0f}  ({result.engine})"
            )
        assert found["fast path"] == found["frictionless (reference)"], "the paths disagree"
        if not args.no_cli:
            schema = Path(tmp) / "schema.json"
            schema.write_text(json.dumps(table.frictionless_schema()), encoding="utf-8")
            cli = Path(sys.executable).parent / "frictionless"
            tick = time.perf_counter()
            # frictionless refuses absolute paths as unsafe: it runs beside the files
            done = subprocess.run(
                [str(cli), "validate", "--json", "--schema", schema.name, staging.name],
                capture_output=True,
                check=False,
                cwd=tmp,
                text=True,
            )
            seconds = time.perf_counter() - tick
            tasks = json.loads(done.stdout)["tasks"]
            assert tasks[0]["stats"]["rows"] == args.rows, done.stdout[:500]
            print(
                f"{'frictionless validate CLI':<24}{seconds:>9.2f}{args.rows / seconds:>12,.0f}"
                f"{tasks[0]['stats']['errors']:>10}"
            )


if __name__ == "__main__":
    main()
