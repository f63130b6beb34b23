"""Issue 12 item 2: stored data is what the source said; outputs escape; CSVs are spreadsheet-safe.

One small dataset with hostile and markup-shaped text is built and served. SQLite, JSON and
Parquet must hold every text exactly as the source file has it (trimmed at both ends, as
`parse: text` declares); every CSV (the download, Datasette's table, filtered, SQL and
canned-query CSVs) must prefix text cells that a spreadsheet would run as formulas with `'`
(OWASP), while a negative number stays a number; HTML pages escape the text.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import httpx
import pyarrow.parquet as pq
import pytest
from conftest import Server
from dataset_factory import build_one_dataset, field

from pipelines.core.release import current_release

SOURCE = (
    "kode,keterangan,selisih\n"
    "A1,<kosong>,-5\n"
    "A2,SMP NEGERI &amp; SD,10\n"
    'A3,"<svg onload=alert(1)>",0\n'
    'A4,"=HYPERLINK(""http://evil.example/"",""klik"")",-12\n'
    "A5,+cmd|' /C calc'!A0,3\n"
    "A6,@SUM(1+1),4\n"
    "A7,-5,1\n"
    "A8,- lain-lain,2\n"
    'A9,"  spasi   dalam\u200b  ",7\n'
    "A10,biasa,8\n"
    "A11,NA,9\n"
    "A12,null,6\n"
    "A13,N/A,5\n"
    "A14,NaN,11\n"
)  # A11-A14: words a CSV reader takes for missing by default; here they are text
RISKY = {"A4", "A5", "A6", "A8"}  # text cells starting with = + - @ that are not plain numbers


def source_rows() -> list[dict]:
    """The source as a person reads it, trimmed at both ends (what `parse: text` declares)."""
    rows = list(csv.DictReader(io.StringIO(SOURCE)))
    return [{k: v.strip() for k, v in row.items()} for row in rows]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    output = build_one_dataset(
        tmp_path_factory.mktemp("faithful"),
        "uji-aman",
        {"data/aman.csv": SOURCE},
        [field("kode"), field("keterangan"), field("selisih", "integer")],
        resource={"fts": ["keterangan"]},
    )
    return current_release(output), output


def test_sqlite_json_and_parquet_keep_the_source_text(built):
    release, _ = built
    expected = [(r["kode"], r["keterangan"], int(r["selisih"])) for r in source_rows()]
    with sqlite3.connect(release / "jendela.db") as conn:
        stored = conn.execute("select kode, keterangan, selisih from uji_aman order by rowid")
        assert stored.fetchall() == expected
    downloads = release / "site" / "downloads" / "uji-aman"
    document = json.loads((downloads / "uji_aman.json").read_text(encoding="utf-8"))
    assert [(r["kode"], r["keterangan"], r["selisih"]) for r in document] == expected
    table = pq.read_table(downloads / "uji_aman.parquet").to_pylist()
    assert [(r["kode"], r["keterangan"], r["selisih"]) for r in table] == expected


def expected_csv_cells() -> list[list[str]]:
    """Risky text cells get a leading quote; numbers and plain-number text stay as they are."""
    rows = []
    for r in source_rows():
        text = ("'" + r["keterangan"]) if r["kode"] in RISKY else r["keterangan"]
        rows.append([r["kode"], text, r["selisih"]])
    return rows


def test_csv_download_neutralises_formulas_only_in_text(built):
    release, _ = built
    path = release / "site" / "downloads" / "uji-aman" / "uji_aman.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == ["kode", "keterangan", "selisih"]
    assert rows[1:] == expected_csv_cells()
    # The zip and datapackage.json carry the same bytes they describe.
    package = json.loads(path.with_name("datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"][0]["bytes"] == path.stat().st_size


@pytest.fixture(scope="module")
def server(built):
    _, output = built
    server = Server(output)
    yield server
    server.stop()


def csv_rows(response: httpx.Response) -> list[list[str]]:
    """The CSV's rows under a header line, without Datasette's `rowid` column (a table with no
    primary key shows it)."""
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    if rows and rows[0][0] == "rowid":
        rows = [row[1:] for row in rows]
    return rows


def test_datasette_csv_exports_neutralise_formulas(server):
    expected = expected_csv_cells()
    by_code = {row[0]: row for row in expected}
    with httpx.Client(base_url=server.url, timeout=60, follow_redirects=True) as client:
        page = csv_rows(client.get("/jendela/uji_aman.csv", params={"_size": "max"}))
        assert page[1:] == expected
        filtered = csv_rows(
            client.get("/jendela/uji_aman.csv", params={"_stream": "on", "kode__in": "A4,A7"})
        )
        assert filtered[1:] == [by_code["A4"], by_code["A7"]]
        sql = "select kode, keterangan, selisih from uji_aman order by rowid"
        query = csv_rows(client.get("/jendela/-/query.csv", params={"sql": sql}))
        assert query[1:] == expected
        # The JSON API keeps the exact values (numbers as numbers).
        data = client.get("/jendela/uji_aman.json", params={"_shape": "array", "_size": "max"})
        assert [(r["kode"], r["keterangan"], r["selisih"]) for r in data.json()] == [
            (r["kode"], r["keterangan"], int(r["selisih"])) for r in source_rows()
        ]


def test_canned_query_csv_is_neutralised_too(built):
    """A canned query's CSV goes through the same writer: a real Datasette app with our plugin
    (loaded from its entry point) and one canned query, asked through its ASGI client."""
    import asyncio

    from datasette.app import Datasette

    release, _ = built
    sql = "select kode, keterangan from uji_aman where kode in ('A4', 'A10') order by rowid"
    app = Datasette(
        [str(release / "jendela.db")],
        config={"databases": {"jendela": {"queries": {"uji_rumus": {"sql": sql}}}}},
    )
    response = asyncio.run(app.client.get("/jendela/uji_rumus.csv"))
    wanted = [[row[0], row[1]] for row in expected_csv_cells() if row[0] in ("A4", "A10")]
    assert csv_rows(response)[1:] == wanted


def test_html_pages_escape_the_text(server, built):
    release, _ = built
    page = (release / "site" / "dataset" / "uji-aman" / "index.html").read_text(encoding="utf-8")
    assert "<svg onload" not in page
    table = httpx.get(f"{server.url}/jendela/uji_aman", timeout=60).text
    assert "<svg onload" not in table and "&lt;svg onload=alert(1)&gt;" in table
    assert "&lt;kosong&gt;" in table
