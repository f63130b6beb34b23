"""A query CSV that Datasette would cut at max_returned_rows is refused loudly, never partial."""

from __future__ import annotations

import csv
import io
import sqlite3

import httpx

# 1,500 rows from a recursive CTE: more than max_returned_rows (1,000 in datasette.yaml).
MANY = (
    "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1500) select x from c"
)


def test_truncated_query_csv_is_refused_with_a_bilingual_message(datasette_server):
    response = httpx.get(
        f"{datasette_server.url}/jendela.csv", params={"sql": MANY}, follow_redirects=True
    )
    assert response.status_code == 400
    assert "lebih dari 1.000 baris" in response.text
    assert "more than 1.000 rows" in response.text
    assert "does not send incomplete files" in response.text
    # The JSON of the same query still answers, and says it was truncated.
    data = httpx.get(
        f"{datasette_server.url}/jendela.json", params={"sql": MANY}, follow_redirects=True
    ).json()
    assert data["truncated"] is True


def test_complete_query_csv_is_served_unchanged(datasette_server):
    sql = "select kode_wilayah, nama_wilayah from wilayah order by kode_wilayah"
    response = httpx.get(f"{datasette_server.url}/jendela/-/query.csv", params={"sql": sql})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["kode_wilayah", "nama_wilayah"] and len(rows) == 1 + 76


def test_canned_query_csv_and_table_csv_still_work(datasette_server, built_catalog):
    canned = httpx.get(
        f"{datasette_server.url}/jendela/penduduk_per_wilayah.csv", params={"tingkat": "provinsi"}
    )
    assert canned.status_code == 200
    rows = list(csv.DictReader(io.StringIO(canned.text)))
    # One row per province holding population rows: Jawa Barat (32) in the sample.
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        provinces = db.execute(
            "SELECT DISTINCT kode_wilayah FROM penduduk_kemendagri "
            "WHERE tingkat_wilayah = 'provinsi'"
        ).fetchall()
    assert sorted(r["kode_wilayah"] for r in rows) == sorted(code for (code,) in provinces)
    assert all(int(r["laki_laki"]) + int(r["perempuan"]) == int(r["jumlah_penduduk"]) for r in rows)
    table = httpx.get(f"{datasette_server.url}/jendela/wilayah.csv")
    assert table.status_code == 200 and table.text.startswith("kode_wilayah,")
