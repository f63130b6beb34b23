#!/usr/bin/env python3
"""Jendela Data command line: build, validate, list and serve the catalog.

A thin layer over `pipelines/`: it parses arguments, calls the library and prints. Exit codes:
0 ok, 1 data failed validation (or a source could not be read), 2 usage or configuration error.

    python publish.py build [ids...]     build every (or the named) dataset and publish atomically
    python publish.py validate [ids...]  run the pipeline and report, publishing nothing
    python publish.py list               the datasets and their tables
    python publish.py serve              Datasette + the static catalog on one port
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from pipelines.build import DB_NAME, DEFAULT_OUTPUT, BuildResult, build
from pipelines.errors import EXIT_USAGE, JendelaError
from pipelines.model import DATASETS_DIR, METADATA_DIR, ROOT
from pipelines.progress import Progress
from pipelines.registry import load_catalog
from pipelines.release import SITE, current_release

SHOWN_ISSUES = 10


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.run(args)
    except JendelaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="publish.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets-dir", type=Path, default=DATASETS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--metadata-dir", type=Path, default=METADATA_DIR, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command")

    cmd = commands.add_parser("build", help="build and publish the catalog atomically")
    cmd.add_argument("ids", nargs="*", help="dataset ids (default: all)")
    cmd.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default: build/")
    cmd.add_argument("--remote", action="store_true", help="download sources that have a url")
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    cmd.add_argument("--timings", type=Path, help="write per-stage timings as JSON here")
    _source_option(cmd)
    cmd.set_defaults(run=_build)

    cmd = commands.add_parser("validate", help="run the pipeline and report; publish nothing")
    cmd.add_argument("ids", nargs="*")
    cmd.add_argument("--remote", action="store_true")
    cmd.add_argument("--quiet", "-q", action="store_true")
    _source_option(cmd)
    cmd.set_defaults(run=_validate)

    cmd = commands.add_parser("list", help="list datasets and their tables")
    cmd.set_defaults(run=_list)

    cmd = commands.add_parser("serve", help="serve Datasette and the static catalog")
    cmd.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the build to serve")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=int(os.environ.get("JENDELA_PORT", 8001)))
    cmd.set_defaults(run=_serve)
    return parser


def _source_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="RESOURCE=PATH",
        help="read this file, folder or glob instead of the resource's embedded input",
    )


def _overrides(args) -> dict[str, Path]:
    overrides = {}
    for item in args.source:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--source expects RESOURCE=PATH, got {item!r}")
        overrides[name] = Path(path)
    return overrides


class UsageError(JendelaError):
    pass


def _catalog(args):
    return load_catalog(args.datasets_dir, args.metadata_dir)


def _build(args) -> int:
    catalog = _catalog(args)
    result = build(
        catalog,
        args.ids,
        output=args.output.absolute(),
        remote=args.remote,
        progress=Progress(quiet=args.quiet),
        source_overrides=_overrides(args),
    )
    if args.timings:
        args.timings.write_text(json.dumps(result.timings, indent=2) + "\n")
    _print_result(result, published=True)
    return result.exit_code


def _validate(args) -> int:
    catalog = _catalog(args)
    with tempfile.TemporaryDirectory(prefix="jendela-validate-") as tmp:
        result = build(
            catalog,
            args.ids,
            output=Path(tmp) / "build",
            remote=args.remote,
            progress=Progress(quiet=args.quiet),
            source_overrides=_overrides(args),
        )
        _print_result(result, published=False)
    return result.exit_code


def _print_result(result: BuildResult, published: bool) -> None:
    for item in result.results:
        if item.status == "carried":
            continue
        if not item.status.startswith("failed"):
            rows = sum(r.get("rows", 0) for r in item.entry.get("resources", {}).values())
            print(f"OK    {item.id}: {rows:,} baris/rows")
            continue
        kept = (
            " (rilis sebelumnya tetap terbit / previous release kept)"
            if item.status == "failed-kept-previous"
            else ""
        )
        print(f"GAGAL/FAILED {item.id}: {len(item.issues)} masalah/issues{kept}")
        for issue in item.issues[:SHOWN_ISSUES]:
            print(f"  {issue.as_line()}")
        if len(item.issues) > SHOWN_ISSUES:
            print(f"  ... {len(item.issues) - SHOWN_ISSUES} lagi/more")
        if published:
            for resource, report in item.entry.get("reports", {}).items():
                if not report.get("valid", True):
                    path = result.output / report["html"]
                    print(f"  Laporan lengkap / full report ({resource}): {_shown(path)}")
    status = "diterbitkan / published" if published else "divalidasi / validated"
    where = f" -> {_shown(result.output)}" if published else ""
    print(
        f"{len(result.results) - len(result.failed)}/{len(result.results)} dataset {status}"
        f"{where} ({result.seconds:.1f} s)"
    )


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _list(args) -> int:
    catalog = _catalog(args)
    for dataset_id in catalog.build_order():
        dataset = catalog.datasets[dataset_id]
        sample = "  [contoh/sample]" if dataset.is_sample else ""
        print(f"{dataset_id}: {dataset.title}{sample}")
        for resource in dataset.resources:
            print(f"    {resource.name}: {resource.title} ({len(resource.fields)} kolom/columns)")
    return 0


def _serve(args) -> int:
    release = current_release(args.output.absolute())
    if release is None or not (release / DB_NAME).is_file():
        print(
            f"error: no build at {args.output}; run `python publish.py build` first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(release / DB_NAME),
        "--config",
        str(ROOT / "datasette.yaml"),
        "--metadata",
        str(release / "metadata.json"),
        "--setting",
        "plugins.jendela.site_dir",
        str(release / SITE),
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    print(f"Jendela Data: http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    os.execv(sys.executable, command)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
