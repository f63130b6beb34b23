#!/usr/bin/env python3
"""Jendela Data command line: build, validate, list and serve the catalog.

A thin layer over `pipelines/`: it parses arguments, calls the library and prints. Exit codes:
0 ok, 1 data failed validation (or a source could not be read), 2 usage or configuration error.

    python publish.py build [ids...]     build every (or the named) dataset and publish atomically
    python publish.py validate [ids...]  run the pipeline and report, publishing nothing
    python publish.py list               the datasets and their tables
    python publish.py serve              Datasette + the static catalog on one port
    python publish.py harvest URL        harvest a CKAN portal into dataset folders
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.core.errors import EXIT_USAGE, JendelaError
from pipelines.core.freshness import TODAY_ENV
from pipelines.core.layout import DATABASE_FILE, MANIFEST_FILE
from pipelines.core.manifest import (
    CARRIED,
    FAILED_KEPT_PREVIOUS,
    PUBLISHED,
    DatasetEntry,
    Manifest,
)
from pipelines.core.model import DATASETS_DIR, DEFAULT_OUTPUT, METADATA_DIR
from pipelines.core.progress import Progress
from pipelines.core.registry import load_catalog
from pipelines.core.release import current_release

if TYPE_CHECKING:
    # The build (frictionless, Jinja, the stages, pandas: about half a second) is imported by the
    # commands that build, not by `serve` and the others (serve still loads pandas through
    # Datasette's sqlite-utils: it starts about 0.13 s sooner).
    from pipelines.build import BuildResult

SHOWN_ISSUES = 10
README = Path(__file__).resolve().parent / "README.md"


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
    cmd.add_argument(
        "--remote",
        action="store_true",
        help="refresh snapshots from the URL in source/provenance.yaml (and say what changed); "
        "without a record, download source.url into the cache",
    )
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    cmd.add_argument(
        "--force",
        action="store_true",
        help="build every dataset again, even those whose inputs and code did not change since "
        "the published release (default: take those from it; nothing changed: no work)",
    )
    cmd.add_argument("--timings", type=Path, help="write per-stage timings as JSON here")
    cmd.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another build writes to the same output, wait this long for it (default: "
        "stop at once with a message)",
    )
    cmd.add_argument(
        "--accept-fewer-rows",
        action="store_true",
        help="publish a table that is empty or lost more rows than its jendela.max_row_drop_pct "
        "(default 50) against the previous release; the counts are printed",
    )
    _source_option(cmd)
    _site_options(cmd)
    cmd.set_defaults(run=_build)

    # No --remote here: refreshing a snapshot rewrites datasets/<id>/source/, and validate
    # changes nothing. `build --remote` refreshes and publishes.
    cmd = commands.add_parser("validate", help="run the pipeline and report; publish nothing")
    cmd.add_argument("ids", nargs="*")
    cmd.add_argument("--quiet", "-q", action="store_true")
    _source_option(cmd)
    cmd.set_defaults(run=_validate)

    cmd = commands.add_parser("list", help="list datasets and their tables")
    cmd.set_defaults(run=_list)

    cmd = commands.add_parser(
        "status", help="per dataset: last change at the source, due date, overdue"
    )
    cmd.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default: build/")
    _today_option(cmd)
    cmd.set_defaults(run=_status)

    cmd = commands.add_parser("readme", help="rewrite README.md's dataset table from a build")
    cmd.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="default: build/")
    cmd.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    cmd.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    cmd.set_defaults(run=_readme)

    cmd = commands.add_parser(
        "snapshot", help="keep a copy of a public file in datasets/<id>/source/, with provenance"
    )
    cmd.add_argument("id", help="the dataset id (its folder name; created if new)")
    cmd.add_argument("url", help="the file's http(s) address at its source")
    cmd.add_argument(
        "--licence-as-stated",
        required=True,
        help='the licence as the source states it, or "none stated"',
    )
    cmd.add_argument("--publisher", required=True, help="who publishes the file")
    cmd.add_argument("--publisher-url", help="the publisher's page (http(s))")
    cmd.add_argument("--name", help="file name to keep (default: the URL's last part)")
    cmd.set_defaults(run=_snapshot)

    cmd = commands.add_parser("serve", help="serve Datasette and the static catalog")
    cmd.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the build to serve")
    cmd.add_argument("--host", default="127.0.0.1")
    cmd.add_argument("--port", type=int, default=int(os.environ.get("JENDELA_PORT", 8001)))
    cmd.add_argument(
        "--setting",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a Datasette setting of datasette.yaml, e.g. --setting max_csv_mb 1",
    )
    cmd.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on one port (uvicorn's workers; about one per CPU core). A kept "
        "connection stays with the worker that took it: behind a proxy that keeps its "
        "connections, run one server per port instead (docs/deploy.md)",
    )
    cmd.set_defaults(run=_serve)

    cmd = commands.add_parser("harvest", help="harvest a CKAN portal into dataset folders")
    cmd.add_argument("portal", help="the portal address, e.g. https://data.go.id")
    cmd.add_argument("--org", help="only this CKAN organisation (its name)")
    cmd.add_argument("--tag", help="only packages with this tag")
    cmd.add_argument("--query", "-q", help="CKAN search query (Solr syntax)")
    cmd.add_argument("--limit", type=int, help="at most this many packages")
    cmd.add_argument("--report", type=Path, help="harvest report JSON (default: in the cache)")
    cmd.add_argument("--cache-dir", type=Path, help="default: .cache beside the datasets folder")
    cmd.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    cmd.add_argument("--retries", type=int, default=3, help="retries after timeouts and 5xx")
    cmd.add_argument("--backoff", type=float, default=1.0, help="retry backoff factor")
    cmd.add_argument(
        "--max-bytes", type=int, help="refuse a resource file larger than this (default: 1 GiB)"
    )
    cmd.set_defaults(run=_harvest)
    return parser


def _source_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="RESOURCE=PATH",
        help="read this file, folder or glob instead of the resource's embedded input",
    )


def _site_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--base-url", help="address the site is published at, for sitemap, feeds, DCAT, citations"
    )
    cmd.add_argument(
        "--boundaries",
        type=Path,
        metavar="GEOJSON",
        help="kecamatan/kelurahan boundaries to draw maps from (read in place, never copied)",
    )
    cmd.add_argument(
        "--boundaries-licence",
        metavar="TEXT",
        help="licence and source of --boundaries, printed under every map (required with it)",
    )
    _today_option(cmd)


def _today_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help=f"the day overdue is judged on (default: ${TODAY_ENV}, else the system date)",
    )


def _site(args):
    from pipelines.build import site_options

    return site_options(args.base_url, args.boundaries, args.boundaries_licence, args.today)


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
    from pipelines.build import build

    catalog = _catalog(args)
    result = build(
        catalog,
        args.ids,
        output=args.output.absolute(),
        remote=args.remote,
        progress=Progress(quiet=args.quiet),
        source_overrides=_overrides(args),
        site_options=_site(args),
        wait=args.wait,
        accept_fewer_rows=args.accept_fewer_rows,
        force=args.force,
    )
    if args.timings:
        args.timings.write_text(json.dumps(result.timings, indent=2) + "\n")
    _print_result(result, published=True)
    return result.exit_code


def _validate(args) -> int:
    from pipelines.build import build

    catalog = _catalog(args)
    with tempfile.TemporaryDirectory(prefix="jendela-validate-") as tmp:
        result = build(
            catalog,
            args.ids,
            output=Path(tmp) / "build",
            progress=Progress(quiet=args.quiet),
            source_overrides=_overrides(args),
        )
        _print_result(result, published=False)
    return result.exit_code


def _print_result(result: BuildResult, published: bool) -> None:
    if result.unchanged:
        print(
            f"tidak ada yang berubah sejak rilis terbit; {_shown(result.output)} tetap sama "
            f"({result.seconds:.1f} s, --force untuk membangun ulang) / nothing changed since the "
            f"published release; {_shown(result.output)} stays as it is ({result.seconds:.1f} s, "
            "--force to build again)"
        )
        return
    for note in result.accepted:
        print(f"LEBIH SEDIKIT/FEWER ROWS {note}")
    for item in result.results:
        if item.status == CARRIED:
            continue
        if item.status == PUBLISHED:
            print(f"OK    {item.id}: {_published_summary(item.entry)}")
            if published:
                for resource, report in item.entry.reports.items():
                    if report.get("quarantined") or report.get("warnings"):
                        path = result.output / report["html"]
                        print(f"  Laporan / report ({resource}): {_shown(path)}")
            continue
        kept = (
            " (rilis sebelumnya tetap terbit / previous release kept)"
            if item.status == FAILED_KEPT_PREVIOUS
            else ""
        )
        print(f"GAGAL/FAILED {item.id}: {len(item.issues)} masalah/issues{kept}")
        for issue in item.issues[:SHOWN_ISSUES]:
            print(f"  {issue.as_line()}")
        if len(item.issues) > SHOWN_ISSUES:
            print(f"  ... {len(item.issues) - SHOWN_ISSUES} lagi/more")
        if published:
            for resource, report in item.entry.reports.items():
                if not report.get("valid", True):
                    path = result.output / report["html"]
                    print(f"  Laporan lengkap / full report ({resource}): {_shown(path)}")
    status = "diterbitkan / published" if published else "divalidasi / validated"
    where = f" -> {_shown(result.output)}" if published else ""
    print(
        f"{len(result.results) - len(result.failed)}/{len(result.results)} dataset {status}"
        f"{where} ({result.seconds:.1f} s)"
    )


def _published_summary(entry: DatasetEntry) -> str:
    """Rows published, and what was published beside them: quarantined rows and warnings are
    never hidden behind a plain OK."""
    resources = entry.resources.values()
    rows = sum(r.get("rows", 0) for r in resources)
    quarantined = sum(r.get("quarantined", 0) for r in resources)
    warnings = sum(r.get("warnings", 0) for r in entry.reports.values())
    notes = []
    if quarantined:
        notes.append(f"{quarantined:,} baris dikarantina/rows quarantined")
    if warnings:
        notes.append(f"{warnings:,} peringatan/warnings")
    return f"{rows:,} baris/rows" + (f" ({'; '.join(notes)})" if notes else "")


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


def _status(args) -> int:
    """The published release (its id) and, per dataset, when its source last changed, when it is
    due again by its declared frequency, and whether it is overdue on --today."""
    from pipelines.catalog.status import status_lines
    from pipelines.core.freshness import today

    day = today(args.today)
    release = current_release(args.output)
    if release is None or not (release / MANIFEST_FILE).is_file():
        print(
            f"error: {args.output} belum berisi rilis; jalankan dulu `publish.py build` / "
            "holds no release; run `publish.py build` first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print("\n".join(status_lines(_catalog(args), release, day)))
    return 0


def _readme(args) -> int:
    """README's dataset table states what a build published (coverage, rows), not what we hoped."""
    from pipelines.catalog.readme_table import dataset_table, replace_table

    manifest_path = args.output / MANIFEST_FILE
    if not manifest_path.is_file():
        print(
            f"error: {manifest_path} tidak ada; jalankan dulu `publish.py build` / "
            f"is missing; run `publish.py build` first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    manifest = Manifest.load(args.output)
    readme = args.readme
    text = readme.read_text(encoding="utf-8")
    updated = replace_table(text, dataset_table(_catalog(args), manifest))
    if args.check:
        if updated != text:
            print("README.md: tabel dataset usang / dataset table out of date", file=sys.stderr)
            return 1
        return 0
    readme.write_text(updated, encoding="utf-8")
    print(f"{readme.name}: tabel dataset diperbarui / dataset table updated ({manifest_path})")
    return 0


def _snapshot(args) -> int:
    """README "Adding a dataset", step 1: the snapshot and its provenance entry, both from what
    was downloaded."""
    from pipelines.build import snapshot

    kept = snapshot(
        args.datasets_dir,
        args.id,
        args.url,
        licence_as_stated=args.licence_as_stated,
        publisher=args.publisher,
        publisher_url=args.publisher_url,
        name=args.name,
    )
    entry = kept.entry
    print(
        f"{args.id}/{entry['file']}: disimpan / kept, {entry['bytes']:,} bytes, "
        f"sha256 {entry['sha256']}; catatan / record: {args.id}/source/provenance.yaml"
    )
    return 0


def _harvest(args) -> int:
    from dataclasses import replace

    from pipelines.harvest.client import ClientSettings
    from pipelines.harvest.harvester import HarvestOptions, default_report_path, harvest

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit harus paling sedikit 1 / --limit must be at least 1")
    if args.max_bytes is not None and args.max_bytes < 1:
        raise UsageError("--max-bytes harus paling sedikit 1 / --max-bytes must be at least 1")
    if not args.portal.startswith(("http://", "https://")):
        raise UsageError(
            f"portal harus berupa alamat http(s), bukan {args.portal!r} / "
            f"the portal must be an http(s) address, got {args.portal!r}"
        )
    cache_dir = (args.cache_dir or args.datasets_dir.absolute().parent / ".cache").absolute()
    settings = ClientSettings(timeout=args.timeout, retries=args.retries, backoff=args.backoff)
    if args.max_bytes is not None:
        settings = replace(settings, max_bytes=args.max_bytes)
    report = harvest(
        HarvestOptions(
            portal=args.portal,
            datasets_dir=args.datasets_dir,
            metadata_dir=args.metadata_dir,
            cache_dir=cache_dir,
            org=args.org,
            tag=args.tag,
            query=args.query,
            limit=args.limit,
            settings=settings,
        )
    )
    path = args.report or default_report_path(cache_dir, args.portal)
    report.write(path)
    for line in report.summary_lines():
        print(line)
    print(f"Laporan panen / harvest report: {_shown(path)}")
    return report.exit_code


def _serve(args) -> int:
    from pipelines.web.serve import SettingError, parse_settings, run

    output = args.output.absolute()
    release = current_release(output)
    if release is None or not (release / DATABASE_FILE).is_file():
        print(
            f"error: belum ada build di {args.output}; jalankan `python publish.py build` dulu / "
            f"no build at {args.output}; run `python publish.py build` first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        settings = parse_settings(args.setting)
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.workers < 1:
        print(
            f"error: --workers harus 1 atau lebih / must be 1 or more: {args.workers}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(f"Jendela Data: http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    run(output, args.host, args.port, settings, workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
