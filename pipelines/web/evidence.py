"""Evidence packs: one click on a table, filter or query page gives a zip that shows what the data
said on the day, and lets anyone check it.

`/-/bukti` followed by the page's own address (`/-/bukti/jendela/apbd_djpk?tahun=2023`,
`/-/bukti/jendela/-/query?sql=...`, `/-/bukti/jendela/<canned query>?<parameters>`) answers a zip
(evidence_pack.py writes it) with:

- every row of the view as CSV, written like every CSV the server answers (csv_export.py: UTF-8,
  formula-safe text cells). A table view is paged through Datasette's own JSON API (its filter
  semantics, keyset pages, per-page time limit), not only the first page; a query Datasette
  truncates at max_returned_rows is run again in full on Datasette's read connection
  (`Database.execute_fn`), under EVIDENCE_TIME_FACTOR times the SQL time limit;
- the SQL Datasette ran with its parameters, the page address and its arguments;
- the release id and date (the release history, stages/history.py), the database's SHA-256
  (Datasette's own `Database.hash`: the `datasette inspect` hash the build wrote) and the rows
  file's SHA-256;
- the licences and sources of every table the query reads (sources.py finds them with SQLite's
  authorizer, through views, CTEs and subqueries), from each dataset's published
  datapackage.json; a red-flag table credits the datasets it is computed from;
- the site's citation of each dataset (core/translations.py `citation_format`) with the release.

A view over MAX_ROWS rows is refused with a bilingual 400 that points at the release's complete
downloads, as is a query SQLite cannot run in time, bad SQL, a write statement, or an unknown table
or query: nothing of the pack is sent until all of it is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from datasette.utils import sqlite_timelimit, tilde_decode

from ..core.bilingual import pair
from ..core.indonesian import format_number
from ..core.layout import (
    DATABASE,
    DATABASE_FILE,
    DATAPACKAGE,
    DOWNLOADS,
    LANGUAGE_PREFIX,
    MANIFEST_FILE,
    RELEASES_DIR,
    downloads_dir,
)
from ..core.manifest import Manifest
from ..core.translations import translate
from ..stages.history import read_history
from .csv_export import (
    DROPPED_ARGS,
    PAGE_ARGS,
    csv_cells,
    csv_heading,
    csv_line,
    is_table,
    labelled_columns,
)
from .error_pages import error_response
from .evidence_pack import (
    CITATION_FILE,
    EVIDENCE_FILE,
    README_FILE,
    ROWS_FILE,
    RowsWriter,
    TooManyRows,
    evidence_json,
    readme,
    write_pack,
)
from .i18n import both, t, text
from .layout import cors_headers, served_release
from .sources import tables_read

PREFIX = "/-/bukti"
ROUTE = rf"^{PREFIX}/{DATABASE}/(?P<target>-/query|[^/]+)$"
MAX_ROWS = 1_000_000
EVIDENCE_TIME_FACTOR = 10  # a whole query result may take ten times one page's time limit
# Arguments that change how a page looks, not which rows it holds.
VIEW_ARGS = DROPPED_ARGS | {"_facet", "_facet_array", "_facet_date", "_facet_size"}
VIEW_ARGS |= {"_hide_sql", "_show_sql", "_trace", "_json"}
SEND_CHUNK = 1 << 20
TRAILING_LIMIT = re.compile(r"\s+limit\s+\d+\s*$", re.IGNORECASE)


class EvidenceError(Exception):
    """A pack that cannot be made, for a reason the user can fix: a translation key, its values
    and the HTTP status."""

    def __init__(self, key: str, status: int = 400, **values):
        super().__init__(key)
        self.key, self.status, self.values = key, status, values


def view_args(query_string: str) -> list[tuple[str, str]]:
    """The page's arguments that choose its rows, in their order."""
    return [(k, v) for k, v in parse_qsl(query_string, True) if k not in VIEW_ARGS]


def evidence_url(request) -> str:
    """The evidence pack of the page `request` shows (the button on table and query pages)."""
    args = view_args(request.query_string)
    return PREFIX + request.path + (f"?{urlencode(args)}" if args else "")


def _refused(response) -> EvidenceError:
    """Datasette's own refusal of the view (bad SQL, a write, a bad filter) as ours."""
    try:
        detail = response.json().get("error") or response.text
    except ValueError:
        detail = response.text
    status = response.status_code if 400 <= response.status_code < 500 else 400
    return EvidenceError("evidence_refused", status, error=str(detail)[:500])


async def _json(datasette, path: str, args: list[tuple[str, str]]) -> dict:
    response = await datasette.client.get(f"{path}?{urlencode(args)}")
    if response.status_code != 200:
        raise _refused(response)
    return response.json()


async def _table_rows(datasette, target: str, args, writer: RowsWriter) -> dict:
    """Every page of a table view through Datasette's JSON API; the SQL of its first page."""
    path = f"/{DATABASE}/{target}.json"
    query = args + PAGE_ARGS
    data = await _json(datasette, path, query + [("_extra", "query")])
    labelled = labelled_columns(data["columns"], data["rows"])
    writer.heading(csv_line(csv_heading(data["columns"], labelled)))
    ran, pages = data["query"], 1
    while True:
        for row in data["rows"]:
            writer.row(csv_line(csv_cells(row, labelled)))
        if not data.get("next"):
            break
        data = await _json(datasette, path, query + [("_next", data["next"])])
        pages += 1
    return {
        "sql": ran["sql"],
        "params": ran["params"],
        "pages": pages,
        # The first page's SQL without its LIMIT: every row, in the order the pages gave them.
        "sql_all_rows": TRAILING_LIMIT.sub("", ran["sql"]),
    }


async def _query_rows(datasette, path: str, args, writer: RowsWriter) -> dict:
    """A SQL or canned query's rows: Datasette's answer, or the whole result when it truncated."""
    shape = [("_shape", "arrays"), ("_extra", "columns"), ("_extra", "query")]
    data = await _json(datasette, path, args + shape)
    ran = data["query"]
    writer.heading(csv_line(data["columns"]))
    if not data.get("truncated"):
        for row in data["rows"]:
            writer.row(csv_line(row))
        return {"sql": ran["sql"], "params": ran["params"]}
    limit = datasette.setting("sql_time_limit_ms") * EVIDENCE_TIME_FACTOR

    def stream(conn):
        with sqlite_timelimit(conn, limit):
            for row in conn.execute(ran["sql"], ran["params"]):
                writer.row(csv_line(list(row)))

    try:
        await datasette.get_database(DATABASE).execute_fn(stream)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise EvidenceError("evidence_too_slow", ms=format_number(limit)) from exc
        raise EvidenceError("evidence_refused", error=str(exc)) from exc
    return {"sql": ran["sql"], "params": ran["params"]}


@cache
def _package(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _manifest(release: Path) -> Manifest:
    return Manifest.load(release)


def _table_dataset(datasette, name: str) -> str | None:
    config = datasette.plugin_config("jendela", database=DATABASE, table=name, fallback=False)
    return (config or {}).get("dataset")


def _credited(datasette, release: Path, tables: tuple[str, ...]) -> list[dict]:
    """Each table read, with the dataset it belongs to, or for a red-flag table (derived, with
    no dataset of its own) the datasets of the tables it is computed from."""
    indicators = _manifest(release).indicators
    derived = set(indicators.get("tables", {})) | set(indicators.get("views", []))
    entries = []
    for name in tables:
        dataset = _table_dataset(datasette, name)
        entry = {"name": name, "dataset": dataset}
        if dataset is None and name in derived:
            reads = indicators.get("reads", [])
            entry["derived_from"] = sorted({_table_dataset(datasette, t) for t in reads} - {None})
        entries.append(entry)
    return entries


def _dataset_credit(release: Path, dataset_id: str) -> dict:
    """A dataset's title, publisher, licences and sources as its published package states them."""
    package = _package(downloads_dir(release, dataset_id) / DATAPACKAGE)
    ext = package.get("jendela", {})
    publisher = next(
        (c for c in package.get("contributors", []) if c.get("role") == "publisher"), {}
    )
    return {
        "title": pair(package["title"], ext.get("en", {}).get("title")),
        "publisher": publisher.get("title"),
        "updated": ext.get("updated"),
        "licenses": package.get("licenses", []),
        "sources": package.get("sources", []),
        "datapackage": f"/{DOWNLOADS}/{dataset_id}/{DATAPACKAGE}",
    }


def _citation(datasette, request, datasets: dict, release: dict, url: str) -> dict:
    """The site's citation of each dataset (as on its page), then the release and the page."""
    said = text("evidence_citation", release=release["id"], date=release["date"], url=url)
    citation = {}
    for lang in ("id", "en"):
        lines = [
            translate("citation_format", lang).format(
                publisher=credit["publisher"],
                year=(credit["updated"] or release["date"])[:4],
                title=credit["title"][lang],
                updated=credit["updated"] or release["date"],
                url=datasette.absolute_url(
                    request, f"/{LANGUAGE_PREFIX[lang]}dataset/{dataset_id}/"
                ),
            )
            for dataset_id, credit in datasets.items()
        ]
        citation[lang] = "\n".join([*lines, said.get(lang)])
    return citation


async def _target(datasette, target: str, args) -> tuple[str, str, str]:
    """(kind, name, JSON path) of the page: a table or view, a canned query, or SQL."""
    if target == "-/query":
        if not dict(args).get("sql", "").strip():
            raise EvidenceError("evidence_no_sql")
        return "sql", "kueri", f"/{DATABASE}/-/query.json"
    name = tilde_decode(target)
    if await is_table(datasette, name):
        return "table", name, f"/{DATABASE}/{target}.json"
    if await datasette.get_query(DATABASE, name):
        return "canned", name, f"/{DATABASE}/{target}.json"
    raise EvidenceError("evidence_unknown", name=name[:80])


async def _build(datasette, request, folder: Path) -> tuple[Path, str]:
    """The pack for `request` written in `folder`; its path and download name."""
    release_dir = served_release(datasette)
    history = read_history(release_dir)
    if not history:
        raise EvidenceError("evidence_no_release", 503)
    release = history[0]
    target = request.url_vars["target"]
    args = view_args(request.query_string)
    page = f"/{DATABASE}/{target}" + (f"?{urlencode(args)}" if args else "")
    url = datasette.absolute_url(request, page)
    kind, name, path = await _target(datasette, target, args)
    writer = RowsWriter(folder / ROWS_FILE, MAX_ROWS)
    try:
        if kind == "table":
            ran = await _table_rows(datasette, target, args, writer)
        else:
            ran = await _query_rows(datasette, path, args, writer)
    except TooManyRows as exc:
        downloads = datasette.absolute_url(request, f"/{RELEASES_DIR}/{release['id']}/{DOWNLOADS}/")
        raise EvidenceError(
            "evidence_too_many", limit=format_number(MAX_ROWS), downloads=downloads
        ) from exc
    finally:
        rows = writer.close()
    tables = _credited(datasette, release_dir, await tables_read(datasette, ran["sql"]))
    credited = {t["dataset"] for t in tables if t["dataset"]}
    credited |= {d for t in tables for d in t.get("derived_from", [])}
    datasets = {d: _dataset_credit(release_dir, d) for d in sorted(credited)}
    db_url = datasette.absolute_url(request, f"/{RELEASES_DIR}/{release['id']}/{DATABASE_FILE}")
    database_sha256 = datasette.get_database(DATABASE).hash
    citation = _citation(datasette, request, datasets, release, url)
    evidence = {
        "page": {"url": url, "kind": kind, "name": name, "arguments": [list(a) for a in args]},
        "query": ran,
        "release": {
            "id": release["id"],
            "date": release["date"],
            "database": DATABASE_FILE,
            "database_sha256": database_sha256,
            "database_url": db_url,
            "manifest_url": datasette.absolute_url(
                request, f"/{RELEASES_DIR}/{release['id']}/{MANIFEST_FILE}"
            ),
        },
        "rows": {"file": ROWS_FILE, "count": rows.count, "sha256": rows.sha256},
        "tables": tables,
        "datasets": datasets,
        "citation": citation,
    }
    texts = {
        EVIDENCE_FILE: evidence_json(evidence),
        CITATION_FILE: f"{citation['id']}\n\n{citation['en']}\n",
        README_FILE: readme(release["id"], release["date"], url, db_url, rows.count),
    }
    target_zip = folder / "bukti.zip"
    await asyncio.to_thread(write_pack, target_zip, rows, texts, database_sha256, release["date"])
    return target_zip, f"bukti-{name}-{release['id']}.zip"


async def _send_file(datasette, send, path: Path, filename: str) -> None:
    headers = [
        [b"content-type", b"application/zip"],
        [b"content-disposition", f'attachment; filename="{filename}"'.encode()],
        [b"content-length", str(path.stat().st_size).encode()],
    ]
    headers += [[k.lower().encode(), v.encode()] for k, v in cors_headers(datasette).items()]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    with path.open("rb") as handle:
        while chunk := handle.read(SEND_CHUNK):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def evidence_view(datasette, request, send) -> None:
    """GET /-/bukti/<page>: the evidence pack of that page, or a bilingual error naming why not."""
    with tempfile.TemporaryDirectory(prefix="jendela-bukti-") as name:
        try:
            pack, filename = await _build(datasette, request, Path(name))
        except EvidenceError as exc:
            message = (t(exc.key, **exc.values), both(exc.key, **exc.values))
            response = await error_response(datasette, request, exc.status, *message)
            await response.asgi_send(send)
            return
        with contextlib.suppress(ConnectionError):
            await _send_file(datasette, send, pack, filename)
