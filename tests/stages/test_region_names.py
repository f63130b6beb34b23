"""Names beside codes: every table keyed by `kode_wilayah` carries the region's name, level,
province and kabupaten/kota, declared in its schema, searchable and facetable in Datasette.

Expected names are read here from the region snapshot (`wilayah.sql.gz`) with a small regex, and
expected counts from the database with plain sqlite3, never from the pipeline's own answers.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
from functools import cache

import httpx
import pandas as pd
import pytest
import sqlite_utils
from conftest import REAL_CATALOG, SAMPLE_CATALOG

from pipelines.core.model import REGION_NAME_FIELDS, Vocabulary, load_dataset
from pipelines.stages.normalise import NormalisedChunk
from pipelines.stages.regions import fill_region_names

SURABAYA = "35.78"


@cache
def official_names() -> dict[str, str]:
    """Code -> name of every region in the Kemendagri snapshot: `('35.78','Kota Surabaya')`."""
    path = REAL_CATALOG / "wilayah-kemendagri" / "source" / "wilayah.sql.gz"
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    pairs = re.findall(r"\('(\d\d(?:\.\d\d(?:\.\d\d(?:\.\d{4})?)?)?)','([^']*)'\)", text)
    # A few names end in a space in the dump ('Kota Administrasi Jakarta Utara '); text cells
    # are published trimmed.
    names = {code: name.strip() for code, name in pairs}
    assert len(names) > 90_000
    return names


@pytest.fixture(scope="module")
def client(real_server):
    with httpx.Client(base_url=real_server.url, timeout=30) as http:
        yield http


def count(real, sql: str, *args) -> int:
    return real.query(sql, *args)[0][0]


def test_budget_rows_of_surabaya_carry_its_names(real):
    names = official_names()
    assert names[SURABAYA] == "Kota Surabaya"
    rows = real.query(
        "select distinct nama_wilayah, tingkat_wilayah, nama_provinsi, nama_kabupaten_kota "
        "from apbd_djpk where kode_wilayah = ?",
        SURABAYA,
    )
    assert rows == [(names[SURABAYA], "kabupaten_kota", names["35"], names[SURABAYA])]


def test_every_code_of_every_region_keyed_table_has_its_official_name(real):
    """Whole tables, all four columns: level from the code's parts, parents from its prefixes."""
    names = official_names()
    levels = {0: "provinsi", 1: "kabupaten_kota", 2: "kecamatan", 3: "desa_kelurahan"}
    for table in ("apbd_djpk", "penduduk_kemendagri", "tender_spse", "ppks_dtks_kecamatan"):
        rows = real.query(
            f"select distinct kode_wilayah, nama_wilayah, tingkat_wilayah, nama_provinsi, "
            f"nama_kabupaten_kota from {table}"
        )
        assert rows, table
        for code, name, level, province, city in rows:
            assert name == names[code], (table, code)
            assert level == levels[code.count(".")], (table, code)
            assert province == names[code[:2]], (table, code)
            assert city == (names[code[:5]] if "." in code else None), (table, code)


def test_the_region_table_and_tables_without_a_region_key_get_nothing(real):
    columns = {
        table: [r[1] for r in real.query(f"pragma table_info({table})")]
        for table in ("wilayah", "wilayah_bps_emsifa", "rup_instansi", "apbd_djpk")
    }
    assert columns["wilayah"] == [
        "kode_wilayah", "nama_wilayah", "tingkat", "jenis", "kode_wilayah_induk"
    ]  # fmt: skip
    for table in ("wilayah_bps_emsifa", "rup_instansi"):
        assert not set(REGION_NAME_FIELDS) & set(columns[table]), table
    assert columns["apbd_djpk"][:5] == ["kode_wilayah", *REGION_NAME_FIELDS]


def test_names_are_declared_in_the_published_schema_and_files(real):
    downloads = real.output / "site" / "downloads" / "apbd-djpk"
    package = json.loads((downloads / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    for name in REGION_NAME_FIELDS:
        assert fields[name]["type"] == "string"
        assert fields[name]["title"] and fields[name]["jendela"]["en"]["title"]
        assert "`wilayah`" in fields[name]["description"]
        assert "required" not in (fields[name].get("constraints") or {})
    with open(downloads / "apbd_djpk.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        surabaya = [row for row in reader if row["kode_wilayah"] == SURABAYA]
    assert {row["nama_wilayah"] for row in surabaya} == {"Kota Surabaya"}
    parquet = pd.read_parquet(downloads / "apbd_djpk.parquet", columns=["nama_provinsi"])
    assert set(parquet["nama_provinsi"]) == {official_names()["35"]}


def test_search_by_name_finds_exactly_the_rows_of_that_region(real, client):
    expected = count(real, "select count(*) from apbd_djpk where kode_wilayah = ?", SURABAYA)
    assert expected > 100
    rows = client.get(
        "/jendela/apbd_djpk.json", params={"_search": "Surabaya", "_shape": "array", "_size": "max"}
    ).json()
    assert len(rows) == expected
    assert {row["kode_wilayah"] for row in rows} == {SURABAYA}


def test_facet_by_province_name(real, client):
    names = official_names()
    payload = client.get(
        "/jendela/penduduk_kemendagri.json",
        params={"_size": "0", "_extra": "facet_results", "_facet_size": "max"},
    ).json()
    results = payload["facet_results"]["results"]["nama_provinsi"]["results"]
    counts = {r["value"]: r["count"] for r in results}
    expected = count(
        real, "select count(*) from penduduk_kemendagri where substr(kode_wilayah, 1, 2) = '32'"
    )
    assert counts[names["32"]] == expected > 0
    assert len(counts) == count(
        real, "select count(distinct substr(kode_wilayah, 1, 2)) from penduduk_kemendagri"
    )
    # Selecting the facet value filters the table to that province.
    chosen = client.get(
        "/jendela/penduduk_kemendagri.json",
        params={"nama_provinsi": names["32"], "_shape": "array", "_size": "max"},
    ).json()
    assert len(chosen) == expected and {r["kode_wilayah"][:2] for r in chosen} == {"32"}


def test_foreign_keys_show_region_names_as_labels(client):
    rows = client.get(
        "/jendela/apbd_djpk.json",
        params={"kode_wilayah": SURABAYA, "_labels": "on", "_shape": "array", "_size": "1"},
    ).json()
    assert rows[0]["kode_wilayah"] == {"value": SURABAYA, "label": "Kota Surabaya"}
    page = client.get("/jendela/apbd_djpk", params={"kode_wilayah": SURABAYA, "_size": "1"}).text
    assert "Kota Surabaya" in page


def test_the_region_table_names_its_label_column_in_datasette_metadata(real):
    metadata = json.loads((real.output / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["jendela"]["tables"]
    assert tables["wilayah"]["label_column"] == "nama_wilayah"
    assert "nama_provinsi" in tables["apbd_djpk"]["facets"]
    assert "nama_wilayah" in tables["apbd_djpk"]["columns"]


# --- the engine on its own (no build) -----------------------------------------------------------


def test_model_declares_names_only_for_a_key_to_the_region_table():
    vocabulary = Vocabulary.load()
    apbd = load_dataset(SAMPLE_CATALOG / "apbd-djpk", vocabulary).resources[0]
    assert apbd.field_names[:5] == ["kode_wilayah", *REGION_NAME_FIELDS]
    assert set(apbd.derived_fields) == set(REGION_NAME_FIELDS)
    assert {"nama_wilayah", "nama_kabupaten_kota"} <= set(apbd.fts_columns)
    assert "nama_provinsi" in apbd.facet_columns
    region = load_dataset(SAMPLE_CATALOG / "wilayah-kota-bogor", vocabulary).resources[0]
    assert not region.derived_fields and "nama_provinsi" not in region.field_names
    emsifa = load_dataset(SAMPLE_CATALOG / "wilayah-bps-emsifa", vocabulary).resources[0]
    assert not emsifa.derived_fields  # BPS codes, no key to `wilayah`


def test_a_code_missing_from_the_region_table_leaves_the_names_empty():
    vocabulary = Vocabulary.load()
    resource = load_dataset(SAMPLE_CATALOG / "apbd-djpk", vocabulary).resources[0]
    db = sqlite_utils.Database(memory=True)
    db["wilayah"].insert_all(
        [
            {"kode_wilayah": "35", "nama_wilayah": "Jawa Timur", "tingkat": "provinsi"},
            {"kode_wilayah": "35.78", "nama_wilayah": "Kota Surabaya", "tingkat": "kabupaten_kota"},
            {"kode_wilayah": "35.78.01", "nama_wilayah": "Genteng", "tingkat": "kecamatan"},
        ]
    )
    codes = ["35.78", "99.99", None, "35.78.01", "35"]
    frame = pd.DataFrame({name: pd.array([pd.NA] * 5, dtype="string") for name in
                          resource.field_names})  # fmt: skip
    frame["kode_wilayah"] = pd.array(codes, dtype="string")
    chunk = NormalisedChunk(frame, pd.Series(range(2, 7)))
    fill_region_names(db, resource, chunk)
    got = chunk.frame[["kode_wilayah", *REGION_NAME_FIELDS]].astype(object)
    got = got.where(got.notna(), None).values.tolist()
    assert got == [
        ["35.78", "Kota Surabaya", "kabupaten_kota", "Jawa Timur", "Kota Surabaya"],
        ["99.99", None, None, None, None],
        [None, None, None, None, None],
        ["35.78.01", "Genteng", "kecamatan", "Jawa Timur", "Kota Surabaya"],
        ["35", "Jawa Timur", "provinsi", "Jawa Timur", None],
    ]
    assert list(chunk.frame.columns) == resource.field_names


def test_a_descriptor_that_declares_a_name_field_keeps_its_own(tmp_path):
    folder = tmp_path / "apbd-djpk"
    shutil.copytree(SAMPLE_CATALOG / "apbd-djpk", folder)
    path = folder / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    assert "        - name: tahun\n" in text
    path.write_text(
        text.replace(
            "        - name: tahun\n",
            "        - name: nama_wilayah\n          description: Nama dari sumber.\n"
            "        - name: tahun\n",
            1,
        ),
        encoding="utf-8",
    )
    resource = load_dataset(folder, Vocabulary.load()).resources[0]
    assert resource.field_names.count("nama_wilayah") == 1
    assert "nama_wilayah" not in resource.derived_fields
    assert set(resource.derived_fields) == set(REGION_NAME_FIELDS) - {"nama_wilayah"}
