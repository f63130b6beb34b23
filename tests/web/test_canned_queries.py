"""Every canned query of datasette.yaml, run through a real `publish.py serve` on the default
build, against figures computed here from the source snapshots with small parsers of our own
(DJPK CSV in miliar Rupiah, the Kemendagri population dump, the raw SPSE DataTables JSON, the
BIRMS SiRUP dump). A query without a test here fails `test_every_canned_query_is_checked`.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import httpx
import pytest
import yaml
from conftest import REAL_CATALOG, ROOT

SOURCES = REAL_CATALOG


def config_queries() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / "datasette.yaml").read_text(encoding="utf-8"))
    return config["databases"]["jendela"]["queries"]


# --- own parsers of the source snapshots --------------------------------------------------------


@cache
def region_names() -> dict[str, str]:
    text = gzip.decompress(
        (SOURCES / "wilayah-kemendagri" / "source" / "wilayah.sql.gz").read_bytes()
    ).decode("utf-8")
    return {c: n.strip() for c, n in re.findall(r"\('(\d\d(?:\.\d\d)?)','([^']*)'\)", text)}


def miliar(text: str) -> int | None:
    """DJPK writes miliar Rupiah with two decimals: `2554.77` -> 2,554,770,000,000."""
    return int(Decimal(text) * 1_000_000_000) if text.strip() else None


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


DJPK = SOURCES / "apbd-djpk" / "source" / "djpk_apbd_jatim"


# The account lines at the top of every APBD (the structure of Permendagri 77/2020).
LEVEL_ONE = ("Pendapatan Daerah", "Belanja Daerah", "Surplus/(Defisit)", "Pembiayaan Daerah")


@cache
def djpk_level_one() -> dict[tuple[str, int], list[tuple[str, int, int]]]:
    """(file stem, year) -> the top account lines (akun, anggaran, realisasi) of each 2021 DJPK
    CSV, in file order (2021 files write plain miliar; later years use another layout)."""
    found = {}
    for path in sorted(DJPK.glob("2021/*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            lines = [
                (r["akun"].strip(), miliar(r["anggaran"]), miliar(r["realisasi"]))
                for r in csv.DictReader(handle)
                if r["akun"].strip() in LEVEL_ONE
            ]
        found[(path.stem, int(path.parent.name))] = lines
    return found


@cache
def population() -> tuple[dict[str, tuple[str, int, int, int]], int, str]:
    """code -> (name, male, female, total) of the Kemendagri dump, its year and its decree."""
    text = (
        SOURCES / "penduduk-kemendagri" / "source" / "kemendagri_2025_wilayah_penduduk.sql"
    ).read_text(encoding="utf-8")
    decree, year = re.search(r"Kepmendagri\s+No\.?\s+([\d.\-]+)\s+Tahun\s+(\d{4})", text).groups()
    rows = re.findall(r"\('(\d\d(?:\.\d\d)?)','([^']*)','(\d+)','(\d+)','(\d+)'\)", text)
    table = {code: (name, int(m), int(f), int(t)) for code, name, m, f, t in rows}
    return table, int(year), decree


@cache
def tenders() -> list[dict]:
    """Rows of the raw SPSE DataTables dump: code, HPS ("22,1 M"), contract ("Rp 1.234,00")."""
    path = next((SOURCES / "tender-spse" / "source").glob("*.json.gz"))
    data = json.loads(gzip.decompress(path.read_bytes()))["data"]
    rows = []
    for cells in data:
        contract = cells[10]
        rows.append(
            {
                "kode_tender": cells[0],
                "hps_rp": abbreviated(cells[4]),
                "nilai_kontrak_rp": None
                if contract == "Nilai Kontrak belum dibuat"
                else int(contract.removeprefix("Rp ").split(",")[0].replace(".", "")),
                "tahun_anggaran": int(re.search(r"TA (\d{4})", cells[8]).group(1)),
            }
        )
    return rows


def abbreviated(text: str) -> int:
    """SPSE's rounded amounts: `22,1 M` (miliar), `325 Jt` (juta), `1.000 Jt` ('.' groups)."""
    number, unit = text.split()
    factor = {"M": 1_000_000_000, "Jt": 1_000_000}[unit]
    return int(Decimal(number.replace(".", "").replace(",", ".")) * factor)


@cache
def sirup_plans() -> list[list[str]]:
    """Value tuples of the BIRMS dump, one per line: `\t(3687636,'Belanja ...',900000,...),`."""
    text = gzip.decompress(
        (SOURCES / "rup-sirup" / "source" / "bandung_birms_sirup_2015_planning.sql.gz").read_bytes()
    ).decode("utf-8")
    rows = []
    for line in text.splitlines():
        if line.startswith("\t("):
            body = line.strip()[1:].rstrip(",;").removesuffix(")")
            rows.append(next(csv.reader([body], quotechar="'", escapechar="\\")))
    return rows


# --- the server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(real_server):
    with httpx.Client(base_url=real_server.url, timeout=30) as http:
        yield http


def run(client, name: str, **params) -> list[dict]:
    """A canned query's rows; a query past Datasette's time limit answers an error, not 200.
    (Speed is measured by hand, never asserted: see the note on the canned queries.)"""
    response = client.get(f"/jendela/{name}.json", params={"_shape": "array", **params})
    assert response.status_code == 200, response.text
    return response.json()


CHECKED: dict[str, str] = {}


def checks(name: str):
    """Register a test as the check of canned query `name`."""

    def register(test):
        CHECKED[name] = test.__name__
        return test

    return register


def test_every_canned_query_is_checked():
    assert set(config_queries()) == set(CHECKED)


def test_every_canned_query_is_described_in_both_languages():
    for name, query in config_queries().items():
        for key in ("title", "description"):
            indonesian, _, english = query[key].partition(" / ")
            assert indonesian.strip() and english.strip(), (name, key)
        for param in query.get("params", []):
            assert f"`{param}`" in query["description"], (name, param)


# --- one test per query -------------------------------------------------------------------------


@checks("realisasi_apbd")
def test_budget_realisation_rate_of_kota_malang_2021(client):
    expected = [
        (akun, budget, actual, round(100 * actual / budget, 2) if budget else None)
        for akun, budget, actual in djpk_level_one()[("Kota_Malang", 2021)]
    ]
    rows = run(client, "realisasi_apbd", wilayah="Malang", tahun="2021")
    malang = [r for r in rows if r["kode_wilayah"] == "35.73"]
    got = [(r["akun"], r["anggaran_rp"], r["realisasi_rp"], r["realisasi_pct"]) for r in malang]
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for g, e in zip(got, expected, strict=True):  # a deficit's rate, too, as DJPK gives it
        assert g[3] == e[3] or abs(g[3] - e[3]) <= 0.01, (g, e)
    assert ("Belanja Daerah", 2_554_770_000_000) in [(g[0], g[1]) for g in got]
    assert {r["nama_wilayah"] for r in malang} == {region_names()["35.73"]}
    # "Malang" finds Kota and Kabupaten Malang, nothing else.
    assert {r["kode_wilayah"] for r in rows} == {"35.07", "35.73"}
    every = run(client, "realisasi_apbd", tahun="2021")
    assert len(every) == sum(len(lines) for lines in djpk_level_one().values()) == 38 * 4


@checks("belanja_per_penduduk")
def test_spending_per_resident_states_the_population_year(client):
    table, year, decree = population()
    name, _, _, residents = table["35.73"]
    budget, actual = next(
        (b, a) for akun, b, a in djpk_level_one()[("Kota_Malang", 2021)] if akun == "Belanja Daerah"
    )
    rows = run(client, "belanja_per_penduduk", wilayah="35.73", tahun="2021")
    assert rows == [
        {
            "kode_wilayah": "35.73",
            "nama_wilayah": name,
            "nama_provinsi": region_names()["35"],
            "tahun": 2021,
            "belanja_anggaran_rp": budget,
            "belanja_realisasi_rp": actual,
            "jumlah_penduduk": residents,
            "tahun_penduduk": year,
            "sumber_penduduk": rows[0]["sumber_penduduk"],
            "anggaran_per_penduduk_rp": half_up(Decimal(budget) / residents),
            "realisasi_per_penduduk_rp": half_up(Decimal(actual) / residents),
        }
    ]
    assert budget == 2_554_770_000_000 and year == 2025
    assert decree in rows[0]["sumber_penduduk"] and str(year) in rows[0]["sumber_penduduk"]
    every = run(client, "belanja_per_penduduk")
    spending = 0  # budgets (one file per region and year) that have a Belanja Daerah line
    for path in DJPK.glob("*/*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            spending += any(r["akun"].strip() == "Belanja Daerah" for r in csv.DictReader(handle))
    assert len(every) == spending and {r["tahun_penduduk"] for r in every} == {year}


@checks("kontrak_terbesar")
def test_largest_contracts(client):
    contracts = sorted(
        (t for t in tenders() if t["nilai_kontrak_rp"] is not None),
        key=lambda t: (-t["nilai_kontrak_rp"], t["kode_tender"]),
    )
    rows = run(client, "kontrak_terbesar", batas="5")
    assert [(r["kode_tender"], r["nilai_kontrak_rp"], r["hps_rp"]) for r in rows] == [
        (t["kode_tender"], t["nilai_kontrak_rp"], t["hps_rp"]) for t in contracts[:5]
    ]
    assert {r["nama_wilayah"] for r in rows} == {region_names()["32.73"]}
    in_2016 = [t for t in contracts if t["tahun_anggaran"] == 2016]
    rows = run(client, "kontrak_terbesar", tahun="2016", batas="")
    assert [r["kode_tender"] for r in rows] == [t["kode_tender"] for t in in_2016[:20]]


@checks("tender_terbesar")
def test_tenders_with_the_largest_estimate(client):
    ranked = sorted(tenders(), key=lambda t: (-t["hps_rp"], t["kode_tender"]))
    rows = run(client, "tender_terbesar", batas="10")
    assert [(r["kode_tender"], r["hps_rp"]) for r in rows] == [
        (t["kode_tender"], t["hps_rp"]) for t in ranked[:10]
    ]
    assert len(run(client, "tender_terbesar")) == 20


@checks("penduduk_per_wilayah")
def test_population_by_region_and_sex(client):
    table, year, _ = population()
    rows = run(client, "penduduk_per_wilayah", wilayah="32.71")
    assert [
        (r["nama_wilayah"], r["tahun"], r["laki_laki"], r["perempuan"], r["jumlah_penduduk"])
        for r in rows
    ] == [("Kota Bogor", year, 578_674, 565_434, 1_144_108)]
    assert table["32.71"][1:] == (578_674, 565_434, 1_144_108)
    assert rows[0]["rasio_jenis_kelamin"] == round(100 * 578_674 / 565_434, 1)
    west_java = run(client, "penduduk_per_wilayah", provinsi="Jawa Barat")
    expected = {c: v[3] for c, v in table.items() if c.startswith("32.")}
    assert {r["kode_wilayah"]: r["jumlah_penduduk"] for r in west_java} == expected
    provinces = run(client, "penduduk_per_wilayah", tingkat="provinsi")
    assert {r["kode_wilayah"]: r["jumlah_penduduk"] for r in provinces} == {
        c: v[3] for c, v in table.items() if "." not in c
    }


@checks("rup_per_metode")
def test_procurement_plans_by_method(client):
    by_method: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in sirup_plans():
        if row[12] == "Pemerintah Daerah Kota Bandung":  # instansi.csv: the one region, 32.73
            by_method[row[6]][0] += 1
            by_method[row[6]][1] += int(row[2])
    total = sum(pagu for _, pagu in by_method.values())
    rows = run(client, "rup_per_metode", tahun="2015")
    got = {r["kode_metode_pengadaan"]: (r["jumlah_paket"], r["pagu_rp"]) for r in rows}
    assert got == {method: tuple(v) for method, v in by_method.items()}
    for r in rows:
        assert abs(r["bagian_pagu_pct"] - 100 * r["pagu_rp"] / total) <= 0.01
        assert (r["kode_wilayah"], r["nama_wilayah"]) == ("32.73", region_names()["32.73"])
    assert [r["pagu_rp"] for r in rows] == sorted((r["pagu_rp"] for r in rows), reverse=True)


def hps_band(text: str) -> tuple[Decimal, Decimal]:
    """SPSE shows HPS to one decimal of Jt or M (dropping ",0"): `1,2 M` -> [1,15 M, 1,25 M)."""
    number, unit = text.split()
    half = Decimal({"M": 1_000_000_000, "Jt": 1_000_000}[unit]) / 20
    shown = Decimal(abbreviated(text))
    return max(shown - half, Decimal(0)), shown + half


@cache
def raw_tender_cells() -> list[list]:
    path = next((SOURCES / "tender-spse" / "source").glob("*.json.gz"))
    return json.loads(gzip.decompress(path.read_bytes()))["data"]


@checks("kontrak_di_atas_hps")
def test_contracts_above_the_estimate_certain_or_possible(client):
    expected = {}
    for cells, tender in zip(raw_tender_cells(), tenders(), strict=True):
        value = tender["nilai_kontrak_rp"]
        if value is not None:
            low, high = hps_band(cells[4])
            if value >= high:
                expected[tender["kode_tender"]] = ("ditandai", int(low), int(high))
            elif low < value < high:
                expected[tender["kode_tender"]] = ("mungkin", int(low), int(high))
    rows = run(client, "kontrak_di_atas_hps")
    got = {
        r["kode_tender"]: (r["hasil"], r["hps_batas_bawah_rp"], r["hps_batas_atas_rp"])
        for r in rows
    }
    assert got == expected and len(expected) == 12
    certain = run(client, "kontrak_di_atas_hps", hasil="ditandai")
    assert [r["kode_tender"] for r in certain] == ["1033260", "158260"]  # ratio 896 first
    assert "likely data error" in certain[0]["catatan"] and certain[1]["catatan"] is None
    in_2013 = run(client, "kontrak_di_atas_hps", tahun="2013")
    assert {r["kode_tender"] for r in in_2013} == {
        t["kode_tender"] for t in tenders() if t["tahun_anggaran"] == 2013
    } & set(expected)


@checks("tanda_bahaya_terbanyak")
def test_packages_with_the_most_red_flags(client):
    """Flags this test can see in the raw SPSE list: above HPS for certain, ten times HPS or
    more, a re-tender label in the name, a restricted method."""
    restricted = {"Lelang Terbatas", "Penunjukan Langsung", "Pengadaan Langsung"}
    seen: dict[str, set[str]] = defaultdict(set)
    for cells, tender in zip(raw_tender_cells(), tenders(), strict=True):
        code, value = tender["kode_tender"], tender["nilai_kontrak_rp"]
        if value is not None:
            _, high = hps_band(cells[4])
            if value >= high:
                seen[code].add("kontrak_di_atas_hps")
            if value >= 10 * high:
                seen[code].add("nilai_kontrak_tidak_wajar")
        if "Tender Ulang" in cells[1] or "Seleksi Ulang" in cells[1]:
            seen[code].add("tender_ulang")
        if cells[6] in restricted:
            seen[code].add("metode_tidak_kompetitif")
    rows = run(client, "tanda_bahaya_terbanyak", sumber="tender_spse", batas="5000")
    listed = {r["kode_paket"]: set(json.loads(r["tanda_bahaya"])) for r in rows}
    for code, found in seen.items():
        assert found <= listed[code], code
    assert {r["sumber_tabel"] for r in rows} == {"tender_spse"}
    ranks = [(r["jumlah_ditandai"], r["jumlah_mungkin"]) for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    assert all(r["jumlah_ditandai"] == len(listed[r["kode_paket"]]) for r in rows)
    assert listed["1033260"] >= {"kontrak_di_atas_hps", "nilai_kontrak_tidak_wajar"}
    assert len(run(client, "tanda_bahaya_terbanyak")) == 50


@checks("rencana_vs_tender")
def test_plans_against_what_went_to_tender(client):
    tendered: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for tender in tenders():
        tendered[tender["tahun_anggaran"]][0] += 1
        tendered[tender["tahun_anggaran"]][1] += tender["hps_rp"]
    planned = [0, 0]
    for row in sirup_plans():
        if row[12] == "Pemerintah Daerah Kota Bandung":
            planned[0] += 1
            planned[1] += int(row[2])
    rows = run(client, "rencana_vs_tender", wilayah="Bandung")
    got = {r["tahun_anggaran"]: r for r in rows}
    assert set(got) == set(tendered)  # the plans are of 2015, a year the tenders also cover
    for year, (count, hps) in tendered.items():
        assert (got[year]["paket_tender"], got[year]["hps_tender_rp"]) == (count, hps)
    assert (got[2015]["paket_rencana"], got[2015]["pagu_rencana_rp"]) == tuple(planned)
    assert got[2014]["paket_rencana"] is None
    assert got[2015]["hps_per_pagu_pct"] == round(100 * tendered[2015][1] / planned[1], 2)
    assert [r["tahun_anggaran"] for r in run(client, "rencana_vs_tender", tahun="2016")] == [2016]
