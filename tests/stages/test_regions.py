"""Region codes: the SQL dump reader, the region table, the name lookup and the BPS crosswalk.

Readers and checks on tiny inline inputs; the pipeline as a user runs it on the embedded excerpt
and on the full Kemendagri 2025 list and BPS MFD 2018 files in ../shared/realdata (read in place).
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.checks.runner import run_checks
from pipelines.core.errors import RowMap
from pipelines.readers import ReaderError, read_chunks
from pipelines.readers import sql as readers_sql
from pipelines.stages.normalise import NormalisedChunk
from pipelines.stages.regions import RegionLookup, cached_lookup, fill_region_codes

WILAYAH_SQL = "regions/kemendagri_2025/wilayah.sql"


def read_sql(tmp_path: Path, text: str, **options) -> pd.DataFrame:
    path = tmp_path / "dump.sql"
    path.write_text(text, encoding="utf-8")
    return pd.concat(list(read_chunks("sql", path, options)), ignore_index=True)


# --- the SQL dump reader ------------------------------------------------------------------------


def test_sql_reader_reads_tuples_across_lines_with_escapes_nulls_and_numbers(tmp_path):
    frame = read_sql(
        tmp_path,
        "-- a comment; with a semicolon\n"
        "/* INSERT INTO wilayah (kode, nama) VALUES ('99','not data'); */\n"
        "INSERT INTO `wilayah` (`kode`, `nama`, `luas`)\n"
        "VALUES\n"
        "('11.01.02.2018','Pasi Kuala Ba''u', 1.5),\n"
        "\t('32.71', 'Line one\\nline two, (with) \\'quotes\\'', NULL),\n"
        "(\n  '32.71.01',\n  'Bogor Selatan',\n  -2\n);\n",
    )
    assert frame.columns.tolist() == ["__row__", "kode", "nama", "luas"]
    assert frame.to_dict("records") == [
        {"__row__": 5, "kode": "11.01.02.2018", "nama": "Pasi Kuala Ba'u", "luas": "1.5"},
        {"__row__": 6, "kode": "32.71", "nama": "Line one\nline two, (with) 'quotes'", "luas": ""},
        {"__row__": 7, "kode": "32.71.01", "nama": "Bogor Selatan", "luas": "-2"},
    ]


def test_sql_reader_takes_columns_from_create_table_and_picks_the_named_table(tmp_path):
    dump = (
        "CREATE TABLE IF NOT EXISTS wilayah (\n  kode varchar(13) NOT NULL,\n"
        "  nama varchar(100) NOT NULL,\n  PRIMARY KEY (kode)\n) ENGINE=MyISAM;\n"
        "CREATE TABLE other (a int);\n"
        "INSERT INTO other VALUES (1);\n"
        "INSERT INTO wilayah VALUES ('32','Jawa Barat'),('32.71','Kota Bogor');\n"
    )
    frame = read_sql(tmp_path, dump, table="wilayah")
    assert frame[["kode", "nama"]].values.tolist() == [
        ["32", "Jawa Barat"],
        ["32.71", "Kota Bogor"],
    ]
    with pytest.raises(
        ReaderError, match=r"fills several tables \(other, wilayah\).*options.table"
    ):
        read_sql(tmp_path, dump)


def test_sql_reader_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(
        ReaderError, match=r"dump.sql: line 3: 1 values for 2 columns \(kode, nama\)"
    ):
        read_sql(tmp_path, "INSERT INTO w (kode, nama) VALUES\n('32','Jawa Barat'),\n('33');\n")
    with pytest.raises(ReaderError, match=r"dump.sql: line 2: quote ' is never closed"):
        read_sql(tmp_path, "INSERT INTO w (kode) VALUES\n('32);\n")
    with pytest.raises(ReaderError, match=r"'NOW' is not a literal value"):
        read_sql(tmp_path, "INSERT INTO w (kode) VALUES (NOW());\n")
    with pytest.raises(
        ReaderError, match=r"no INSERT INTO wilayah in the dump \(tables with rows: w\)"
    ):
        read_sql(tmp_path, "INSERT INTO w (kode) VALUES ('1');\n", table="wilayah")


VALUE_TEXT = st.text(alphabet=st.sampled_from(list("ab ,;()'\\\"\n\t-#*/é")), max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(VALUE_TEXT, st.integers(-(10**12), 10**12)), max_size=25))
def test_sql_reader_gives_the_same_rows_whatever_the_block_size(tmp_path_factory, rows):
    """Values written by a MySQL-style escaper come back exactly, even when every token straddles
    a block boundary (blocks of 7 characters) - the streaming path is not a whole-file parse."""

    def quoted(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "''").replace("\n", "\\n") + "'"

    body = ",\n".join(f"({quoted(t)}, {n}, NULL)" for t, n in rows)
    dump = (
        f"# header\nINSERT INTO t (a, b, c) VALUES\n{body};\n"
        if rows
        else "INSERT INTO t (a) VALUES ('x');"
    )
    path = tmp_path_factory.mktemp("sql") / "t.sql"
    path.write_text(dump, encoding="utf-8")
    expected = pd.concat(list(read_chunks("sql", path, {})), ignore_index=True)
    original = readers_sql.BLOCK_CHARS, readers_sql.LOOKAHEAD
    try:
        readers_sql.BLOCK_CHARS, readers_sql.LOOKAHEAD = 7, 3
        small = pd.concat(list(read_chunks("sql", path, {}, chunk_rows=4)), ignore_index=True)
    finally:
        readers_sql.BLOCK_CHARS, readers_sql.LOOKAHEAD = original
    pd.testing.assert_frame_equal(small, expected)
    if rows:
        assert expected["a"].tolist() == [t for t, _ in rows]
        assert expected["b"].tolist() == [str(n) for _, n in rows]


def test_sql_reader_streams_the_full_kemendagri_list(realdata):
    chunks = list(read_chunks("sql", realdata / WILAYAH_SQL, {"table": "wilayah"}, 20_000))
    assert [len(c) for c in chunks] == [20_000] * 4 + [11_599]
    first, last = chunks[0].iloc[0], chunks[-1].iloc[-1]
    assert (first["__row__"], first["kode"], first["nama"]) == (45, "11", "Aceh")
    assert (last["__row__"], last["kode"], last["nama"]) == (
        91791,
        "96.71.10.1004",
        "Tanjung Kasuari",
    )


# --- the name lookup ----------------------------------------------------------------------------

REGIONS = [
    ("31", "Daerah Khusus Ibukota Jakarta", None),
    ("31.01", "Kabupaten Administrasi Kepulauan Seribu", "31"),
    ("31.75", "Kota Administrasi Jakarta Timur", "31"),
    ("31.75.01", "Matraman", "31.75"),
    ("32", "Jawa Barat", None),
    ("32.01", "Kabupaten Bogor", "32"),
    ("32.71", "Kota Bogor", "32"),
    ("32.71.01", "Bogor Selatan", "32.71"),
    ("32.71.01.1001", "Batu Tulis", "32.71.01"),
    ("32.71.06", "Tanah Sareal", "32.71"),
]


def test_lookup_resolves_name_paths_level_by_level_and_never_by_similarity():
    lookup = RegionLookup(REGIONS)
    assert lookup.resolve("JAWA BARAT > KOTA BOGOR > BOGOR SELATAN > KEL. BATUTULIS")[0] == (
        "32.71.01.1001"
    )
    assert lookup.resolve("JAWA BARAT > BOGOR")[0] == "32.01"  # Kabupaten is the default level
    # A kota written without "Kota" is found only because no kabupaten has that name.
    assert lookup.resolve("PROVINSI DKI JAKARTA > JAKARTA TIMUR > MATRAMAN")[0] == "31.75.01"
    assert lookup.resolve("PROVINSI DKI JAKARTA > KAB.ADM.KEP.SERIBU")[0] == "31.01"
    code, problem, close = lookup.resolve("JAWA BARAT > KOTA BOGOR > TANAH SEREAL")
    assert code is None
    assert problem == "'TANAH SEREAL' is not a region under 32.71 Kota Bogor in table wilayah"
    assert close == ["Tanah Sareal (32.71.06)"]
    aliases = {"JAWA BARAT > KOTA BOGOR > TANAH SEREAL": "32.71.06"}
    assert lookup.resolve("JAWA BARAT > KOTA BOGOR > TANAH SEREAL", aliases)[0] == "32.71.06"


def test_lookup_compares_names_by_key():
    lookup = RegionLookup(REGIONS)
    assert lookup.same_name("32.71", "KOTA BOGOR")
    assert lookup.same_name("31.75", "JAKARTA TIMUR")
    assert not lookup.same_name("32.71", "KABUPATEN BOGOR")
    assert not lookup.same_name("32.71", "KOTA CIMAHI")


def _region_db(tmp_path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(tmp_path / "regions.db")
    db["wilayah"].insert_all(
        {"kode_wilayah": c, "nama_wilayah": n, "kode_wilayah_induk": p} for c, n, p in REGIONS
    )
    return db


class _Resource:
    """The few attributes of a model.Resource that checks and lookups read."""

    dataset_id = "contoh"
    name = "contoh"

    def __init__(self, ext: dict):
        self.ext = ext


def test_fill_region_codes_fills_found_codes_and_names_the_rest(tmp_path):
    db = _region_db(tmp_path)
    frame = pd.DataFrame(
        {
            "kode_wilayah": pd.array([pd.NA, pd.NA, "32.71"], dtype="string"),
            "nama_wilayah_sumber": ["JAWA BARAT > KOTA BOGOR", "JAWA BARAT > KOTA BOGORR", "x"],
        }
    )
    chunk = NormalisedChunk(frame, pd.Series([2, 3, 4]))
    spec = {"region_from_name": {"code": "kode_wilayah", "name": "nama_wilayah_sumber"}}
    fill_region_codes(db, _Resource(spec), chunk, "sumber.csv")
    assert chunk.frame["kode_wilayah"].tolist() == ["32.71", pd.NA, "32.71"]
    assert chunk.bad_rows == {1}
    [issue] = chunk.issues
    assert (issue.type, issue.file, issue.row, issue.column, issue.value) == (
        "region-not-found",
        "sumber.csv",
        3,
        "kode_wilayah",
        "JAWA BARAT > KOTA BOGORR",
    )
    assert "closest official names: Kota Bogor (32.71)" in issue.hint


def test_the_cached_lookup_follows_the_region_table_and_nothing_else(tmp_path):
    """Loading another table keeps the lookup; any write to the region table (rows added, the
    table made again with other names) gives a new one that sees it."""
    db = _region_db(tmp_path)
    first = cached_lookup(db)
    assert first.find("", "JAWA BARAT")[0] == "32"
    db["tender"].insert_all({"kode": n} for n in range(100))
    assert cached_lookup(db) is first
    db["wilayah"].insert({"kode_wilayah": "33", "nama_wilayah": "JAWA TENGAH"})
    assert cached_lookup(db).find("", "JAWA TENGAH")[0] == "33"
    db["wilayah"].drop()
    db["wilayah"].insert_all(
        {
            "kode_wilayah": c,
            "nama_wilayah": n.replace("Jawa Barat", "Jabar"),
            "kode_wilayah_induk": p,
        }
        for c, n, p in REGIONS  # fmt: skip
    )
    assert cached_lookup(db).find("", "JABAR")[0] == "32"
    db["wilayah"].drop()
    assert cached_lookup(db) is None


def _staging(tmp_path: Path, rows: list[dict]) -> tuple[Path, RowMap]:
    path = tmp_path / "staging.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    rows_from = RowMap()
    rows_from.add("sumber.csv", list(range(2, len(rows) + 2)))
    rows_from.freeze()
    return path, rows_from


def test_region_name_check_names_row_column_value_and_both_names(tmp_path):
    db = _region_db(tmp_path)
    staging, rows_from = _staging(
        tmp_path,
        [
            {"kode_wilayah": "32.71", "nama": "KOTA BOGOR"},
            {"kode_wilayah": "32.71", "nama": "KOTA CIMAHI"},
            {"kode_wilayah": "32.01", "nama": "KAB. BOGOR"},
            {"kode_wilayah": "32.71.06", "nama": "TANAH SEREAL"},
        ],
    )
    check = {"type": "region-name", "code": "kode_wilayah", "name": "nama"}
    issues = run_checks(db, _Resource({"checks": [check]}), staging, rows_from)
    assert [(i.type, i.row, i.column, i.value) for i in issues] == [
        ("region-name-mismatch", 3, "kode_wilayah", "32.71"),
        ("region-name-mismatch", 5, "kode_wilayah", "32.71.06"),
    ]
    assert issues[0].message == (
        "kode_wilayah 32.71 bernama 'Kota Bogor' dalam tabel wilayah, tetapi baris ini menamainya "
        "'KOTA CIMAHI' / kode_wilayah 32.71 is 'Kota Bogor' in table wilayah, but this row names "
        "it 'KOTA CIMAHI'"
    )
    accepted = {**check, "accept": {"32.71.06": ["TANAH SEREAL"]}}
    issues = run_checks(db, _Resource({"checks": [accepted]}), staging, rows_from)
    assert [i.row for i in issues] == [3]


def test_region_total_check_compares_a_total_with_its_complete_parts(tmp_path):
    db = _region_db(tmp_path)
    rows = [
        {"kode_wilayah": "32.71.01", "tahun": "2023", "jumlah": "10"},
        {"kode_wilayah": "32.71.06", "tahun": "2023", "jumlah": "5"},
        {"kode_wilayah": "32.71", "tahun": "2023", "jumlah": "16"},
        {"kode_wilayah": "32", "tahun": "2023", "jumlah": "999"},  # its parts are not all here
    ]
    staging, rows_from = _staging(tmp_path, rows)
    check = {"type": "region-total", "value": "jumlah", "by": ["tahun"]}
    issues = run_checks(db, _Resource({"checks": [check]}), staging, rows_from)
    assert [(i.type, i.row, i.column, i.value, i.message) for i in issues] == [
        (
            "total-mismatch",
            4,
            "jumlah",
            "16",
            "16 untuk 32.71 bukan jumlah 2 sub-wilayahnya dalam tabel ini, 15 / "
            "16 for 32.71 is not the sum of its 2 sub-regions in this table, 15",
        )
    ]


# --- the region table, built -------------------------------------------------------------------


def test_embedded_region_table_is_the_kota_bogor_excerpt(built_catalog):
    with sqlite3.connect(built_catalog / "jendela.db") as db:
        levels = dict(db.execute("SELECT tingkat, count(*) FROM wilayah GROUP BY tingkat"))
        kinds = set(
            db.execute("SELECT DISTINCT jenis FROM wilayah WHERE tingkat = 'desa_kelurahan'")
        )
    assert levels == {"provinsi": 1, "kabupaten_kota": 1, "kecamatan": 6, "desa_kelurahan": 68}
    assert kinds == {("kelurahan",)}


def test_full_kemendagri_list_is_published_with_level_kind_and_parent(real):
    assert real.resource("wilayah-kemendagri", "wilayah")["rows"] == 91_599
    assert dict(real.query("SELECT tingkat, count(*) FROM wilayah GROUP BY 1")) == {
        "provinsi": 38,
        "kabupaten_kota": 514,
        "kecamatan": 7_285,
        "desa_kelurahan": 83_762,
    }
    assert dict(real.query("SELECT jenis, count(*) FROM wilayah GROUP BY 1")) == {
        "provinsi": 38,
        "kabupaten": 416,
        "kota": 98,
        "kecamatan": 7_285,
        "kelurahan": 8_496,
        "desa": 75_252,
        "desa_adat": 14,
    }
    assert real.query(
        "SELECT nama_wilayah, tingkat, jenis, kode_wilayah_induk FROM wilayah "
        "WHERE kode_wilayah IN ('32.71', '32.71.03', '91.03.01.3007') ORDER BY kode_wilayah"
    ) == [
        ("Kota Bogor", "kabupaten_kota", "kota", "32"),
        ("Bogor Tengah", "kecamatan", "kecamatan", "32.71"),
        ("Desa Adat Yoboi", "desa_kelurahan", "desa_adat", "91.03.01"),
    ]
    # Every parent is itself a region (the self-referencing foreign key held).
    assert real.query(
        "SELECT count(*) FROM wilayah w WHERE kode_wilayah_induk IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM wilayah p WHERE p.kode_wilayah = w.kode_wilayah_induk)"
    ) == [(0,)]
    # Codes are text in the dotted form everywhere, never numbers.
    assert real.query("SELECT count(*) FROM wilayah WHERE typeof(kode_wilayah) != 'text'") == [(0,)]
    assert real.query("SELECT count(*) FROM wilayah WHERE kode_wilayah LIKE '%.0'") == [(0,)]


def test_bps_crosswalk_matches_by_name_and_reports_the_rest(real):
    entry = real.resource("wilayah-bps", "wilayah_bps")
    assert (entry["rows"], entry["quarantined"]) == (74_553, 13_744)  # of 88,297 BPS regions
    assert real.query(
        "SELECT kode_wilayah, nama_wilayah_sumber FROM wilayah_bps WHERE kode_wilayah_bps "
        "IN ('3271040', '3271060', '3271010013', '3271040010') ORDER BY 1"
    ) == [
        ("32.71.01.1001", "JAWA BARAT > KOTA BOGOR > BOGOR SELATAN > BATUTULIS"),
        ("32.71.03", "JAWA BARAT > KOTA BOGOR > BOGOR TENGAH"),  # BPS 3271040, not 32.71.04
        ("32.71.03.1011", "JAWA BARAT > KOTA BOGOR > BOGOR TENGAH > KEBONKELAPA"),  # an alias
        ("32.71.06", "JAWA BARAT > KOTA BOGOR > TANAH SEREAL"),  # a reviewed alias
    ]
    with open(real.quarantine_csv("wilayah-bps", "wilayah_bps"), newline="") as handle:
        quarantined = list(csv.DictReader(handle))
    assert len(quarantined) == 13_744
    levels: dict[str, int] = {}
    for row in quarantined:
        levels[row["tingkat"]] = levels.get(row["tingkat"], 0) + 1
    assert levels == {"kabupaten_kota": 31, "kecamatan": 818, "desa_kelurahan": 12_895}
    indra = next(r for r in quarantined if r["kode_wilayah_bps"] == "1105161")
    assert (Path(indra["sumber_berkas"]).name, indra["sumber_baris"]) == ("districts.csv", "76")
    assert indra["masalah"] == (
        "region-not-found: kode_wilayah: no Kemendagri code for 'ACEH > KABUPATEN ACEH TIMUR > "
        "INDRA MAKMUR': 'INDRA MAKMUR' is not a region under 11.03 Kabupaten Aceh Timur in table "
        "wilayah"
    )


def test_open_data_jabar_pairs_are_normalised_and_agree_with_the_name_match(real):
    entry = real.resource("wilayah-bps", "wilayah_bps_odj")
    assert (entry["rows"], entry["quarantined"]) == (5_309, 3)  # 3 codes not in the 2025 list
    # Float codes "3201190006.0" become "3201190006"; "32.01.02.2001" stays dotted.
    assert real.query(
        "SELECT kode_wilayah FROM wilayah_bps_odj WHERE kode_wilayah_bps = '3201190006'"
    ) == [("32.01.02.2001",)]
    assert real.query(
        "SELECT count(*) FROM wilayah_bps_odj WHERE kode_wilayah_bps LIKE '%.%' "
        "OR kode_wilayah LIKE '%.0'"
    ) == [(0,)]
    [(both, agree)] = real.query(
        "SELECT count(*), sum(n.kode_wilayah = o.kode_wilayah) FROM wilayah_bps_odj o "
        "JOIN wilayah_bps n USING (kode_wilayah_bps)"
    )
    assert (both, agree) == (5_051, 5_051)  # every pair found both ways agrees
