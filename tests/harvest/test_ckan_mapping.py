"""CKAN metadata -> descriptor mapping and schema inference, on real CKAN answers and real files."""

from __future__ import annotations

import json

import pytest

from pipelines.core.model import Vocabulary
from pipelines.harvest import mapping
from pipelines.harvest.client import PortalError
from pipelines.harvest.infer import infer_resource


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.load()


@pytest.fixture(scope="module")
def swiss(realdata) -> dict:
    path = realdata / "ckan/opendata_swiss_bfs_package_show.json"
    return json.loads(path.read_text())["result"]


@pytest.fixture(scope="module")
def birmingham(realdata) -> list[dict]:
    path = realdata / "ckan/birmingham_package_search.json"
    return json.loads(path.read_text())["result"]["results"]


def test_language_dicts_give_one_text(swiss):
    assert mapping.pick_text(swiss["title"]) == "Reisen der Schweizer Wohnbevölkerung 2019"
    original, english = mapping.translations(swiss, "title")
    assert (original, english) == (
        "Reisen der Schweizer Wohnbevölkerung 2019",
        "Reisen der Schweizer Wohnbevölkerung 2019",  # its English title is empty
    )
    assert mapping.pick_text({"id": "Anggaran", "en": "Budget"}) == "Anggaran"
    assert mapping.translations(
        {"title_translated": {"id": "Anggaran", "en": "Budget"}}, "title"
    ) == (
        "Anggaran",
        "Budget",
    )


def test_package_metadata_of_a_fluent_portal(swiss):
    meta = mapping.package_metadata(swiss, "https://ckan.opendata.swiss", "2025-05-25")
    assert meta["title"] == "Reisen der Schweizer Wohnbevölkerung 2019"
    assert meta["updated"] == "2022-03-11"  # from metadata_modified
    assert "no description" in meta["description"]  # every language of its notes is empty
    assert meta["sources"][0]["path"] == (
        "https://ckan.opendata.swiss/dataset/reisen-der-schweizer-wohnbevolkerung-2019"
    )
    assert meta["sources"][0]["title"].startswith("Federal Statistical Office FSO")  # en before de


def test_licences(swiss, birmingham, vocabulary):
    assert mapping.licence({"license_id": "cc-by"}, vocabulary.licences) == ("CC-BY-4.0", None)
    assert mapping.licence({"license_id": "CC-BY-4.0"}, vocabulary.licences) == ("CC-BY-4.0", None)
    key, entry = mapping.licence(swiss, vocabulary.licences)  # license_id null
    assert key == "notspecified" and "not specified" in entry["title"]
    key, entry = mapping.licence(birmingham[0], vocabulary.licences)
    assert key == "uk-ogl"
    assert entry["title"] == "UK Open Government Licence (OGL)"
    assert entry["summary"] and entry["en"]["summary"]


def test_publishers_and_themes(swiss, birmingham, vocabulary):
    key, entry = mapping.publisher(birmingham[0], "https://data.birmingham.gov.uk", {})
    assert key == "birmingham-city-council"
    assert entry["name"] == "Birmingham City Council"
    assert entry["url"] == "https://data.birmingham.gov.uk/organization/birmingham-city-council"
    assert (
        mapping.publisher({"organization": {"name": "pemkot-bogor"}}, "x", vocabulary.publishers)[1]
        is None
    )  # a hand-written publisher is reused as it is
    key, _ = mapping.publisher(swiss, "https://ckan.opendata.swiss", {})
    assert key == "bundesamt-fur-statistik-bfs"
    assert mapping.themes({"groups": [{"name": "anggaran"}]}, vocabulary.themes) == (
        ["anggaran"],
        None,
    )
    keys, entry = mapping.themes(swiss, vocabulary.themes)  # group "tourism" is no theme of ours
    assert keys == ["lainnya"] and entry["en"]["title"] == "Other"


def test_names(birmingham):
    names = [mapping.dataset_id(p["name"]) for p in birmingham]
    assert "december-2020-purchase-card-transactions" in names  # CKAN allows underscores
    assert mapping.snake_name("VALOR_UNITARIO") == "valor_unitario"
    assert mapping.snake_name("Jumlah PPKS (%)") == "jumlah_ppks"
    assert mapping.snake_name("2021") == "kolom_2021"
    assert mapping.snake_name("Doações Recebidas", prefix="tabel") == "doacoes_recebidas"
    assert mapping.unique_name("a", {"a", "a_2"}) == "a_3"


def test_formats(birmingham, swiss):
    formats = {mapping.resource_format(r) for p in birmingham for r in p["resources"]}
    assert formats == {None}  # XLS (and XLS behind an empty format string): not harvested
    assert [mapping.format_label(r) for r in swiss["resources"]][:2] == ["PDF", "HTML"]
    assert mapping.resource_format({"format": "", "url": "https://x/y/data.CSV"}) == "csv"
    assert mapping.resource_format({"format": ".xlsx"}) == "xlsx"
    assert mapping.resource_format({"format": "JSON"}) == "json"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("kode_wilayah", True),
        ("kode", True),
        ("id", True),
        ("id_desa", True),
        ("nik", True),
        ("npwp", True),
        ("kecamatan_id", True),
        ("idr_total", False),
        ("jumlah", False),
    ],
)
def test_code_columns(name, code):
    assert mapping.is_code_column(name) is code


def test_infer_semicolon_csv_with_decimal_comma(realdata):
    path = realdata / "ckan/frictionless_mg_doacoes_covid19/data/doacoes-entrada.csv"
    shape = infer_resource(path, "csv", "doacoes")
    assert shape.options == {"delimiter": ";", "encoding": "utf-8-sig"}
    assert shape.columns["VALOR_UNITARIO"] == "valor_unitario"
    types = {f["name"]: f["type"] for f in shape.fields}
    assert types["item"] == "integer"
    assert types["data_doacao"] == "date"
    assert types["valor_unitario"] == "number"  # "0,1": frictionless alone says string
    assert types["cnpj_doador"] == "string"
    assert types["quantidade"] == "string"  # the file has "1e+05": our parser refuses it
    assert shape.rows == 205
    field = next(f for f in shape.fields if f["name"] == "valor_unitario")
    assert field["title"] == "VALOR_UNITARIO"
    assert (
        "perlu ditinjau" in field["description"]
        and "review" in field["jendela"]["en"]["description"]
    )


def test_infer_title_rows_and_rupiah(realdata):
    path = realdata / "budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv"
    shape = infer_resource(path, "csv", "realisasi")
    assert shape.options["skip_rows"] == 2  # a title line and a blank line above the header
    fields = {f["name"]: f for f in shape.fields}
    assert list(fields) == ["jenis_belanja", "kolom_2021", "kolom_2022"]
    assert fields["kolom_2021"]["type"] == "integer"
    assert fields["kolom_2021"]["jendela"]["parse"] == "rupiah"  # "Rp847.542.209.097"


def test_infer_xlsx_and_json(realdata):
    shape = infer_resource(realdata / "messy/odj_garis_kemiskinan_provinsi.xlsx", "xlsx", "x")
    assert [(f["name"], f["type"]) for f in shape.fields] == [
        ("tahun", "integer"),
        ("garis_kemiskinan", "integer"),
    ]
    path = realdata / "regions/emsifa_static_api_kota_bogor/districts/3271.json"
    shape = infer_resource(path, "json", "x")
    types = {f["name"]: f["type"] for f in shape.fields}
    assert types == {"id": "string", "regency_id": "string", "name": "string"}  # codes stay text


def test_infer_never_turns_codes_into_numbers(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(
        "kode_wilayah,kode_pos,nomor_urut,jumlah,nilai\n"
        "32.71,01610,007,1.234,12.5\n32.10,16111,012,2.000,1.250\n"
    )
    shape = infer_resource(path, "csv", "codes")
    fields = {f["name"]: f for f in shape.fields}
    assert fields["kode_wilayah"]["type"] == "string"
    assert "parse" not in fields["kode_wilayah"]["jendela"]  # region_code fits: the default
    assert fields["kode_pos"]["type"] == "string"
    assert fields["nomor_urut"]["type"] == "string"  # leading zeros
    assert fields["jumlah"]["type"] == "integer"  # "1.234": Indonesian thousands
    assert fields["nilai"]["type"] == "string"  # "12.5" beside "1.250": ambiguous, for review
    assert any("nilai" in w for w in shape.warnings)


def test_infer_invalid_json_names_the_cause(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"data": [{"a": 1},')
    with pytest.raises(PortalError) as caught:
        infer_resource(path, "json", "bad")
    assert caught.value.kind == "invalid-json"
    assert "not valid JSON" in caught.value.message


def test_infer_a_pandas_export_keeps_its_first_row(tmp_path):
    # DataFrame.to_csv() writes the index under an empty header cell: the header has one
    # non-empty cell less than the rows below it, yet it is the header.
    path = tmp_path / "export.csv"
    path.write_text(",nama,nilai\n0,Budi,10\n1,Sari,20\n2,Tono,30\n")
    shape = infer_resource(path, "csv", "datasets/x/data/export.csv")
    assert "skip_rows" not in shape.options
    assert shape.rows == 3  # no row taken for the header
    assert [f["name"] for f in shape.fields][1:] == ["nama", "nilai"]


def test_infer_one_longer_row_does_not_become_the_header(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["nama", "nilai"], ["Budi", 10], ["Sari", 20], ["Tono", 30, "lihat catatan"]):
        book.active.append(row)
    path = tmp_path / "nilai.xlsx"
    book.save(path)
    shape = infer_resource(path, "xlsx", "datasets/x/data/nilai.xlsx")
    assert "skip_rows" not in shape.options  # was 3: the last row as header, "no rows"
    assert [f["name"] for f in shape.fields][:2] == ["nama", "nilai"]
    assert shape.rows == 3

    # In a CSV the longer line cannot be read at all: said so, with its line, not "no rows".
    path = tmp_path / "nilai.csv"
    path.write_text("nama,nilai\nBudi,10\nSari,20\nTono,30,lihat catatan\n")
    with pytest.raises(PortalError) as caught:
        infer_resource(path, "csv", "datasets/x/data/nilai.csv")
    assert caught.value.kind == "unreadable"
    assert "line 4" in caught.value.message
    assert caught.value.message.startswith("datasets/x/data/nilai.csv: ")


def test_infer_an_undecodable_csv_gives_harvest_advice(tmp_path):
    # UTF-8 as far as frictionless guesses the encoding from, then one cp1252 "é" (byte 0xe9)
    path = tmp_path / ".download-x1y2.csv"  # the name a download has before it is saved
    head = "nama;nilai\n" + "Budi;10\n" * 50_000
    path.write_bytes(head.encode() + b"Andr\xe9;20\n")
    with pytest.raises(PortalError) as caught:
        infer_resource(path, "csv", "datasets/x/data/nilai.csv")
    message = caught.value.message
    assert message.startswith("datasets/x/data/nilai.csv: ")
    assert (
        f"byte {len(head) + 4}" in message
        and "check the file and its format on the portal" in message
    )
    assert ".download-" not in message and "descriptor" not in message
