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
    """An index for a facet column holds that column, then the primary key's other columns (a
    filtered page reads in key order); primary-key and required columns are NOT NULL."""
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
                for column in resource.facet_columns:
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
