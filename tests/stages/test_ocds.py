"""OCDS export: procurement tables as OCDS 1.1 release packages, checked with libcoveocds.

libcoveocds is the Open Contracting Partnership's own checker (the engine of the OCDS Data
Review Tool). It normally downloads the schema; here it reads the OCDS 1.1.5 schema shipped in
tests/fixtures/ocds (see SOURCE.md there), so the check runs offline.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
import sqlite_utils
from conftest import ROOT, SAMPLE_CATALOG, run_publish
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig

from pipelines.core.registry import load_catalog
from pipelines.stages.ocds import OCID_PREFIX, release_package, write_release_package

SCHEMA = ROOT / "tests" / "fixtures" / "ocds" / "schema"
BASE_URL = "https://jendeladata.id/"  # the site's default address, as the embedded build uses


@pytest.fixture(scope="module")
def cove_config(tmp_path_factory) -> LibCoveOCDSConfig:
    """libcoveocds reading the standard from a local ZIP laid out like the standard's archive."""
    archive = tmp_path_factory.mktemp("ocds") / "standard-1__1__5.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("standard-1__1__5/", "")
        for path in sorted(SCHEMA.rglob("*")):
            if path.is_file():
                zipped.write(path, f"standard-1__1__5/schema/{path.relative_to(SCHEMA).as_posix()}")
    return LibCoveOCDSConfig({"standard_zip": f"file://{archive}", "context": "api"})


def review(package: dict, config: LibCoveOCDSConfig) -> dict:
    return ocds_json_output(
        json_data=copy.deepcopy(package), lib_cove_ocds_config=config, schema_version="1.1"
    )


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_CATALOG)


def package_of(build: Path, catalog, dataset_id: str, table: str) -> dict:
    dataset = catalog.datasets[dataset_id]
    return release_package(
        sqlite_utils.Database(build / "jendela.db"), dataset, dataset.resource(table), BASE_URL
    )


def test_checker_finds_schema_errors_offline(built_catalog, catalog, cove_config):
    """The check can fail: a missing release date is a schema error, and a tender status
    outside the closed codelist is reported as a closed-codelist value."""
    package = package_of(built_catalog, catalog, "tender-spse", "tender_spse")
    package["releases"][0]["tender"]["status"] = "selesai"
    del package["releases"][1]["date"]
    result = review(package, cove_config)
    assert [(e["path"], e["description"]) for e in result["validation_errors"]] == [
        ("releases/1", "'date' is missing but required")
    ]
    closed = result["additional_closed_codelist_values"]
    assert closed["releases/tender/status"]["values"] == ["selesai"]


@pytest.mark.parametrize(
    ("dataset_id", "table"), [("tender-spse", "tender_spse"), ("rup-sirup", "rup_sirup")]
)
def test_embedded_procurement_tables_are_valid_ocds(
    built_catalog, catalog, cove_config, dataset_id, table
):
    package = package_of(built_catalog, catalog, dataset_id, table)
    result = review(package, cove_config)
    assert result["validation_errors"] == []
    assert result["additional_closed_codelist_values"] == {}
    assert result["version_used"] == "1.1"
    with sqlite_utils.Database(built_catalog / "jendela.db") as db:
        assert len(package["releases"]) == db[table].count
    ocids = [r["ocid"] for r in package["releases"]]
    assert len(set(ocids)) == len(ocids) and all(o.startswith(OCID_PREFIX) for o in ocids)


@pytest.mark.parametrize(
    ("dataset_id", "table"),
    [("tender-kota-bogor", "tender"), ("tender-spse", "tender_spse"), ("rup-sirup", "rup_sirup")],
)
def test_build_publishes_the_ocds_package_as_a_checked_download(
    built_catalog, cove_config, dataset_id, table
):
    """The build writes `<table>.ocds.json` beside the other downloads and lists it with its
    checksum; the published file itself passes libcoveocds."""
    import hashlib
    import json

    manifest = json.loads((built_catalog / "manifest.json").read_text())
    downloads = manifest["datasets"][dataset_id]["resources"][table]["downloads"]
    (ocds,) = [d for d in downloads if d["format"] == "ocds"]
    path = built_catalog / "site" / ocds["path"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ocds["sha256"]
    result = review(json.loads(path.read_text()), cove_config)
    assert result["validation_errors"] == []


def test_the_package_says_its_ocid_prefix_is_a_placeholder(built_catalog, catalog):
    package = package_of(built_catalog, catalog, "tender-spse", "tender_spse")
    assert package["x_jendela"]["registered"] is False
    assert "BELUM terdaftar di Open Contracting Partnership" in package["x_jendela"]["id"]
    assert "NOT registered with the Open Contracting Partnership" in package["x_jendela"]["en"]
    assert package["uri"] == "https://jendeladata.id/downloads/tender-spse/tender_spse.ocds.json"
    assert package["publishedDate"] == "2026-11-29T00:00:00Z"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_tender_row_maps_to_tender_award_and_contract(built_catalog, catalog):
    package = package_of(built_catalog, catalog, "tender-spse", "tender_spse")
    release = next(r for r in package["releases"] if r["tender"]["id"] == "9101127")
    assert release["ocid"] == "ocds-jendela-tender_spse-32.71-9101127"
    assert release["tag"] == ["tender", "award", "contract"]
    assert release["buyer"] == {
        "id": "org-pemerintah-daerah-kota-bogor",
        "name": "Pemerintah Daerah Kota Bogor",
    }
    tender = release["tender"]
    assert tender["value"] == {"amount": 22_100_000_000, "currency": "IDR", "valueRounded": True}
    assert (tender["status"], tender["procurementMethod"], tender["mainProcurementCategory"]) == (
        "complete", "open", "works",
    )  # fmt: skip
    assert release["contracts"] == [
        {
            "id": "9101127-contract",
            "awardID": "9101127-award",
            "value": {"amount": 21_487_310_000, "currency": "IDR", "valueRounded": False},
        }
    ]
    pending = next(r for r in package["releases"] if r["tender"]["id"] == "9102127")
    assert pending["tag"] == ["tender"] and "contracts" not in pending
    assert pending["tender"]["procurementMethod"] == "selective"  # Tender Cepat


def test_plan_row_maps_to_a_planning_release(built_catalog, catalog):
    package = package_of(built_catalog, catalog, "rup-sirup", "rup_sirup")
    release = next(r for r in package["releases"] if r["tender"]["id"] == "41020001")
    assert release["tag"] == ["planning"]
    assert release["planning"]["budget"] == {
        "id": "pagu-41020001",
        "amount": {"amount": 22_500_000_000, "currency": "IDR"},
        "description": "APBD",
    }
    assert release["tender"]["status"] == "planned"
    assert release["tender"]["tenderPeriod"] == {
        "startDate": "2024-02-05T00:00:00Z",
        "endDate": "2024-04-15T00:00:00Z",
    }
    assert release["tender"]["procuringEntity"]["name"] == "DINAS PERUMAHAN DAN PERMUKIMAN"
    roles = {p["name"]: p["roles"] for p in release["parties"]}
    assert roles == {
        "Pemerintah Daerah Kota Bogor": ["buyer"],
        "DINAS PERUMAHAN DAN PERMUKIMAN": ["procuringEntity"],
    }


TRICKY_TEXT = [
    'Paket "A", tahap: 1 \\ {x}',  # quotes, a backslash, separators and braces inside a string
    "baris\npertama\tkolom\r\x00\x1f\x7f akhir",  # control characters, DEL
    "Jalan Raya\u2028Bogor\u2029 café 😀 جاكرتا",  # line separators, non-ASCII, astral plane
    "",
]


def test_the_fast_encoder_writes_the_bytes_of_json_dumps(catalog, tmp_path):
    """The package is written with msgspec (issue 15) but must keep the bytes the stdlib wrote
    before: `json.dumps(release, ensure_ascii=False)` per release, one per line, after the head
    indented by one. Text with quotes, separators, control characters, line separators and
    non-ASCII, big amounts, flags and NULLs, in every string and number the mapping copies."""
    import json

    dataset = catalog.datasets["tender-spse"]
    resource = dataset.resource("tender_spse")
    db = sqlite_utils.Database(tmp_path / "t.db")
    rows = []
    for number, text in enumerate(TRICKY_TEXT * 3):
        rows.append(
            {
                "kode_tender": 1000 + number,
                "kode_wilayah": text if number % 2 else "32.71",
                "nama_paket": text,
                "instansi": TRICKY_TEXT[(number + 1) % 4] or None,
                "satker": text,
                "pemenang": TRICKY_TEXT[number % 3],
                "metode_pengadaan": text + " Tender Cepat"[: number % 13],
                "jenis_pengadaan": text,
                "tahap": text + " selesai" * (number % 2),
                "hps_rp": 2**62 + number if number % 4 else None,
                "hps_dibulatkan": number % 3 or None,
                "nilai_kontrak_rp": -number if number % 5 else None,
                "tanggal_awal_pengadaan": text or None,
            }
        )
    db["tender_spse"].insert_all(rows)
    path = write_release_package(db, dataset, resource, tmp_path / "out", BASE_URL)

    package = release_package(db, dataset, resource, BASE_URL)
    releases = package.pop("releases")
    assert len(releases) == len(rows)
    head = json.dumps(package, ensure_ascii=False, indent=1)
    expected = (
        head[: head.rindex("}")].rstrip()
        + ',\n "releases": [\n  '
        + ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in releases)
        + "\n ]\n}\n"
    )
    assert path.read_bytes() == expected.encode("utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["releases"] == releases


def test_written_package_is_deterministic(built_catalog, catalog, tmp_path):
    dataset = catalog.datasets["tender-spse"]
    db = sqlite_utils.Database(built_catalog / "jendela.db")
    resource = dataset.resource("tender_spse")
    first = write_release_package(db, dataset, resource, tmp_path / "a", BASE_URL)
    second = write_release_package(db, dataset, resource, tmp_path / "b", BASE_URL)
    assert first.name == "tender_spse.ocds.json"
    assert first.read_bytes() == second.read_bytes()
    # The streamed file is the same package as the one built in memory.
    import json

    streamed = json.loads(first.read_text())
    assert streamed == release_package(db, dataset, dataset.resource("tender_spse"), BASE_URL)


def test_package_uri_is_on_the_given_base_url(built_catalog, catalog, tmp_path):
    dataset = catalog.datasets["tender-spse"]
    db = sqlite_utils.Database(built_catalog / "jendela.db")
    path = write_release_package(
        db, dataset, dataset.resource("tender_spse"), tmp_path, "https://data.example.org/x/"
    )
    package = json.loads(path.read_text())
    assert (
        package["uri"] == "https://data.example.org/x/downloads/tender-spse/tender_spse.ocds.json"
    )


def test_build_base_url_reaches_the_published_ocds_file(tmp_path):
    """`build --base-url` changes the `uri` inside the published `.ocds.json`, like every other
    absolute address of the release (test_site checks the catalog files)."""
    output = tmp_path / "build"
    result = run_publish(
        "build", "tender-spse", "--quiet", "--output", str(output),
        "--base-url", "https://data.example.org/x",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    text = (output / "site/downloads/tender-spse/tender_spse.ocds.json").read_text()
    assert json.loads(text)["uri"] == (
        "https://data.example.org/x/downloads/tender-spse/tender_spse.ocds.json"
    )
    assert "://jendeladata.id" not in text


@pytest.fixture(scope="module")
def real_build(real) -> Path:
    """The session's one build on the real files (tests/realdata_catalog.py): SPSE Bandung and
    the BIRMS SiRUP dump among them."""
    return real.output


def test_real_bandung_tenders_are_valid_ocds(real_build, catalog, cove_config):
    package = package_of(real_build, catalog, "tender-spse", "tender_spse")
    result = review(package, cove_config)
    assert result["validation_errors"] == []
    assert result["count"] == result["unique_ocids_count"] == 3952
    release = next(r for r in package["releases"] if r["tender"]["id"] == "5709260")
    assert release["ocid"] == "ocds-jendela-tender_spse-32.73-5709260"
    assert release["tender"]["value"] == {
        "amount": 22_100_000_000,
        "currency": "IDR",
        "valueRounded": True,
    }


def test_real_bandung_plan_is_valid_ocds(real_build, catalog, cove_config):
    package = package_of(real_build, catalog, "rup-sirup", "rup_sirup")
    result = review(package, cove_config)
    assert result["validation_errors"] == []
    assert result["count"] == 8742  # the two quarantined test rows are not published
