"""Readers and normalise on input that is wrong in ordinary ways: a blank line, a wrong sheet or
records path, a file in another encoding, a million bad cells, a source unit to multiply out.

Each failure must fail only its dataset, with a message naming the file and the option, and the
rows must keep the numbers a person sees when opening the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE_CATALOG, catalog_name, run_publish
from openpyxl import Workbook

from pipelines.core import indonesian
from pipelines.core.indonesian import parse_column, scale_column
from pipelines.core.registry import load_catalog
from pipelines.readers import ROW_COLUMN, ReaderError, chunked, read_chunks
from pipelines.readers import regions as readers_regions
from pipelines.stages import regions
from pipelines.stages.normalise import normalise_chunk
from pipelines.stages.validate import LIMIT_ERRORS

PENDUDUK = Path("datasets/penduduk-kota-bogor")
KEMISKINAN = Path("datasets/kemiskinan-jabar-odj")


def publish_in(project: Path, *args: str):
    return run_publish(
        "--datasets-dir", str(project / "datasets"), "--metadata-dir", str(project / "metadata"),
        *args,
    )  # fmt: skip


def rows_of(kind: str, path: Path, options: dict | None = None, chunk_rows: int = 1000):
    return [
        row
        for chunk in read_chunks(kind, path, options or {}, chunk_rows)
        for row in chunk.to_dict("records")
    ]


# 1. Row numbers after blank lines ------------------------------------------------------------


def test_csv_rows_keep_their_line_numbers_after_blank_lines(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("Judul tabel\n\na,b\n1,2\n\n3,4\n   \n,\n5,6\n", encoding="utf-8")
    rows = rows_of("csv", path, {"skip_rows": 1}, chunk_rows=2)
    # The header is line 3 (after the title and a blank line); 4, 6 and 9 hold data; the blank
    # line, the line of spaces and the line of only a delimiter are dropped.
    assert [(r[ROW_COLUMN], r["a"], r["b"]) for r in rows] == [
        (4, "1", "2"),
        (6, "3", "4"),
        (9, "5", "6"),
    ]


def test_bad_value_after_a_blank_line_is_reported_on_its_true_row(copy_project):
    source = copy_project / PENDUDUK / "data" / "penduduk.csv"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[3].startswith("327102,2024,laki-laki,52.081,")
    lines.insert(3, "\n")  # a blank line 4: the row with 52.081 is now line 5
    lines[4] = lines[4].replace("52.081", "52.08x")
    source.write_text("".join(lines), encoding="utf-8")

    result = publish_in(copy_project, "validate", "--quiet", "penduduk-kota-bogor")

    assert result.returncode == 1
    name = catalog_name(copy_project, source)  # datasets/<id>/..., not the copy's path
    assert (
        f"penduduk-kota-bogor/penduduk | {name} | baris/row 5 | kolom/column jumlah_penduduk: "
        "[parse-error]"
    ) in result.stdout
    assert "baris/row 4 |" not in result.stdout


# 2. A wrong option fails its dataset, with a message ----------------------------------------


def test_wrong_sheet_and_records_options_fail_only_their_datasets(copy_project):
    tangsel = copy_project / "datasets/penduduk-tangsel/datapackage.yaml"
    text = tangsel.read_text(encoding="utf-8")
    assert "        sheet: 0\n" in text
    tangsel.write_text(text.replace("        sheet: 0\n", "        sheet: Tabel 1\n"))
    emsifa = copy_project / "datasets/wilayah-bps-emsifa/datapackage.yaml"
    text = emsifa.read_text(encoding="utf-8")
    assert "        object_as_record: true\n" in text
    emsifa.write_text(
        text.replace("        object_as_record: true\n", "        records: data.wilayah\n")
    )

    result = publish_in(
        copy_project, "validate", "--quiet",
        "penduduk-tangsel", "wilayah-bps-emsifa", "penduduk-kota-bogor",
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert "OK    wilayah-kota-bogor: 76 baris/rows" in lines
    assert any(line.startswith("OK    penduduk-kota-bogor:") for line in lines)
    assert "GAGAL/FAILED penduduk-tangsel: 1 masalah/issues" in lines
    assert "GAGAL/FAILED wilayah-bps-emsifa: 1 masalah/issues" in lines
    assert (
        "penduduk_usia_kecamatan.xlsx: options.sheet 'Tabel 1': lembar kerja tidak ada / no such "
        "sheet; the workbook has 0: '17'"
    ) in result.stdout
    # The first emsifa file is a list of provinces, so the path cannot go into it.
    assert (
        "options.records 'data.wilayah': kunci 'data' tidak ada di the top of the document / key "
        "'data' not found at the top of the document (it is a list, not an object)"
    ) in result.stdout


def test_sheet_position_out_of_range_lists_the_sheets(tmp_path):
    book = Workbook()
    book.active.title = "Ringkasan"
    book.create_sheet("Data 2024")
    path = tmp_path / "buku.xlsx"
    book.save(path)
    for kind in ("xlsx", "table"):  # one helper for both readers
        with pytest.raises(ReaderError) as caught:
            rows_of(kind, path, {"sheet": 2})
        assert str(caught.value) == (
            "buku.xlsx: options.sheet 2: lembar kerja tidak ada / no such sheet; the workbook "
            "has 0: 'Ringkasan', 1: 'Data 2024'"
        )


def test_records_path_names_the_missing_key_and_the_keys_there(tmp_path):
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"status": "ok", "hasil": {"jumlah": 1, "baris": [{"a": 1}]}}))
    assert rows_of("json", path, {"records": "hasil.baris"}) == [{ROW_COLUMN: 1, "a": "1"}]
    with pytest.raises(ReaderError) as caught:
        rows_of("json", path, {"records": "hasil.data"})
    assert str(caught.value) == (
        "api.json: options.records 'hasil.data': kunci 'data' tidak ada di hasil / key 'data' "
        "not found at hasil (keys: jumlah, baris)"
    )
    with pytest.raises(ReaderError) as caught:
        rows_of("json", path, {"records": "status"})
    assert "options.records 'status' bukan daftar rekaman / is not a list of records" in str(
        caught.value
    )


# 3. One encoding message, one chunk loop ------------------------------------------------------

LATIN1 = "Pajak D\u00e9erah".encode("latin-1")  # \xe9 is not valid UTF-8


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        ("csv", "data.csv", b"a,b\n" + LATIN1 + b",1\n"),
        ("table", "data.csv", b"a,b\n" + LATIN1 + b",1\n"),
        ("json", "data.json", b'[{"a": "' + LATIN1 + b'"}]'),
        ("spse_datatables", "dt.json", b'{"data": [["' + LATIN1 + b'"]]}'),
        ("djpk", "apbd.csv", b"akun,anggaran,realisasi,persentase\n" + LATIN1 + b",1,2,3\n"),
        ("title_wide", "belanja.csv", b"Judul\n\nJenis;2021\n" + LATIN1 + b";1\n"),
        ("sql", "dump.sql", b"INSERT INTO t (a) VALUES ('" + LATIN1 + b"');\n"),
        ("bps_mfd", "provinces.csv", b"32," + LATIN1 + b"\n"),
    ],
)
@pytest.mark.parametrize("encoding", [None, "ascii"])
def test_every_reader_gives_the_same_encoding_message(tmp_path, kind, name, content, encoding):
    path = tmp_path / name
    path.write_bytes(content)
    options = {"encoding": encoding} if encoding else {}
    with pytest.raises(ReaderError) as caught:
        rows_of(kind, path, options)
    named = encoding or "utf-8-sig"
    start = content.index(b"\xe9")
    assert str(caught.value) == (
        f"{name}: bukan teks {named} yang sah pada byte {start}; isi options.encoding di "
        f"deskriptor (misalnya cp1252 atau latin-1) / not valid {named} at byte {start}; set "
        "options.encoding in the descriptor (for example cp1252 or latin-1)"
    )


def test_chunked_cuts_a_frame_and_keeps_an_empty_one():
    frame = pd.DataFrame({ROW_COLUMN: [2, 3, 5], "a": ["x", "y", "z"]})
    parts = list(chunked(frame, 2))
    assert [p[ROW_COLUMN].tolist() for p in parts] == [[2, 3], [5]]
    assert parts[1].index.tolist() == [0]
    [empty] = list(chunked(frame.iloc[:0], 2))
    assert list(empty.columns) == [ROW_COLUMN, "a"] and empty.empty


def test_bps_mfd_list_with_no_regions_still_gives_its_columns(tmp_path):
    (tmp_path / "provinces.csv").write_text("\n")
    [chunk] = list(read_chunks("bps_mfd", tmp_path / "provinces.csv", {}, 10))
    assert chunk.empty and "jalur_nama" in chunk.columns


# 4. Issues stop at the limit; the table is then not quarantined -------------------------------


def test_normalise_stops_collecting_issues_at_its_room_but_marks_every_bad_row(tmp_path):
    catalog = load_catalog(SAMPLE_CATALOG)
    resource = catalog.datasets["penduduk-kota-bogor"].resource("penduduk")
    chunk = pd.DataFrame(
        {
            ROW_COLUMN: [2, 3, 4, 5, 6],
            **{name: ["x"] * 5 for name in resource.field_names},
        }
    )
    chunk["kode_wilayah"] = "327101"
    chunk["tahun"] = "2024"
    normalised = normalise_chunk(chunk, resource, "p.csv", room=3)
    assert len(normalised.issues) == 3 and normalised.capped
    assert normalised.bad_rows == {0, 1, 2, 3, 4}
    whole = normalise_chunk(chunk, resource, "p.csv")
    assert not whole.capped and len(whole.issues) > 3


def test_more_bad_cells_than_the_limit_fail_the_table_instead_of_quarantining(
    copy_project, tmp_path
):
    """kemiskinan-jabar-odj publishes with `on_error: quarantine`; two files together hold more
    bad cells than the limit, so the count must run across files and chunks."""
    source = copy_project / KEMISKINAN / "data" / "jumlah_penduduk_miskin_kabkota.csv"
    header = source.read_text(encoding="utf-8").splitlines()[0]
    folder = tmp_path / "miskin"
    folder.mkdir()
    half = LIMIT_ERRORS // 2 + 10
    for part in (1, 2):
        rows = [f"{i},32,JAWA BARAT,3271,KOTA BOGOR,banyak,RIBU JIWA,2002" for i in range(half)]
        (folder / f"bagian_{part}.csv").write_text("\n".join([header, *rows]) + "\n")
    output = tmp_path / "out" / "build"

    result = publish_in(
        copy_project, "build", "--quiet", "kemiskinan-jabar-odj", "--output", str(output),
        "--source", f"penduduk_miskin_odj={folder}/*.csv",
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    report = output / "reports" / "kemiskinan-jabar-odj" / "penduduk_miskin_odj.json"
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["quarantined"] is False
    assert document["error_types"] == {"parse-error": LIMIT_ERRORS, "too-many-errors": 1}
    assert {e["file"] for e in document["errors"] if e["type"] == "parse-error"} == {
        str(folder / "bagian_1.csv"),
        str(folder / "bagian_2.csv"),
    }
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["datasets"]["kemiskinan-jabar-odj"]["status"] == "failed"
    assert not (output / "site/downloads/kemiskinan-jabar-odj").exists()


def test_fewer_bad_cells_than_the_limit_are_still_quarantined(copy_project, tmp_path):
    source = copy_project / KEMISKINAN / "data" / "jumlah_penduduk_miskin_kabkota.csv"
    text = source.read_text(encoding="utf-8")
    assert ",64.7,RIBU JIWA,2002" in text
    source.write_text(text.replace(",64.7,RIBU JIWA,2002", ",banyak,RIBU JIWA,2002"))
    output = tmp_path / "out" / "build"

    result = publish_in(
        copy_project, "build", "--quiet", "kemiskinan-jabar-odj", "--output", str(output)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((output / "manifest.json").read_text())
    entry = manifest["datasets"]["kemiskinan-jabar-odj"]["resources"]["penduduk_miskin_odj"]
    assert (entry["quarantined"], entry["rows"]) == (1, 18)


# 5. One separator for name paths ---------------------------------------------------------------


def test_name_paths_are_built_and_split_with_one_separator():
    assert readers_regions.PATH_SEPARATOR is regions.PATH_SEPARATOR is indonesian.PATH_SEPARATOR
    lookup = regions.RegionLookup([("32", "JAWA BARAT", None), ("32.71", "KOTA BOGOR", "32")])
    path = indonesian.PATH_SEPARATOR.join(["JAWA BARAT", "KOTA BOGOR"])
    assert lookup.resolve(path) == ("32.71", None, [])


# 7. jendela.scale -------------------------------------------------------------------------------


def test_scale_multiplies_exactly_beyond_float_precision_and_refuses_fractions():
    parsed = parse_column(
        pd.Series(["17986.5", "0.0000000001", "x", "", "123456789012345678901.25", "17986.5"]),
        "decimal",
    )
    scaled = scale_column(parsed, 10**9, whole=True)
    assert scaled.values.tolist() == [
        "17986500000000",
        pd.NA,
        pd.NA,
        pd.NA,
        "123456789012345678901250000000",
        "17986500000000",
    ]
    errors = scaled.errors.tolist()
    assert errors[0] is None and errors[3] is None
    assert errors[1].startswith("0.0000000001 x 1000000000 = 0.1: bukan bilangan bulat")
    assert errors[2] == parsed.errors[2]  # the parse error is kept
    assert scale_column(parsed, 1000).values.tolist()[1] == "0.0000001"  # a number field
    for wrong in (0, 3, 1500, True):
        with pytest.raises(ValueError):
            scale_column(parsed, wrong)


def test_scale_that_leaves_a_fraction_is_a_parse_error_on_its_row(copy_project):
    source = copy_project / "datasets/pdrb-bps/data/pdrb_adhb_kabkota_contoh.csv"
    text = source.read_text(encoding="utf-8")
    assert "Kota Bogor,40000.5,42000.25" in text
    source.write_text(
        text.replace("Kota Bogor,40000.5,42000.25", "Kota Bogor,40000.5,0.0000000001")
    )

    result = publish_in(copy_project, "validate", "--quiet", "pdrb-bps")

    assert result.returncode == 1
    name = catalog_name(copy_project, source)  # datasets/<id>/..., not the copy's path
    assert (
        f"pdrb-bps/pdrb_adhb | {name} | baris/row 4 | kolom/column pdrb_adhb_rp: "
        "[parse-error] 0.0000000001 x 1000000000 = 0.1: bukan bilangan bulat / not a whole number"
    ) in result.stdout


@pytest.mark.parametrize(
    ("jendela", "message"),
    [
        ("{parse: decimal, scale: 1500}", "1500 is not one of"),
        ("{scale: 1000}", "'parse' is a required property"),
        ("{parse: date, scale: 1000}", "'date' is not one of"),
    ],
)
def test_descriptor_refuses_a_scale_it_cannot_apply(copy_project, jendela, message):
    descriptor = copy_project / "datasets/pdrb-bps/datapackage.yaml"
    text = descriptor.read_text(encoding="utf-8")
    start = text.index("          jendela:\n            en:\n              title: GRDP at current")
    descriptor.write_text(text[:start] + f"          jendela: {jendela}\n")

    result = publish_in(copy_project, "list")

    assert result.returncode == 2
    assert str(descriptor) in result.stderr and message in result.stderr
