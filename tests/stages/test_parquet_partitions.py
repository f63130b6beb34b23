"""Parquet partitioned by year and region (stages/partitions.py), as a user's engine reads it.

docs/parquet.md's example query is read from the doc and run with real DuckDB over the sample
build's published folder; its figures are computed here from the source CSV with the csv module
(SPSE amounts "Rp 8.612.450.000,00" parsed by hand), not by the pipeline. DuckDB's own plan shows
the partition pruning, every folder holds only its year's and region's rows in primary-key order,
region codes come back as text, the index lists every file with its hash, and a rebuild writes the
same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import duckdb
import httpx
import pyarrow.parquet as pq
from conftest import ROOT, SAMPLE_CATALOG, publish_in, tree_digest

from pipelines.core import layout
from pipelines.core.release import current_release

DOC = ROOT / "docs" / "parquet.md"
TENDER_CSV = SAMPLE_CATALOG / "tender-kota-bogor" / "data" / "tender.csv"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)


def doc_queries() -> list[str]:
    """The SQL blocks of docs/parquet.md, in order: the example query, then the HTTP one."""
    return SQL_BLOCK.findall(DOC.read_text(encoding="utf-8"))


def site(build: Path) -> Path:
    return layout.site_dir(current_release(build))


def duck(folder: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with relative paths resolved in `folder`, as docs/parquet.md says to run it."""
    con = duckdb.connect()
    con.execute("SET file_search_path = ?", [str(folder)])
    return con


def rupiah(text: str) -> int | None:
    """'Rp 8.612.450.000,00' -> 8612450000; an empty cell -> None."""
    if not text.strip():
        return None
    whole, _, cents = text.removeprefix("Rp").strip().partition(",")
    assert cents in ("", "00"), text
    return int(whole.replace(".", ""))


def source_rows() -> list[dict[str, str]]:
    with open(TENDER_CSV, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_doc_query_gives_the_source_figures(built_catalog):
    query = doc_queries()[0]
    year = int(re.search(r"tahun_anggaran = (\d{4})", query).group(1))
    region = re.search(r"kode_wilayah = '([0-9.]+)'", query).group(1)
    expected: dict[str, list] = defaultdict(lambda: [0, 0, None])
    for row in source_rows():
        if int(row["Tahun Anggaran"]) == year and row["Kode Wilayah"] == region:
            figures = expected[row["Metode Pengadaan"]]
            figures[0] += 1
            figures[1] += rupiah(row["Nilai Pagu Paket"])
            contract = rupiah(row["Nilai Kontrak"])
            if contract is not None:
                figures[2] = (figures[2] or 0) + contract
    assert len(expected) > 1  # the sample has several methods that year: a real GROUP BY
    got = duck(site(built_catalog)).sql(query).fetchall()
    assert got == [(method, *expected[method]) for method in sorted(expected)]


def test_duckdb_reads_only_the_folder_the_filter_names(built_catalog):
    query = doc_queries()[0]
    folder = site(built_catalog)
    root = folder / "downloads/tender-kota-bogor" / layout.PARTITIONS_DIR / "tender"
    files = sorted(root.rglob("*.parquet"))
    assert len(files) > 1
    plan = duck(folder).sql("EXPLAIN ANALYZE " + query).fetchall()[0][1]
    assert f"Scanning Files: 1/{len(files)}" in plan and "Total Files Read: 1" in plan, plan
    year = re.search(r"tahun_anggaran = (\d{4})", query).group(1)
    region = re.search(r"kode_wilayah = '([0-9.]+)'", query).group(1)
    assert f"tahun_anggaran={year}/kode_wilayah={region}/part-0.parquet" in plan, plan


def test_each_folder_holds_its_year_and_region_sorted_by_primary_key(built_catalog):
    """Read one folder's file on its own (no hive reader): exactly the source rows of that year
    and region, in kode_tender order; the partition columns are in the folder name only."""
    root = site(built_catalog) / "downloads/tender-kota-bogor" / layout.PARTITIONS_DIR / "tender"
    expected = defaultdict(list)
    for row in source_rows():
        folder = f"tahun_anggaran={row['Tahun Anggaran']}/kode_wilayah={row['Kode Wilayah']}"
        expected[folder].append(row["Kode Tender"])
    found = {}
    for path in sorted(root.rglob("*.parquet")):
        table = pq.read_table(path)
        assert {"tahun_anggaran", "kode_wilayah"}.isdisjoint(table.column_names)
        found[path.parent.relative_to(root).as_posix()] = table.column("kode_tender").to_pylist()
        assert path.name == layout.PARTITION_FILE.format(i=0)
    assert found == {folder: sorted(codes) for folder, codes in expected.items()}


def test_every_tree_holds_its_table_each_file_in_primary_key_order(built_catalog):
    """Over every partitioned table of the sample build: the files' rows, with the values of
    their folders, are the table's rows in SQLite (none lost, none twice), and each file is in
    primary-key order (apbd_djpk's rows were loaded in another order than its key's)."""
    release = current_release(built_catalog)
    db = sqlite3.connect(release / layout.DATABASE_FILE)
    packages = {}
    indexes = sorted(site(built_catalog).glob("downloads/*/*.partitions.json"))
    assert len(indexes) >= 5
    for index_path in indexes:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        dataset = index_path.parent.name
        if dataset not in packages:
            packages[dataset] = json.loads((index_path.parent / layout.DATAPACKAGE).read_text())
        (resource,) = [r for r in packages[dataset]["resources"] if r["name"] == index["table"]]
        names = [f["name"] for f in resource["schema"]["fields"]]
        key = resource["schema"]["primaryKey"]
        rows = []
        for item in index["files"]:
            table = pq.read_table(index_path.parent / item["path"])
            values = {
                **table.to_pydict(),
                **{k: [v] * table.num_rows for k, v in item["partition"].items()},
            }
            file_rows = [tuple(values[n][i] for n in names) for i in range(table.num_rows)]
            keys = [tuple(row[names.index(k)] for k in key) for row in file_rows]
            assert keys == sorted(keys), item["path"]
            rows += file_rows
        columns = ", ".join(f"[{n}]" for n in names)
        stored = db.execute(f"SELECT {columns} FROM [{index['table']}]").fetchall()
        booleans = [
            i for i, f in enumerate(resource["schema"]["fields"]) if f.get("type") == "boolean"
        ]
        stored = [
            tuple(bool(v) if i in booleans and v is not None else v for i, v in enumerate(r))
            for r in stored
        ]
        assert sorted(rows, key=repr) == sorted(stored, key=repr), index["table"]


def test_region_codes_are_text(built_catalog):
    """The population table has a province (32) and a city (32.71): with the doc's hive_types
    every code is a string as written; without it, DuckDB reads a folder of province codes as
    BIGINT, which is why docs/parquet.md insists."""
    folder = site(built_catalog)
    tree = "downloads/penduduk-kemendagri/partisi/penduduk_kemendagri"
    con = duck(folder)
    options = "hive_partitioning = true, hive_types = {'kode_wilayah': 'VARCHAR'}"
    codes = con.sql(
        f"SELECT DISTINCT kode_wilayah FROM read_parquet('{tree}/**/*.parquet', {options}) "
        "ORDER BY 1"
    ).fetchall()
    assert codes == [("32",), ("32.71",)]
    province = f"'{tree}/*/kode_wilayah=32/*.parquet'"
    (guessed,) = con.sql(
        f"SELECT DISTINCT typeof(kode_wilayah) FROM read_parquet({province}, "
        "hive_partitioning = true)"
    ).fetchall()
    assert guessed == ("BIGINT",)
    (typed,) = con.sql(
        f"SELECT DISTINCT typeof(kode_wilayah) FROM read_parquet({province}, {options})"
    ).fetchall()
    assert typed == ("VARCHAR",)
    assert "hive_types = {'kode_wilayah': 'VARCHAR'}" in doc_queries()[0]


def test_the_index_is_a_published_download_listing_every_file(built_catalog):
    """`<table>.partitions.json` is in the manifest (bytes, sha256) and on the dataset page; it
    lists every file of the tree with its partition values, rows and SHA-256; it is no DCAT
    distribution (data.json lists data files)."""
    release = current_release(built_catalog)
    manifest = json.loads((release / layout.MANIFEST_FILE).read_text(encoding="utf-8"))
    downloads = manifest["datasets"]["tender-kota-bogor"]["resources"]["tender"]["downloads"]
    (entry,) = [d for d in downloads if d["format"] == "partitions"]
    index_path = site(built_catalog) / entry["path"]
    data = index_path.read_bytes()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    index = json.loads(data)
    folder = index_path.parent
    tree = sorted((folder / index["root"]).rglob("*"))
    assert [f["path"] for f in index["files"]] == [
        p.relative_to(folder).as_posix() for p in tree if p.is_file()
    ]
    counts = defaultdict(int)
    for row in source_rows():
        counts[(int(row["Tahun Anggaran"]), row["Kode Wilayah"])] += 1
    for item in index["files"]:
        body = (folder / item["path"]).read_bytes()
        assert item["sha256"] == hashlib.sha256(body).hexdigest() and item["bytes"] == len(body)
        key = (item["partition"]["tahun_anggaran"], item["partition"]["kode_wilayah"])
        assert item["rows"] == counts.pop(key)
    assert not counts and index["rows"] == len(source_rows())
    page = (site(built_catalog) / "dataset/tender-kota-bogor/index.html").read_text()
    assert f'href="../../{entry["path"]}"' in page
    assert entry["path"] not in (site(built_catalog) / layout.DATA_JSON).read_text()


def test_the_http_example_reads_the_index(built_catalog):
    """docs/parquet.md's HTTP example with the host replaced by the local folder (httpfs is the
    only difference): the file list comes from the index and the filter still applies."""
    folder = site(built_catalog)
    statements = doc_queries()[1].replace("https://<host>/", f"{folder}/")
    statements = statements.replace("tender-spse/tender_spse", "tender-kota-bogor/tender")
    statements = statements.replace("tender-spse/", "tender-kota-bogor/")
    statements = statements.replace("= 2019", "= 2023")
    con = duckdb.connect()
    setting, query = [s for s in statements.split(";") if s.strip()]
    con.execute(setting)
    (count,) = con.execute(query).fetchone()
    assert count == sum(int(r["Tahun Anggaran"]) == 2023 for r in source_rows()) > 0


def test_a_rebuild_writes_the_same_partition_bytes(small_project, tmp_path, monkeypatch):
    """Two builds of the same inputs, the second with another chunk size, give byte-identical
    partition trees and indexes."""
    trees = []
    for run in ("first", "second"):
        if run == "second":
            monkeypatch.setenv("JENDELA_CHUNK_ROWS", "5")
        output = tmp_path / run / "build"
        result = publish_in(small_project, "build", "--quiet", "--output", str(output))
        assert result.returncode == 0, result.stdout + result.stderr
        downloads = site(output) / layout.DOWNLOADS / "penduduk-kota-bogor"
        digest = tree_digest(downloads / layout.PARTITIONS_DIR)
        digest["index"] = hashlib.sha256(
            (downloads / layout.table_file("penduduk", "partitions")).read_bytes()
        ).hexdigest()
        trees.append(digest)
    assert len(trees[0]) > 2 and trees[0] == trees[1]


def test_a_declared_partition_column_must_be_a_field(copy_project):
    """`jendela.partitions` names the folders' columns; a misspelt one stops the command with
    the descriptor's file and key (exit 2), before anything is built."""
    path = copy_project / "datasets" / "tender-kota-bogor" / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "      fts: [nama_paket, satker, pemenang]\n"
    assert anchor in text
    path.write_text(
        text.replace(anchor, anchor + "      partitions: [tahun_anggaran, kode_wilyah]\n"),
        encoding="utf-8",
    )
    result = publish_in(copy_project, "validate", "tender-kota-bogor")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{path}: resources[0].jendela.partitions: 'kode_wilyah' is not a field of tender" in (
        result.stderr
    )


def test_the_server_serves_every_file_the_index_lists(datasette_server):
    """Over HTTP, as docs/parquet.md's HTTP example reads them: the index, then each file at
    its path relative to the dataset's downloads folder, with the bytes the index hashed."""
    base = f"{datasette_server.url}/downloads/tender-kota-bogor/"
    with httpx.Client(timeout=30) as client:
        index = client.get(base + layout.table_file("tender", "partitions")).json()
        assert len(index["files"]) > 1
        for item in index["files"]:
            answer = client.get(base + item["path"])
            assert answer.status_code == 200, item["path"]
            assert hashlib.sha256(answer.content).hexdigest() == item["sha256"]


def test_a_copy_for_the_worker_that_stops_leaves_the_build_connection_as_it_was(tmp_path):
    """The copy a worker sorts (partitions.copy_for_worker) stopped half-way (here interrupted;
    on a machine, a full disk, which SQLite also rolls back): the build sees that error, and its
    connection is out of the transaction, without the copy attached, and takes the next table."""
    from pipelines.stages.partitions import copy_for_worker

    conn = sqlite3.connect(tmp_path / "jendela.db")
    conn.execute("PRAGMA journal_mode = OFF")  # as the build's connection
    conn.execute("CREATE TABLE tender (kode TEXT PRIMARY KEY, pagu INTEGER)")
    conn.executemany("INSERT INTO tender VALUES (?, ?)", [(f"T{i:05}", i) for i in range(5000)])
    conn.commit()
    copy_for_worker(conn, "tender", tmp_path / "whole.db")
    with sqlite3.connect(tmp_path / "whole.db") as whole:
        assert whole.execute("SELECT count(*), sum(pagu) FROM tender").fetchone() == (
            5000,
            sum(range(5000)),
        )

    steps = iter(range(10**9))
    conn.set_progress_handler(lambda: next(steps) > 20, 100)  # stops the INSERT under way
    try:
        copy_for_worker(conn, "tender", tmp_path / "half.db")
    except sqlite3.OperationalError as error:
        assert "interrupted" in str(error)
    else:
        raise AssertionError("the copy was not interrupted")
    conn.set_progress_handler(None, 0)
    assert not conn.in_transaction
    assert [row[1] for row in conn.execute("PRAGMA database_list")] == ["main"]
    conn.execute("CREATE TABLE next_table (a)")
    conn.execute("INSERT INTO next_table VALUES (1)")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM tender").fetchone() == (5000,)
