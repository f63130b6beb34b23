"""Issue 12 item 1: the personal-data gate (pipelines/core/personal_data.py,
pipelines/checks/personal_data.py), on a seeded corpus, in a build and in a CKAN harvest.

The corpus states by hand what each value is, including values a naive regex gets wrong: a
16-digit contract number that is no NIK, a budget figure that looks like a phone, a company's
NPWP beside a person's.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from conftest import ROOT, publish_in
from dataset_factory import add_dataset, field

from pipelines.core.personal_data import find_in_column, find_in_frame, is_nik, mask
from pipelines.core.release import current_release

# value -> the kinds it is (empty: not personal data), read as a text column named "isi".
CORPUS = {
    # NIK: region 32.71.01, born 05-08-1990 (a woman: day + 40), serial 0001
    "3271014508900001": {"nik"},
    "3578010101800002": {"nik"},  # Surabaya, man born 01-01-1980
    "9171052902000003": {"nik"},  # 29 February (2000 was leap)
    "3273012345678901": set(),  # 16-digit contract number: month 45
    "1234567890123456": set(),  # day 78
    "0071014508900001": set(),  # province 00
    "3271003108900001": set(),  # kecamatan 00
    "3271013102900001": set(),  # 31 February
    "3271014508900000": set(),  # serial 0000
    "327101450890001": set(),  # 15 digits
    "3271 0145 0890 0001": {"nik"},  # written in groups: separators are not part of it
    "3271-014508-900001": {"nik"},
    # phones
    "0812-3456-7890": {"phone"},
    "+62 812 3456 7890": {"phone"},
    "6281234567890": {"phone"},
    "(022) 4234567": {"phone"},
    "021-5551234": {"phone"},
    "+62 21 5551 234": {"phone"},
    "0251.832.1234": {"phone"},
    "Hubungi Bu Ani 0813 1111 2222 (WA)": {"phone"},
    "62.812.345.678": set(),  # a figure with thousand dots
    "Rp 62.812.345.678,00 untuk 2 paket": set(),
    "62500000000": set(),  # bare 62 + a landline-shaped rest: a figure
    "5.1.02.01.01.0001": set(),  # kode rekening
    "0123456789": set(),  # starts 01: neither mobile nor an area code
    "2.554.770.000.000": set(),
    "32.71.01.1001": set(),  # region code
    # e-mail
    "budi.santoso@contoh.co.id": {"email"},
    "Kirim ke ppid@kotabogor.go.id sebelum Senin": {"email"},
    "budi at contoh dot com": set(),
    # NPWP: person (first digits 09) vs company (01)
    "09.254.294.3-407.000": {"npwp"},
    "01.234.567.8-901.000": set(),
    "00.123.456.7-890.000": set(),  # bendahara
    "Belanja Modal Pengadaan Server 2024": set(),
}


@pytest.mark.parametrize(("value", "kinds"), CORPUS.items())
def test_corpus_by_value(value, kinds):
    found = find_in_column("isi", pd.Series([value], dtype="string"))
    assert {f.kind for f in found} == kinds
    assert all(f.example != value for f in found)  # never the full value


def test_numbers_are_not_phones_but_can_be_niks():
    amounts = pd.Series(["628123456700", "6281234567890", "3271014508900001"], dtype="string")
    found = find_in_column("anggaran_rp", amounts, text=False)
    assert [(f.kind, f.count) for f in found] == [("nik", 1)]


@pytest.mark.parametrize(
    ("column", "values", "kinds"),
    [
        ("nik", ["?", None], {"nik"}),  # named: whatever the cells look like
        ("no_hp_pemilik", ["-"], {"phone"}),
        ("email", ["x"], {"email"}),
        ("nik", [None, ""], set()),  # named but empty
        ("npwp", ["012345678901000"], set()),  # a company's NPWP, bare digits
        ("npwp", ["012345678901000", "092542943407000"], {"npwp"}),
        ("nilai_hps_rp", ["123"], set()),  # "hps" is not "hp"
        ("nama_paket", ["x"], set()),
    ],
)
def test_corpus_by_name(column, values, kinds):
    found = find_in_column(column, pd.Series(values, dtype="string"))
    assert {f.kind for f in found} == kinds


def test_mask_and_nik_rules():
    assert mask("3271014508900001") == "32************01"
    assert is_nik("3271017108900001")  # day 31 + 40
    assert not is_nik("3271017208900001")  # day 32 + 40


NIKS = ["3271014508900001", "3271010101850002", "3271016512990003"]
PHONES = ["0812-3456-7890", "+62 857 1111 2222", "(0251) 8321234"]
SOURCE = "kode_paket,nik,kontak,anggaran_rp,kode_rekening\n" + "".join(
    f"327301234567890{i},{nik},{phone},62812345670{i},5.1.02.01.01.000{i}\n"
    for i, (nik, phone) in enumerate(zip(NIKS, PHONES, strict=True), start=1)
)


def personal_dataset(project, *, nik=True, public_phone=False, on_error="fail"):
    telepon = field("kontak")
    if public_phone:
        telepon["jendela"]["personal_data"] = {
            "public": True,
            "reason": "Nomor telepon resmi kantor satuan kerja, diumumkan di situs LPSE",
        }
    fields = [
        field("kode_paket"),
        *([field("nik")] if nik else []),
        telepon,
        field("anggaran_rp", "integer"),
        field("kode_rekening"),
    ]
    add_dataset(
        project, "uji-pribadi", {"data/pribadi.csv": SOURCE}, fields,
        resource={"on_error": on_error, "fts": ["kontak"]},
    )  # fmt: skip


@pytest.fixture
def project(tmp_path):
    (tmp_path / "datasets").mkdir()
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    return tmp_path


def everything_written(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.parametrize("on_error", ["fail", "quarantine"])
def test_a_table_with_nik_and_phones_fails_and_publishes_none_of_them(project, on_error):
    personal_dataset(project, on_error=on_error)
    output = project / "build"
    result = publish_in(project, "build", "--output", str(output))
    assert result.returncode == 1, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert "GAGAL/FAILED uji-pribadi" in text
    release = current_release(output)
    report = (release / "reports" / "uji-pribadi" / "uji_pribadi.json").read_text()
    for message in (text, report):
        assert (
            "kolom nik memuat data pribadi (NIK (nomor induk kependudukan), menurut nama"
            in (message)
            or "column nik holds personal data" in message
        )
    assert (
        "column nik holds personal data (NIK (national identity number), by its name): 3 cells"
        in report
    )
    assert "column kontak holds personal data (phone number, by its values): 3 cells" in report
    # The near-misses are not named: contract numbers, budget figures, kode rekening.
    for column in ("kode_paket", "anggaran_rp", "kode_rekening"):
        assert f"column {column} " not in report
    written = everything_written(release) + text.encode()
    for value in NIKS + PHONES:
        assert value.encode() not in written


def test_a_column_declared_public_is_published(project):
    personal_dataset(project, nik=False, public_phone=True)
    output = project / "build"
    result = publish_in(project, "build", "--quiet", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    import sqlite3

    with sqlite3.connect(current_release(output) / "jendela.db") as conn:
        phones = [r[0] for r in conn.execute("select kontak from uji_pribadi order by rowid")]
        assert phones == PHONES
        columns = [r[1] for r in conn.execute("pragma table_info(uji_pribadi)")]
    assert "nik" not in columns
    # A later build with the NIK column fails and keeps the published release as it was.
    personal_dataset(project, nik=True, public_phone=True)
    again = publish_in(project, "build", "--output", str(output))
    assert again.returncode == 1
    assert "nik" in again.stdout and "3 sel" in again.stdout
    assert "kontak holds" not in again.stdout
    assert b"3271014508900001" not in everything_written(current_release(output))


def test_a_public_declaration_needs_a_reason(project):
    personal_dataset(project, public_phone=True)
    path = project / "datasets" / "uji-pribadi" / "datapackage.yaml"
    descriptor = yaml.safe_load(path.read_text())
    del descriptor["resources"][0]["schema"]["fields"][2]["jendela"]["personal_data"]["reason"]
    path.write_text(yaml.safe_dump(descriptor, allow_unicode=True))
    result = publish_in(project, "validate", "uji-pribadi")
    assert result.returncode == 2
    assert "personal_data" in result.stdout + result.stderr
    assert "'reason' is a required property" in result.stdout + result.stderr


def test_harvest_refuses_a_table_with_personal_data(project, realdata):
    from ckan_replay import ReplayPortal, run

    rows = "Jenis Belanja,Nilai,No HP Pejabat\n" + "".join(
        f"Belanja {i},{i}000000,{phone}\n" for i, phone in enumerate(PHONES, start=1)
    )
    with ReplayPortal(realdata) as portal:
        portal.replace_file("realisasi-apbd-tangsel", "realisasi.csv", rows.encode())
        report = run(project, portal, tag="apbd")
    failed = next(o for o in report.outcomes if o.id == "realisasi-apbd-tangsel")
    assert failed.status == "failed" and failed.error["kind"] == "personal-data"
    assert "column no_hp_pejabat holds personal data (phone number, by its name): 3 cells, " in (
        failed.message
    )
    assert "the first in row 2" in failed.message
    assert report.exit_code == 1
    assert not (project / "datasets" / "realisasi-apbd-tangsel").exists()
    assert not any(phone in failed.message for phone in PHONES)


def test_findings_across_chunks_name_the_first_source_row_and_count_every_cell(
    tmp_path, monkeypatch
):
    """Three-row chunks; the first NIK sits in the second chunk, more follow in the third and
    fourth, so the first row is carried over from a later chunk and counts add across chunks."""
    from pipelines.checks.personal_data import personal_data
    from pipelines.core.chunks import ENV
    from pipelines.core.errors import RowMap
    from pipelines.core.model import Resource

    monkeypatch.setenv(ENV, "3")
    nik, phone = "3271014508900001", "0812-3456-7890"
    cells = ["a", "b", "c", "d", nik, "e", nik, phone, "f", "g", nik]  # staging rows 0..10
    staging = tmp_path / "staging.csv"
    staging.write_text("isi\n" + "\n".join(cells) + "\n", encoding="utf-8")
    rows_from = RowMap()
    rows_from.add("sumber.csv", [100 + i for i in range(len(cells))])  # source rows 100..110
    resource = Resource("uji", "contoh", {"schema": {"fields": [{"name": "isi"}]}}, tmp_path)
    issues = personal_data(resource=resource, staging=staging, rows_from=rows_from)
    found = {i.extra["kind"]: (i.row, i.extra["count"], i.file, i.column) for i in issues}
    assert found == {
        "nik": (104, 3, "sumber.csv", "isi"),  # staging rows 4, 6 and 10
        "phone": (107, 1, "sumber.csv", "isi"),  # staging row 7, first cell of chunk 3
    }


def test_columns_checked_together_find_what_each_column_alone_finds():
    """The gate passes a chunk's columns through together (find_in_frame): the same values mean
    different things in a text column, a number column and a column named npwp, so each
    column's findings are those it has alone, worked out by hand below."""
    values = ["092542943407000", "628123456700", "3271014508900001", "budi@contoh.go.id", None]
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype="string") for name in ("isi", "nilai_rp", "npwp", "kode")}
    )
    texts = {"isi": True, "nilai_rp": False, "npwp": True, "kode": True}
    together = find_in_frame(frame, texts)
    alone = {name: find_in_column(name, frame[name], text) for name, text in texts.items()}
    assert together == alone
    kinds = {name: {(f.kind, f.count, f.first) for f in found} for name, found in together.items()}
    # 628123456700 is a mobile number written as text, a figure in a number column; bare 15
    # digits are an NPWP only in a column named for it; a NIK is one everywhere
    assert kinds["isi"] == {("phone", 1, 1), ("nik", 1, 2), ("email", 1, 3)}
    assert kinds["kode"] == kinds["isi"]
    assert kinds["nilai_rp"] == {("nik", 1, 2)}
    assert kinds["npwp"] == {("npwp", 1, 0), ("phone", 1, 1), ("nik", 1, 2), ("email", 1, 3)}
    assert list(together) == list(texts)  # in the columns' order


def test_text_that_looks_missing_is_read_as_written_by_the_gate(tmp_path):
    """A column named for phones holding "NA" and "null": cells with text, so by its name it
    holds personal data (two cells, the first at source row 2); pandas' default missing-value
    words would have hidden both (the gate reads the staging file with keep_default_na=False)."""
    from pipelines.checks.personal_data import personal_data
    from pipelines.core.errors import RowMap
    from pipelines.core.model import Resource

    staging = tmp_path / "staging.csv"
    staging.write_text("no_hp\nNA\n\nnull\n", encoding="utf-8")
    rows_from = RowMap()
    rows_from.add("sumber.csv", [2, 3, 4])
    rows_from.freeze()
    resource = Resource("uji", "contoh", {"schema": {"fields": [{"name": "no_hp"}]}}, tmp_path)
    [issue] = personal_data(resource=resource, staging=staging, rows_from=rows_from)
    assert (issue.extra["kind"], issue.extra["count"], issue.row) == ("phone", 2, 2)


def test_a_row_too_long_for_the_read_blocks_is_scanned_whole_and_so_are_the_rows_after(tmp_path):
    """The gate reads the staging file in 256 KB blocks (core/chunks.py), a row fitting in two:
    a 3 MB cell makes it read again with large blocks. The NIK before it, the phone inside it
    and the NIK after it are all found, at their own rows, and counted once."""
    from pipelines.checks.personal_data import personal_data
    from pipelines.core.errors import RowMap
    from pipelines.core.model import Resource

    nik, phone = "3271014508900001", "0812-3456-7890"
    long = "x" * (3 << 20)
    rows = [("a", "1"), (nik, "2"), (long, phone), ("b", "4"), (nik, "5")]
    staging = tmp_path / "staging.csv"
    staging.write_text("isi,catatan\n" + "".join(f"{a},{b}\n" for a, b in rows), encoding="utf-8")
    rows_from = RowMap()
    rows_from.add("sumber.csv", [2, 3, 4, 5, 6])
    rows_from.freeze()
    schema = {"fields": [{"name": "isi"}, {"name": "catatan"}]}
    resource = Resource("uji", "contoh", {"schema": schema}, tmp_path)
    issues = personal_data(resource=resource, staging=staging, rows_from=rows_from)
    found = {(i.column, i.extra["kind"]): (i.row, i.extra["count"]) for i in issues}
    assert found == {("isi", "nik"): (3, 2), ("catatan", "phone"): (4, 1)}


def test_personal_data_in_the_source_text_an_issue_carries_is_never_published(project):
    """Text that never reaches the table can reach the reports, the build's output and the
    quarantine file through an Issue: the source text of a cell that failed to parse, the raw
    line of a row the reader could not split. The gate reads that text too: the table fails
    (it is not quarantined), and the text is masked wherever the Issue is written."""
    source = (
        "kode_paket,anggaran_rp,uraian\n"
        "P1,1000,Jalan\n"
        f"P2,{PHONES[0]},Jembatan\n"  # a phone number in a number column: it fails to parse
        f"P3,3000,Gedung,{NIKS[0]}\n"  # a cell more than the header: the line is kept raw
        "P4,4000,Taman\n"
    )
    fields = [field("kode_paket"), field("anggaran_rp", "integer"), field("uraian")]
    add_dataset(
        project, "uji-teks", {"data/teks.csv": source}, fields,
        resource={"on_error": "quarantine"},
    )  # fmt: skip
    output = project / "build"
    result = publish_in(project, "build", "--output", str(output))
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    release = current_release(output)
    report = (release / "reports" / "uji-teks" / "uji_teks.json").read_text()
    assert "holds personal data" in report
    assert "holds personal data (phone number; masked example" in report  # the kind, named
    assert "holds personal data (NIK (national identity number); masked example" in report
    assert not list(release.rglob("*.quarantine.csv"))
    written = everything_written(release) + text.encode()
    for value in (PHONES[0], NIKS[0]):
        assert value.encode() not in written
        assert mask(value).encode() in report.encode()  # the Issues are still there, masked


def test_source_text_in_a_column_declared_public_is_left_as_it_is(project):
    """The declaration that publishes a column's values covers the text its Issues carry."""
    from pipelines.checks.personal_data import personal_data_in_source_text
    from pipelines.core.errors import Issue
    from pipelines.core.issue_types import PARSE_ERROR
    from pipelines.core.registry import load_catalog

    personal_dataset(project, nik=False, public_phone=True)
    resource = load_catalog(project / "datasets").datasets["uji-pribadi"].resource("uji_pribadi")

    def parse_error(column: str, value: str) -> Issue:
        return Issue(dataset="uji-pribadi", resource="uji_pribadi", type=PARSE_ERROR,
                     message=f"'{value}' bukan angka / is not a number", file="pribadi.csv",
                     row=2, column=column, value=value)  # fmt: skip

    public, private = parse_error("kontak", PHONES[1]), parse_error("anggaran_rp", PHONES[2])
    # A raw line reported for its missing public cell: the line's other cells are not public.
    line = f"P9,{NIKS[0]}"
    ragged = [
        Issue(dataset="uji-pribadi", resource="uji_pribadi", type="missing-cell",
              message="baris ini punya 2 sel / this row has 2 cells", file="pribadi.csv", row=5,
              column=column, value=line, extra={"line_text": True})
        for column in ("kontak", "kode_rekening")
    ]  # fmt: skip
    kept, failing = personal_data_in_source_text(resource, [public, private, *ragged])
    assert kept[0] == public
    assert kept[1].value == mask(PHONES[2]) and PHONES[2] not in kept[1].message
    assert [i.value for i in kept[2:]] == [f"P9,{mask(NIKS[0])}"] * 2
    assert [(i.type, i.row, i.column, i.extra) for i in failing] == [
        ("personal-data", 2, "anggaran_rp", {"whole_table": True, "kind": "phone"}),
        ("personal-data", 5, "kontak", {"whole_table": True, "kind": "nik"}),  # once per line
    ]
