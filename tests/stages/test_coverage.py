"""Coverage is computed from the published tables and stated alike everywhere (issue #10 item 2).

Units: pipelines/stages/coverage.py on tiny SQLite databases built here. Then the default real
build: for every dataset, the years and region codes its tables hold are read here with plain
sqlite3 (columns chosen by this test from SQLite's own schema, not by the pipeline), and the dataset
page, the home page's facets, data.json, DCAT, schema.org and the served CKAN API must state exactly
that. Only the wording (summary/period/places, pure functions tested on their own below) is
shared with the pipeline.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import ckanapi
import jsonschema
import lxml.html
import pytest
from conftest import ROOT

from pipelines.core.model import Resource, Vocabulary
from pipelines.stages import coverage

# --- units ---------------------------------------------------------------------------------


def resource(name: str, fields: list[dict], foreign_keys=None, ext=None) -> Resource:
    schema = {"fields": fields}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    descriptor = {
        "name": name,
        "title": name,
        "jendela": {"source": {"path": "x.csv"}, "reader": "csv", **(ext or {})},
        "schema": schema,
    }
    return Resource(name, "test", descriptor, Path("."))


FK = [
    {"fields": ["kode_wilayah"], "reference": {"resource": "wilayah", "fields": ["kode_wilayah"]}}
]
REGIONS = {
    "32": "Jawa Barat",
    "32.71": "Kota Bogor",
    "32.71.01": "Bogor Selatan",
    "32.71.01.1001": "Batutulis",
    "35": "Jawa Timur",
    "35.73": "Kota Malang",
    "35.78": "Kota Surabaya",
}


def database(regions: dict[str, str] | None = REGIONS) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    if regions is not None:
        conn.execute("CREATE TABLE wilayah (kode_wilayah TEXT PRIMARY KEY, nama_wilayah TEXT)")
        conn.executemany("INSERT INTO wilayah VALUES (?, ?)", regions.items())
    return conn


def apbd(conn: sqlite3.Connection, rows: list[tuple]) -> Resource:
    conn.execute("CREATE TABLE apbd (kode_wilayah TEXT, tahun INTEGER, nilai_rp INTEGER)")
    conn.executemany("INSERT INTO apbd VALUES (?, ?, ?)", rows)
    return resource(
        "apbd",
        [
            {"name": "kode_wilayah", "type": "string"},
            {"name": "tahun", "type": "integer"},
            {"name": "nilai_rp", "type": "integer"},
        ],
        FK,
    )


def test_years_regions_names_levels_and_rows_come_from_the_table():
    conn = database()
    table = apbd(
        conn,
        [("35.78", 2022, 1), ("35.73", 2021, 2), ("35.78", 2021, 3), ("35.78", 2024, 4)],
    )
    found = coverage.table_coverage(conn, table)
    assert found["rows"] == 4
    assert found["years"] == [2021, 2022, 2024]
    assert found["period"] == {"id": "2021–2022, 2024", "en": "2021–2022, 2024"}
    assert found["regions"] == [
        {"code": "35.73", "name": "Kota Malang", "level": 2},
        {"code": "35.78", "name": "Kota Surabaya", "level": 2},
    ]
    assert found["levels"] == {"2": 2}
    assert found["provinces"] == [{"code": "35", "name": "Jawa Timur", "levels": {"2": 2}}]
    assert found["kabkota"] == [
        {"code": "35.73", "name": "Kota Malang"},
        {"code": "35.78", "name": "Kota Surabaya"},
    ]
    assert found["national"] is False
    assert found["spatial"] == {
        "id": "Kota Malang (35.73), Kota Surabaya (35.78)",
        "en": "Kota Malang (35.73), Kota Surabaya (35.78)",
    }
    assert found["fields"] == {"time": "tahun", "region": ["kode_wilayah"]}
    assert conn.execute("SELECT name FROM temp.sqlite_master").fetchall() == []  # no leftovers


def test_a_table_without_a_year_column_states_no_temporal_coverage():
    conn = database()
    conn.execute("CREATE TABLE luas (kode_wilayah TEXT, luas_km2 REAL, tahun_data TEXT)")
    conn.execute("INSERT INTO luas VALUES ('32.71', 118.5, '2024')")
    table = resource(
        "luas",
        [
            {"name": "kode_wilayah", "type": "string"},
            {"name": "luas_km2", "type": "number"},
            {"name": "tahun_data", "type": "string"},  # text, not a year column
        ],
        FK,
    )
    found = coverage.table_coverage(conn, table)
    assert found["years"] == [] and found["period"] is None
    assert found["fields"]["time"] is None
    assert found["spatial"]["id"] == "Kota Bogor (32.71)"


def test_a_table_without_region_codes_states_no_spatial_coverage():
    conn = database()
    conn.execute("CREATE TABLE rup (instansi TEXT, nilai_rp INTEGER)")
    conn.execute("INSERT INTO rup VALUES ('Kementerian X', 5)")
    table = resource(
        "rup", [{"name": "instansi", "type": "string"}, {"name": "nilai_rp", "type": "integer"}]
    )
    found = coverage.table_coverage(conn, table)
    assert found["region_count"] == 0 and found["spatial"] is None and found["places"] == []
    assert found["rows"] == 1 and found["years"] == []


def test_the_first_year_like_field_wins_then_dates_and_an_override_beats_both():
    conn = database()
    conn.execute(
        "CREATE TABLE tender (kode_wilayah TEXT, tanggal TEXT, tahun_anggaran INTEGER, "
        "tahun_anggaran_akhir INTEGER)"
    )
    conn.executemany(
        "INSERT INTO tender VALUES (?, ?, ?, ?)",
        [("32.71", "2019-12-30", 2020, 2022), ("32.71", "2021-01-05", 2021, 2021)],
    )
    fields = [
        {"name": "kode_wilayah", "type": "string"},
        {"name": "tanggal", "type": "date"},
        {"name": "tahun_anggaran", "type": "integer"},
        {"name": "tahun_anggaran_akhir", "type": "integer"},
    ]
    assert coverage.table_coverage(conn, resource("tender", fields, FK))["years"] == [2020, 2021]
    only_dates = resource("tender", fields[:2], FK)
    assert coverage.table_coverage(conn, only_dates)["years"] == [2019, 2021]
    chosen = resource("tender", fields, FK, {"coverage": {"time": "tahun_anggaran_akhir"}})
    assert coverage.table_coverage(conn, chosen)["years"] == [2021, 2022]


def test_region_columns_are_foreign_keys_to_wilayah_or_named_kode_wilayah():
    conn = database()
    conn.execute("CREATE TABLE w (kode_wilayah TEXT, kode_wilayah_induk TEXT, kode_bps TEXT)")
    conn.executemany(
        "INSERT INTO w VALUES (?, ?, ?)", [("32.71.01", "32.71", "3271010"), ("32.71", "32", "")]
    )
    fields = [
        {"name": "kode_wilayah", "type": "string"},
        {"name": "kode_wilayah_induk", "type": "string"},
        {"name": "kode_bps", "type": "string"},
    ]
    induk = [
        {
            "fields": "kode_wilayah_induk",
            "reference": {"resource": "wilayah", "fields": "kode_wilayah"},
        }
    ]
    found = coverage.table_coverage(conn, resource("w", fields, induk))
    assert [r["code"] for r in found["regions"]] == ["32", "32.71", "32.71.01"]
    assert found["levels"] == {"1": 1, "2": 1, "3": 1}
    own = resource("w", fields, induk, {"coverage": {"region": "kode_wilayah"}})
    assert [r["code"] for r in coverage.table_coverage(conn, own)["regions"]] == [
        "32.71",
        "32.71.01",
    ]


def test_without_the_region_table_codes_stand_without_names():
    conn = database(regions=None)
    table = apbd(conn, [("35.78", 2021, 1)])
    found = coverage.table_coverage(conn, table)
    assert found["regions"] == [{"code": "35.78", "name": None, "level": 2}]
    assert found["spatial"]["id"] == "35.78"
    assert found["national"] is False


def test_dataset_coverage_is_the_union_of_its_tables():
    conn = database()
    first = apbd(conn, [("35.78", 2021, 1), ("35.73", 2022, 1)])
    conn.execute("CREATE TABLE penduduk (kode_wilayah TEXT, tahun INTEGER)")
    conn.executemany("INSERT INTO penduduk VALUES (?, ?)", [("35.78", 2023), ("32.71", 2023)])
    second = resource(
        "penduduk",
        [{"name": "kode_wilayah", "type": "string"}, {"name": "tahun", "type": "integer"}],
        FK,
    )
    resources = {"apbd": {"rows": 2}, "penduduk": {"rows": 2}}
    dataset = SimpleNamespace(resources=[first, second])
    found = coverage.dataset_coverage(conn, dataset, resources)
    assert found["rows"] == 4
    assert found["years"] == [2021, 2022, 2023]
    assert [r["code"] for r in found["regions"]] == ["32.71", "35.73", "35.78"]
    assert resources["penduduk"]["coverage"]["years"] == [2023]
    assert resources["apbd"]["coverage"]["rows"] == 2
    assert (
        resources["apbd"]["coverage"]["spatial"]["id"]
        == "Kota Malang (35.73), Kota Surabaya (35.78)"
    )


def national_database(provinces: int) -> sqlite3.Connection:
    regions = {f"{10 + i}": f"Provinsi {i}" for i in range(provinces)}
    regions.update({f"{10 + i}.01": f"Kabupaten {i}" for i in range(provinces)})
    return database(regions)


def test_every_province_of_a_national_list_is_summarised_as_indonesia():
    conn = national_database(34)
    codes = [(f"{10 + i}", 2020, 1) for i in range(34)] + [
        (f"{10 + i}.01", 2020, 1) for i in range(34)
    ]
    found = coverage.table_coverage(conn, apbd(conn, codes))
    assert found["national"] is True
    assert found["spatial"] == {
        "id": "Indonesia (34 provinsi, 34 kabupaten/kota)",
        "en": "Indonesia (34 provinces, 34 regencies/cities)",
    }
    assert found["places"] == [{"code": None, "name": "Indonesia"}]
    assert len(found["kabkota"]) == 34 and len(found["provinces"]) == 34


def test_an_excerpt_of_the_region_list_never_makes_a_dataset_national():
    conn = national_database(3)  # every province of a 3-province table is present
    found = coverage.table_coverage(conn, apbd(conn, [("10.01", 2020, 1), ("11", 2020, 1)]))
    assert found["national"] is False


def test_summary_wording_per_province_and_by_counts():
    many = {
        "region_count": 12,
        "levels": {"1": 1, "2": 11},
        "regions": [{"code": f"35.{i:02}", "name": f"K{i}", "level": 2} for i in range(11)],
        "provinces": [
            {"code": "32", "name": "Jawa Barat", "levels": {"1": 1}},
            {"code": "35", "name": "Jawa Timur", "levels": {"2": 11}},
        ],
    }
    assert coverage.summary(many) == {
        "id": "Jawa Barat: provinsi; Jawa Timur: 11 kabupaten/kota",
        "en": "Jawa Barat: province; Jawa Timur: 11 regencies/cities",
    }
    assert coverage.places(many) == [
        {"code": "32", "name": "Jawa Barat"},
        {"code": "35", "name": "Jawa Timur"},
    ]
    wide = {
        "region_count": 91000,
        "levels": {"3": 1, "4": 90999},
        "regions": None,
        "provinces": [{"code": str(i), "name": None, "levels": {"4": 1}} for i in range(11, 23)],
    }
    assert coverage.summary(wide) == {
        "id": "1 kecamatan, 90.999 desa/kelurahan di 12 provinsi",
        "en": "1 district, 90,999 villages in 12 provinces",
    }
    every = {**wide, "levels": {"1": 12, "2": 40}}  # the provinces touched are rows themselves
    assert coverage.summary(every)["id"] == "12 provinsi, 40 kabupaten/kota"
    assert coverage.summary({"region_count": 0}) is None


def test_year_runs_and_period_words():
    assert coverage.year_runs([2017, 2010, 2015, 2016, 2016]) == [(2010, 2010), (2015, 2017)]
    assert coverage.period([2010, 2015, 2016, 2017])["id"] == "2010, 2015–2017"
    assert coverage.period([2024])["en"] == "2024"
    assert coverage.period([]) is None


def test_descriptors_no_longer_accept_hand_written_coverage():
    schema = Vocabulary.load().descriptor_schema
    base = {
        "title": "Judul",
        "description": "Deskripsi yang cukup panjang.",
        "licenses": [{"name": "CC-BY-4.0"}],
        "sources": [{"title": "Sumber"}],
        "jendela": {
            "publisher": "x",
            "themes": ["t"],
            "updated": "2025-01-01",
            "en": {"title": "T"},
        },
        "resources": [
            {
                "name": "t",
                "title": "T",
                "jendela": {"source": {"path": "t.csv"}, "reader": "csv"},
                "schema": {"fields": [{"name": "tahun"}]},
            }
        ],
    }
    jsonschema.validate(base, schema)
    for key, value in (("spatial", ["32.71"]), ("temporal", {"start": 2021, "end": 2023})):
        broken = json.loads(json.dumps(base))
        broken["jendela"][key] = value
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)
    chosen = json.loads(json.dumps(base))
    chosen["resources"][0]["jendela"]["coverage"] = {"time": "tahun"}
    jsonschema.validate(chosen, schema)
    chosen["resources"][0]["jendela"]["coverage"] = {"years": "tahun"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(chosen, schema)


# --- the default real build: every place states what the tables hold ------------------------

YEAR_COLUMN = re.compile(r"^(tahun|periode)(_|$)")


def independent_coverage(db: sqlite3.Connection, tables: list[str]) -> dict:
    """Years, codes, rows of `tables`, with columns picked from SQLite's own schema: region
    columns are those declared REFERENCES wilayah(kode_wilayah) or named kode_wilayah; the year
    column is the first INTEGER column named tahun/tahun_*/periode (none of the real tables
    needs the date fallback: checked below)."""
    years: set[int] = set()
    codes: set[str] = set()
    rows = 0
    for table in tables:
        rows += db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
        columns = db.execute(f"PRAGMA table_info([{table}])").fetchall()
        region = {c[1] for c in columns if c[1] == "kode_wilayah"} | {
            fk[3]
            for fk in db.execute(f"PRAGMA foreign_key_list([{table}])")
            if fk[2] == "wilayah" and fk[4] == "kode_wilayah"
        }
        for column in region:
            codes |= {
                code
                for (code,) in db.execute(f"SELECT [{column}] FROM [{table}]")
                if code not in (None, "")
            }
        year = next(
            (c[1] for c in columns if YEAR_COLUMN.match(c[1]) and c[2].upper() == "INTEGER"),
            None,
        )
        if year is None:
            assert not [c for c in columns if c[2].upper() in ("DATE", "DATETIME")], table
            continue
        years |= {y for (y,) in db.execute(f"SELECT [{year}] FROM [{table}]") if y is not None}
    return {"rows": rows, "years": sorted(years), "codes": codes}


def expected_record(db: sqlite3.Connection, found: dict) -> dict:
    """The coverage record the wording functions take, built here from the codes found."""
    names = dict(db.execute("SELECT kode_wilayah, nama_wilayah FROM wilayah"))
    codes = found["codes"]
    levels: dict[str, int] = {}
    provinces: dict[str, dict] = {}
    for code in codes:
        level = str(code.count(".") + 1)
        levels[level] = levels.get(level, 0) + 1
        province = code.split(".")[0]
        entry = provinces.setdefault(
            province, {"code": province, "name": names.get(province), "levels": {}}
        )
        entry["levels"][level] = entry["levels"].get(level, 0) + 1
    kabkota = sorted({".".join(c.split(".")[:2]) for c in codes if "." in c})
    all_provinces = {c for c in names if "." not in c}
    record = {
        "region_count": len(codes),
        "levels": levels,
        "regions": [
            {"code": c, "name": names.get(c), "level": c.count(".") + 1} for c in sorted(codes)
        ]
        if len(codes) <= coverage.LISTED_REGIONS
        else None,
        "provinces": [provinces[p] for p in sorted(provinces)],
        "kabkota": [{"code": k, "name": names.get(k)} for k in kabkota],
        "national": len(all_provinces) >= 34 and all_provinces <= set(provinces),
        "years": found["years"],
    }
    record["facet"] = sorted(provinces)  # the home page offers provinces; kab/kota by search
    return record


@pytest.fixture(scope="module")
def truth(real) -> dict:
    with sqlite3.connect(real.output / "jendela.db") as db:
        out = {}
        for dataset_id, entry in real.manifest["datasets"].items():
            found = independent_coverage(db, sorted(entry["resources"]))
            out[dataset_id] = {**found, **expected_record(db, found)}
            out[dataset_id]["tables"] = {
                table: independent_coverage(db, [table]) for table in entry["resources"]
            }
    return out


def test_the_real_catalog_has_coverage_worth_checking(truth):
    assert len(truth) >= 15
    assert sum(bool(t["years"]) for t in truth.values()) >= 10
    assert any(t["national"] for t in truth.values())
    assert any(not t["years"] for t in truth.values())  # the no-year case is exercised
    assert any(0 < t["region_count"] <= coverage.FEW_REGIONS for t in truth.values())
    assert any(
        not t["national"] and t["region_count"] > coverage.FEW_REGIONS for t in truth.values()
    )


def test_the_manifest_records_what_the_tables_hold(real, truth):
    for dataset_id, expected in truth.items():
        stated = real.manifest["datasets"][dataset_id]["coverage"]
        assert stated["rows"] == expected["rows"], dataset_id
        assert stated["years"] == expected["years"], dataset_id
        assert stated["region_count"] == len(expected["codes"]), dataset_id
        assert stated["levels"] == expected["levels"], dataset_id
        assert stated["national"] == expected["national"], dataset_id
        if expected["regions"] is not None:
            assert stated["regions"] == expected["regions"], dataset_id
        assert stated["spatial"] == coverage.summary(expected), dataset_id
        assert stated["period"] == coverage.period(expected["years"]), dataset_id
        for table, own in expected["tables"].items():
            stated = real.manifest["datasets"][dataset_id]["resources"][table]["coverage"]
            assert stated["rows"] == own["rows"], table
            assert stated["years"] == own["years"], table
            assert stated["region_count"] == len(own["codes"]), table


def test_apbd_djpk_names_38_jawa_timur_governments_for_2021_to_2024(truth):
    """One figure known from the source (issue #10): 38 kabupaten/kota of Jawa Timur, 2021-2024."""
    apbd = truth["apbd-djpk"]
    assert apbd["years"] == [2021, 2022, 2023, 2024]
    assert apbd["levels"] == {"2": 38} and {c[:2] for c in apbd["codes"]} == {"35"}
    assert coverage.summary(apbd)["id"] == "Jawa Timur: 38 kabupaten/kota"
    assert truth["wilayah-kemendagri"]["national"]
    assert coverage.summary(truth["wilayah-kemendagri"])["id"].startswith("Indonesia (38 provinsi")


def page(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def test_dataset_pages_state_the_coverage_of_their_tables(real, truth):
    site = real.output / "site"
    for dataset_id, expected in truth.items():
        summary = coverage.summary(expected)
        period = coverage.period(expected["years"])
        for lang, prefix in (("id", ""), ("en", "en/")):
            doc = page(site / prefix / "dataset" / dataset_id / "index.html")
            spatial = doc.xpath("//dd[@class='coverage-spatial']")
            temporal = doc.xpath("//dd[@class='coverage-temporal']")
            if summary:
                assert [d.text_content() for d in spatial] == [summary[lang]], dataset_id
            else:
                assert spatial == [], dataset_id
            if period:
                assert [d.text_content() for d in temporal] == [period[lang]], dataset_id
                assert temporal[0].get("data-years").split() == [str(y) for y in expected["years"]]
            else:
                assert temporal == [], dataset_id  # no year column: no made-up period
            (rows,) = doc.xpath("//dd[@class='coverage-rows']")
            assert int(rows.get("data-rows")) == expected["rows"], dataset_id
            # schema.org on the same page
            (block,) = doc.xpath("//script[@type='application/ld+json']")
            data = json.loads(block.text)
            places = coverage.places(expected)
            assert [p["name"] for p in data["spatialCoverage"]] == [p["name"] for p in places]
            assert [p.get("identifier") for p in data["spatialCoverage"]] == [
                p["code"] for p in places
            ]
            runs = [
                str(a) if a == b else f"{a}/{b}" for a, b in coverage.year_runs(expected["years"])
            ]
            stated = data.get("temporalCoverage")
            assert ([stated] if isinstance(stated, str) else stated or []) == runs, dataset_id


def test_home_page_facets_follow_the_tables(real, truth):
    for prefix in ("", "en/"):
        doc = page(real.output / "site" / prefix / "index.html")
        options = {box.get("value") for box in doc.xpath("//fieldset[@data-facet='region']//input")}
        # The year facet is a from/to range: each side offers every year some table holds.
        sides = [
            {
                o.get("value")
                for o in doc.xpath(f"//fieldset[@data-facet='year']//select[@name='{s}']/option")
            }
            - {""}
            for s in ("from", "to")
        ]
        assert sides[0] == sides[1]
        years = sides[0]
        assert options == set().union(*(t["facet"] for t in truth.values()))
        assert years == {str(y) for t in truth.values() for y in t["years"]}
        for dataset_id, expected in truth.items():
            (card,) = doc.xpath(f"//li[@id='card-{dataset_id}']")
            assert card.get("data-region").split() == expected["facet"], dataset_id
            assert card.get("data-year").split() == [str(y) for y in expected["years"]]
    # Labels are the provinces' names; a kabupaten/kota is found by its name in the search index.
    labels = {
        label.text_content().split("(")[0].strip()
        for label in doc.xpath("//fieldset[@data-facet='region']//label")
    }
    assert "Jawa Timur" in labels and "Kota Surabaya" not in labels
    index = (real.output / "site" / "search-index.json").read_text(encoding="utf-8")
    assert "Kota Surabaya" in index


def test_data_json_and_dcat_state_the_coverage_of_the_tables(real, truth):
    site = real.output / "site"
    data = {
        d["identifier"].rstrip("/").rsplit("/", 1)[1]: d
        for d in json.loads((site / "data.json").read_text())["dataset"]
    }
    dcat = {
        d["dct:identifier"]: d
        for d in json.loads((site / "catalog.jsonld").read_text())["dcat:dataset"]
    }
    for dataset_id, expected in truth.items():
        summary = coverage.summary(expected)
        years = expected["years"]
        pod, dataset = data[dataset_id], dcat[dataset_id]
        assert pod.get("spatial") == (summary["id"] if summary else None), dataset_id
        assert pod.get("temporal") == (f"{years[0]}-01-01/{years[-1]}-12-31" if years else None), (
            dataset_id
        )
        runs = coverage.year_runs(years)
        assert [
            (p["dcat:startDate"]["@value"], p["dcat:endDate"]["@value"])
            for p in dataset.get("dct:temporal", [])
        ] == [(f"{a}-01-01", f"{b}-12-31") for a, b in runs], dataset_id
        places = coverage.places(expected)
        assert [
            (p.get("dct:identifier"), p["locn:geographicName"]) for p in dataset["dct:spatial"]
        ] == [(p["code"], p["name"]) for p in places], dataset_id
        stated = {v["@language"]: v["@value"] for v in dataset.get("dct:coverage", [])}
        assert stated == (summary or {}), dataset_id


def test_the_served_ckan_api_states_the_coverage_of_the_tables(real_server, truth):
    with ckanapi.RemoteCKAN(real_server.url) as ckan:
        for dataset_id, expected in truth.items():
            extras = {
                e["key"]: e["value"] for e in ckan.action.package_show(id=dataset_id)["extras"]
            }
            summary = coverage.summary(expected)
            assert extras["jendela_rows"] == str(expected["rows"]), dataset_id
            assert extras.get("jendela_spatial") == (summary or {}).get("id"), dataset_id
            assert extras.get("jendela_spatial_en") == (summary or {}).get("en"), dataset_id
            if expected["years"]:
                assert json.loads(extras["jendela_years"]) == expected["years"], dataset_id
                assert extras["jendela_temporal"] == coverage.period(expected["years"])["id"]
            else:
                assert "jendela_years" not in extras and "jendela_temporal" not in extras


def test_no_descriptor_or_pipeline_reads_hand_written_coverage():
    """`jendela.spatial`/`jendela.temporal` are gone: no descriptor sets them, no module reads
    them (the schema rejects them, tested above)."""
    for path in [*ROOT.glob("datasets/*/datapackage.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^  (spatial|temporal):", text, re.MULTILINE), path
    for path in (ROOT / "pipelines").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"ext(\.get\(|\[)[\"'](spatial|temporal)[\"']", text), path
