"""The load stage's promises about the published database's structure, on the sample build.

Columns people facet on get an index that starts with them (the primary key's first column has
one already): DESIGN's speed rule for filtered pages. The database is served immutable, so the
full-text index is filled once at build time and carries no triggers.
"""

from __future__ import annotations

import sqlite3

from conftest import SAMPLE_CATALOG

from pipelines.core.registry import load_catalog


def test_every_facet_column_leads_an_index(built_catalog):
    catalog = load_catalog(SAMPLE_CATALOG)
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        leading = {
            (table, db.execute(f"PRAGMA index_info([{index}])").fetchone()[2])
            for table, index in db.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"
            )
        }
    checked = 0
    for dataset in catalog.datasets.values():
        for resource in dataset.resources:
            for column in resource.facet_columns:
                if resource.primary_key[:1] == [column]:
                    continue  # the primary key's own index leads with it
                assert (resource.name, column) in leading, (resource.name, column)
                checked += 1
    assert checked > 20
    # penduduk's key is (kode_wilayah, tahun, jenis_kelamin): tahun and jenis_kelamin are facets
    assert {("penduduk", "tahun"), ("penduduk", "jenis_kelamin")} <= leading


def test_indexes_lead_with_the_column_then_the_key_and_keys_are_not_null(built_catalog):
    """Every column a reader can sort or facet on has an index holding that column, then the
    primary key's other columns (a filtered page reads in key order); primary-key and required
    columns are NOT NULL."""
    catalog = load_catalog(SAMPLE_CATALOG)
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        for dataset in catalog.datasets.values():
            for resource in dataset.resources:
                info = db.execute(f"PRAGMA table_info([{resource.name}])").fetchall()
                columns = {name: bool(notnull) for _, name, _, notnull, _, _ in info}
                key = [name for _, name, _, _, _, pk in sorted(info, key=lambda r: r[5]) if pk]
                assert key == resource.primary_key, resource.name
                required = {
                    f["name"]
                    for f in resource.fields
                    if (f.get("constraints") or {}).get("required")
                }
                for name in required | set(resource.primary_key):
                    assert columns[name], (resource.name, name)
                for column in [f["name"] for f in resource.fields]:
                    if resource.primary_key[:1] == [column]:
                        continue
                    index = f"idx_{resource.name}_{column}"
                    listed = [row[2] for row in db.execute(f"PRAGMA index_info([{index}])")]
                    keys = [k for k in resource.primary_key if k != column]
                    assert listed == [column, *keys], index


def test_the_published_database_has_no_triggers(built_catalog):
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        fts = db.execute("SELECT count(*) FROM tender_fts").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM tender").fetchone()[0]
    assert triggers == []
    assert fts == rows > 0  # filled once, at build time


def test_text_that_looks_missing_is_loaded_as_written(tmp_path):
    """insert_rows types cells by the schema only: `NA`, `null`, `N/A` and `None` in a text
    column are text; only an empty cell is NULL."""
    import sqlite_utils

    from pipelines.core.model import Resource
    from pipelines.stages.load import create_table, insert_rows

    fields = [{"name": "kode", "type": "string"}, {"name": "jumlah", "type": "integer"}]
    resource = Resource("uji", "uji", {"schema": {"fields": fields}}, tmp_path)
    staging = tmp_path / "staging.csv"
    staging.write_text("kode,jumlah\nNA,1\nnull,2\nN/A,\nNone,4\n,5\n", encoding="utf-8")
    db = sqlite_utils.Database(memory=True)
    create_table(db, resource)
    assert insert_rows(db, resource, staging) == 5
    rows = db.execute("SELECT kode, jumlah FROM uji ORDER BY rowid").fetchall()
    assert rows == [("NA", 1), ("null", 2), ("N/A", None), ("None", 4), (None, 5)]


# --- from the mutation triage (tests/mutation/README.md) ------------------------------------


def _regions(folder, foreign_keys: list[dict], rows: list[tuple[str, str]]):
    """A `wilayah` table (kode, induk) staged from `rows`; row i came from line i + 2 of a.csv."""
    from pipelines.core.errors import RowMap
    from pipelines.core.model import Resource

    fields = [{"name": "kode", "type": "string"}, {"name": "induk", "type": "string"}]
    schema = {"fields": fields, "primaryKey": ["kode"], "foreignKeys": foreign_keys}
    resource = Resource("wilayah", "uji", {"schema": schema}, folder)
    staging = folder / "staging.csv"
    staging.write_text("kode,induk\n" + "".join(f"{k},{p}\n" for k, p in rows), encoding="utf-8")
    rows_from = RowMap()
    rows_from.add("a.csv", range(2, len(rows) + 2))
    rows_from.freeze()
    return resource, staging, rows_from


SELF = {"fields": "induk", "reference": {"resource": "wilayah", "fields": "kode"}}


def test_a_reference_to_an_unpublished_table_does_not_stop_the_next_reference(tmp_path):
    import sqlite_utils

    from pipelines.stages.load import check_foreign_keys

    elsewhere = {"fields": "induk", "reference": {"resource": "lain", "fields": "kode"}}
    resource, staging, rows_from = _regions(tmp_path, [elsewhere, SELF], [("1", ""), ("2", "9")])
    issues = check_foreign_keys(sqlite_utils.Database(memory=True), resource, staging, rows_from)
    assert [(i.type, i.row, i.value) for i in issues] == [
        ("foreign-key-target-missing", None, None), ("foreign-key", 3, "9"),
    ]  # fmt: skip


def test_foreign_keys_to_one_table_read_its_keys_once(tmp_path):
    """The real catalog has 19 foreign keys to the 91,599 regions: their keys are read once
    while the table stays as it is (core/table_cache.py); a row added is seen."""
    import sqlite_utils

    from pipelines.stages.load import check_foreign_keys

    db = sqlite_utils.Database(tmp_path / "uji.db")
    db["pagu"].insert({"kode": "1"})
    distinct: list[str] = []
    db.conn.set_trace_callback(lambda sql: distinct.append(sql) if "DISTINCT" in sql else None)
    fk = {"fields": "induk", "reference": {"resource": "pagu", "fields": "kode"}}
    resource, staging, rows_from = _regions(tmp_path, [fk], [("a", "1"), ("b", "2")])

    def dangling() -> list[str]:
        return [i.value for i in check_foreign_keys(db, resource, staging, rows_from)]

    assert dangling() == ["2"]
    assert dangling() == ["2"]
    assert len(distinct) == 1
    db["pagu"].insert({"kode": "2"})
    assert dangling() == []
    assert len(distinct) == 2


def test_foreign_key_issues_stop_at_one_thousand_by_default(tmp_path):
    import sqlite_utils

    from pipelines.stages.load import check_foreign_keys

    rows = [(f"k{n}", f"p{n}") for n in range(1001)]  # every parent dangles
    resource, staging, rows_from = _regions(tmp_path, [SELF], rows)
    issues = check_foreign_keys(sqlite_utils.Database(memory=True), resource, staging, rows_from)
    assert len(issues) == 1000 and issues[-1].row == 1001


def test_a_composite_reference_s_message_names_the_first_reference_column(tmp_path):
    """Like the issue's column and hint: `pagu.kode`, the first of (kode, tahun)."""
    import sqlite_utils

    from pipelines.stages.load import check_foreign_keys

    db = sqlite_utils.Database(memory=True)
    db["pagu"].insert({"kode": "1", "tahun": "2024"})
    fk = {
        "fields": ["kode", "induk"],
        "reference": {"resource": "pagu", "fields": ["kode", "tahun"]},
    }
    resource, staging, rows_from = _regions(tmp_path, [fk], [("1", "2023")])
    [issue] = check_foreign_keys(db, resource, staging, rows_from)
    assert issue.message == "1, 2023 tidak ada di pagu.kode / 1, 2023 not found in pagu.kode"


def test_the_first_key_column_gets_no_second_index(tmp_path):
    """SQLite indexes the primary key already; a ranged or faceted key column adds no index."""
    import sqlite_utils

    from pipelines.core.model import Resource
    from pipelines.stages.load import add_indexes, create_table

    fields = [{"name": "tahun", "type": "year"}, {"name": "kode", "type": "string"}]
    descriptor = {"schema": {"fields": fields, "primaryKey": ["tahun", "kode"]}, "jendela": {}}
    descriptor["jendela"]["facets"] = ["tahun", "kode"]
    resource = Resource("uji", "uji", descriptor, tmp_path)
    db = sqlite_utils.Database(memory=True)
    create_table(db, resource)
    add_indexes(db, resource)
    made = {i.name: i.columns for i in db["uji"].indexes if not i.name.startswith("sqlite_")}
    assert made == {"idx_uji_kode": ["kode", "tahun"]}


def test_a_composite_reference_to_its_own_table_checks_pairs(tmp_path):
    """(induk, kode) must be a (kode, induk) pair of the same table: rows 1 and 2 name each
    other, row 3's pair (4, 3) is nowhere, and a row with an empty part is not checked."""
    import sqlite_utils

    from pipelines.stages.load import check_foreign_keys

    pairs = {
        "fields": ["induk", "kode"],
        "reference": {"resource": "wilayah", "fields": ["kode", "induk"]},
    }
    rows = [("1", "2"), ("2", "1"), ("3", "4"), ("5", "")]
    resource, staging, rows_from = _regions(tmp_path, [pairs], rows)
    issues = check_foreign_keys(sqlite_utils.Database(memory=True), resource, staging, rows_from)
    assert [(i.type, i.row, i.value) for i in issues] == [("foreign-key", 4, "4, 3")]
