"""Harvesting a CKAN portal: real captured CKAN answers and real files, replayed on loopback.

The replay portal (tests/ckan_replay.py) serves 15 packages: 10 from data.birmingham.gov.uk and 1
from opendata.swiss with no harvestable format (XLS, PDF, HTML), and 4 around real CSV, XLSX and
JSON files. Each failure the issue names is switched on for one package while the others go on.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from ckan_replay import ReplayPortal, run
from conftest import ROOT, SAMPLE_CATALOG, run_publish

from pipelines.harvest.client import ClientSettings

MADE = [
    "doacoes-covid-19",
    "garis-kemiskinan-jabar",
    "kecamatan-kota-bogor",
    "realisasi-apbd-tangsel",
]


@pytest.fixture
def portal(realdata):
    with ReplayPortal(realdata) as replay:
        yield replay


@pytest.fixture
def project(tmp_path) -> Path:
    """An empty datasets folder and a copy of metadata/, like a fresh portal mirror."""
    (tmp_path / "datasets").mkdir()
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    return tmp_path


def statuses(report) -> dict[str, str]:
    return {o.id: o.status for o in report.outcomes}


def outcome(report, dataset_id: str):
    return next(o for o in report.outcomes if o.id == dataset_id)


def descriptor(project: Path, dataset_id: str) -> dict:
    return yaml.safe_load((project / "datasets" / dataset_id / "datapackage.yaml").read_text())


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_harvest_maps_metadata_downloads_and_infers(project, portal, realdata):
    report = run(project, portal)
    found = statuses(report)
    assert [d for d in MADE if found[d] == "created"] == MADE
    assert sum(s == "skipped" for s in found.values()) == 11
    assert report.exit_code == 0
    skipped = outcome(report, "reisen-der-schweizer-wohnbevolkerung-2019")
    assert "formats: HTML, PDF" in skipped.message

    meta = descriptor(project, "doacoes-covid-19")
    assert meta["title"] == "Doações COVID-19"
    assert meta["description"].startswith("Contém a relação das doações")
    assert meta["licenses"] == [{"name": "CC-BY-4.0"}]  # CKAN "cc-by"
    assert meta["keywords"] == ["COVID-19", "coronavirus", "doacao"]
    ext = meta["jendela"]
    assert ext["publisher"] == "cge-mg" and ext["inferred"] is True and ext["sample"] is False
    assert ext["updated"] == "2021-06-01"
    assert ext["harvest"]["metadata_modified"] == "2021-06-01T12:00:00.000000"
    real = realdata / "ckan/frictionless_mg_doacoes_covid19/data/doacoes-entrada.csv"
    record = ext["harvest"]["resources"][0]
    assert record["sha256"] == hashlib.sha256(real.read_bytes()).hexdigest()
    assert record["url"] == f"{portal.url}/files/doacoes-covid-19/doacoes-entrada.csv"
    resource = meta["resources"][0]
    assert resource["name"] == "doacoes_recebidas" and resource["title"] == "Doações Recebidas"
    assert resource["jendela"]["source"] == {"path": record["file"], "url": record["url"]}
    assert (
        project / "datasets/doacoes-covid-19" / record["file"]
    ).read_bytes() == real.read_bytes()
    sidecar = project / ".cache/raw/doacoes-covid-19/doacoes_recebidas/ckan"
    provenance = json.loads((sidecar / "doacoes_recebidas.csv.provenance.json").read_text())
    assert provenance["source"] == record["url"] and provenance["sha256"] == record["sha256"]
    assert provenance["ckan"]["resource_id"] == "9332cc28-1926-428b-9b0f-c2444c12b3ac"
    assert "rows" not in record  # only the head of a large file is read: no row count to trust

    harvested = yaml.safe_load((project / "metadata/harvested/publishers.yaml").read_text())
    assert harvested["cge-mg"]["name"] == "Controladoria-Geral do Estado de Minas Gerais"
    licences = yaml.safe_load((project / "metadata/harvested/licences.yaml").read_text())
    assert licences["MIT"]["path"] == "https://opensource.org/licenses/MIT"
    assert descriptor(project, "kecamatan-kota-bogor")["jendela"]["themes"] == ["wilayah"]
    jabar = descriptor(project, "garis-kemiskinan-jabar")["jendela"]["harvest"]["resources"]
    assert [r.get("skipped") is not None for r in jabar] == [False, True]  # the PDF is recorded

    result = run_publish(
        "--datasets-dir",
        str(project / "datasets"),
        "--metadata-dir",
        str(project / "metadata"),
        "build",
        "--quiet",
        "--output",
        str(project / "build"),
        *MADE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK    doacoes-covid-19: 2,237 baris/rows" in result.stdout
    assert "OK    realisasi-apbd-tangsel: 8 baris/rows" in result.stdout  # blank row set aside


def test_second_run_touches_only_what_changed(project, portal):
    run(project, portal)
    before = snapshot(project / "datasets")
    report = run(project, portal)
    assert {statuses(report)[d] for d in MADE} == {"unchanged"}
    assert snapshot(project / "datasets") == before

    portal.touch("kecamatan-kota-bogor", "2024-01-01T00:00:00")
    portal.replace_file(
        "realisasi-apbd-tangsel", "realisasi.csv", b"Jenis Belanja;2023\nPegawai;Rp1.000\n"
    )
    report = run(project, portal)
    found = statuses(report)
    assert found["kecamatan-kota-bogor"] == "updated"  # metadata_modified changed
    assert found["realisasi-apbd-tangsel"] == "updated"  # the file's checksum changed
    assert found["doacoes-covid-19"] == found["garis-kemiskinan-jabar"] == "unchanged"
    after = snapshot(project / "datasets")
    assert {k for k in after if after[k] != before.get(k)} == {
        "kecamatan-kota-bogor/datapackage.yaml",
        "realisasi-apbd-tangsel/datapackage.yaml",
        "realisasi-apbd-tangsel/data/realisasi_menurut_jenis_belanja.csv",
    }
    fields = descriptor(project, "realisasi-apbd-tangsel")["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == ["jenis_belanja", "kolom_2023"]  # inferred again

    portal.delete("doacoes-covid-19")
    report = run(project, portal)
    gone = outcome(report, "doacoes-covid-19")
    assert gone.status == "deleted-upstream"
    assert "NOT removed" in gone.message
    assert (project / "datasets/doacoes-covid-19/datapackage.yaml").is_file()


def test_a_reviewed_schema_survives_an_unchanged_file(project, portal):
    run(project, portal)
    path = project / "datasets/garis-kemiskinan-jabar/datapackage.yaml"
    reviewed = descriptor(project, "garis-kemiskinan-jabar")
    reviewed["resources"][0]["schema"]["fields"][1]["title"] = "Garis kemiskinan (Rp/kapita/bulan)"
    path.write_text(yaml.safe_dump(reviewed, allow_unicode=True, sort_keys=False))
    portal.touch("garis-kemiskinan-jabar", "2024-02-02T00:00:00")
    report = run(project, portal)
    assert statuses(report)["garis-kemiskinan-jabar"] == "updated"
    fields = descriptor(project, "garis-kemiskinan-jabar")["resources"][0]["schema"]["fields"]
    assert fields[1]["title"] == "Garis kemiskinan (Rp/kapita/bulan)"


@pytest.mark.parametrize(
    ("where", "fault", "options", "kind", "words"),
    [
        ("package_show:doacoes-covid-19", "slow", {"seconds": 1.0}, "timeout", "no answer within"),
        ("package_show:doacoes-covid-19", "http-500", {}, "http-error", "HTTP 500"),
        ("package_show:doacoes-covid-19", "invalid-json", {}, "invalid-json", "not valid JSON"),
        ("file:doacoes-covid-19/doacoes-saida.csv", "404", {}, "resource-http-error", "HTTP 404"),
        (
            "file:doacoes-covid-19/doacoes-entrada.csv",
            "html",
            {},
            "html-not-data",
            "promised CSV but served an HTML page",
        ),
    ],
)
def test_each_failure_is_reported_per_dataset(project, portal, where, fault, options, kind, words):
    run(project, portal)  # a first harvest publishes everything
    before = snapshot(project / "datasets/doacoes-covid-19")
    portal.touch("doacoes-covid-19", "2024-03-03T00:00:00")  # so the dataset must be re-fetched
    portal.touch("kecamatan-kota-bogor", "2024-03-03T00:00:00")
    portal.fault(where, fault, **options)
    settings = ClientSettings(timeout=0.3, retries=1, backoff=0)
    report = run(project, portal, settings)
    failed = outcome(report, "doacoes-covid-19")
    assert failed.status == "failed"
    assert failed.error["kind"] == kind
    assert words in failed.message
    assert "datasets/doacoes-covid-19 kept as it was" in failed.message
    assert snapshot(project / "datasets/doacoes-covid-19") == before  # nothing published lost
    assert statuses(report)["kecamatan-kota-bogor"] == "updated"  # the others still harvest
    assert report.exit_code == 1
    saved = report.as_dict()
    assert saved["summary"]["failed"] == 1
    assert (
        next(d for d in saved["datasets"] if d["id"] == "doacoes-covid-19")["error"]["kind"] == kind
    )


def test_retries_with_backoff_ride_out_a_flaky_portal(project, portal):
    portal.fault("package_show:kecamatan-kota-bogor", "http-500", times=2)
    portal.fault("file:garis-kemiskinan-jabar/garis_kemiskinan.xlsx", "http-500", times=1)
    report = run(project, portal, ClientSettings(timeout=5, retries=2, backoff=0.01))
    found = statuses(report)
    assert found["kecamatan-kota-bogor"] == found["garis-kemiskinan-jabar"] == "created"
    assert len(portal.requests_to("/api/3/action/package_show")) == 15 + 2
    assert len(portal.requests_to("/files/garis-kemiskinan-jabar/garis_kemiskinan.xlsx")) == 2


def test_bytes_that_are_not_the_promised_format_name_the_resource(project, portal):
    # A zipped CSV published as "XLSX": it passes the download's ZIP check, then cannot be read.
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("garis_kemiskinan.csv", "tahun,garis_kemiskinan\n2020,410988\n")
    portal.replace_file("garis-kemiskinan-jabar", "garis_kemiskinan.xlsx", packed.getvalue())
    report = run(project, portal)
    failed = outcome(report, "garis-kemiskinan-jabar")
    assert failed.status == "failed" and failed.error["kind"] == "unreadable"
    assert failed.message.startswith(
        "Garis kemiskinan provinsi: "  # the CKAN resource, then the file it would have become
        "datasets/garis-kemiskinan-jabar/data/garis_kemiskinan_provinsi.xlsx: "
    )
    assert "check the file and its format on the portal, then harvest again" in failed.message
    assert ".download-" not in failed.message and "descriptor" not in failed.message
    assert failed.error["url"] == f"{portal.url}/files/garis-kemiskinan-jabar/garis_kemiskinan.xlsx"
    assert not (project / "datasets/garis-kemiskinan-jabar").exists()


def test_a_descriptor_with_a_yaml_error_is_named_not_taken_for_a_conflict(project, portal):
    run(project, portal, tag="wilayah")
    path = project / "datasets/kecamatan-kota-bogor/datapackage.yaml"
    path.write_text(path.read_text() + "resources: [\n")
    before = snapshot(project / "datasets/kecamatan-kota-bogor")
    report = run(project, portal, tag="wilayah")
    failed = outcome(report, "kecamatan-kota-bogor")
    assert failed.status == "failed" and failed.error["kind"] == "descriptor"
    assert failed.message.startswith("datasets/kecamatan-kota-bogor/datapackage.yaml: line ")
    assert "fix this file, then harvest again" in failed.message
    assert snapshot(project / "datasets/kecamatan-kota-bogor") == before


def test_a_descriptor_error_names_the_dataset_folder_not_the_staging_one(project, portal):
    run(project, portal, tag="kemiskinan")
    path = project / "datasets/garis-kemiskinan-jabar/datapackage.yaml"
    reviewed = descriptor(project, "garis-kemiskinan-jabar")
    reviewed["resources"][0]["schema"]["primaryKey"] = ["thn"]  # a reviewer's typo; kept
    path.write_text(yaml.safe_dump(reviewed, allow_unicode=True, sort_keys=False))
    portal.touch("garis-kemiskinan-jabar", "2024-02-02T00:00:00")
    report = run(project, portal, tag="kemiskinan")
    failed = outcome(report, "garis-kemiskinan-jabar")
    assert failed.status == "failed" and failed.error["kind"] == "descriptor"
    assert failed.message.startswith(
        "datasets/garis-kemiskinan-jabar/datapackage.yaml: resources[0].schema.primaryKey: "
    )
    assert (
        "deskriptor hasil panen tidak lolos pemeriksaan / the harvested descriptor fails the checks"
        in failed.message
    )
    assert ".cache" not in failed.message and "package-" not in failed.message


def test_a_file_over_the_size_limit_says_how_to_raise_it(project, portal):
    report = run(
        project, portal, ClientSettings(timeout=5, retries=0, max_bytes=100), tag="wilayah"
    )
    failed = outcome(report, "kecamatan-kota-bogor")
    assert failed.status == "failed" and failed.error["kind"] == "too-large"
    assert failed.message.startswith("Kecamatan: ")
    assert "larger than 100 bytes; raise the limit with --max-bytes" in failed.message


def test_invalid_json_resource(project, portal):
    portal.replace_file("kecamatan-kota-bogor", "3271.json", b'[{"id": "3271010", "name": ')
    report = run(project, portal)
    failed = outcome(report, "kecamatan-kota-bogor")
    assert failed.status == "failed" and failed.error["kind"] == "invalid-json"
    assert "the file is not valid JSON" in failed.message
    assert not (project / "datasets/kecamatan-kota-bogor").exists()
    assert statuses(report)["doacoes-covid-19"] == "created"


@pytest.mark.parametrize("status", [404, 403])
def test_action_api_disabled(project, portal, status):
    run(project, portal, tag="kemiskinan")
    before = snapshot(project / "datasets")
    portal.fault("api", "api-disabled", status=status)
    report = run(project, portal)
    assert report.error["kind"] == "api-disabled"
    assert f"HTTP {status}" in report.error["message"]
    assert "Action API" in report.error["message"]
    kept = outcome(report, "garis-kemiskinan-jabar")
    assert kept.status == "failed" and "kept as it was" in kept.message
    assert snapshot(project / "datasets") == before
    assert report.exit_code == 1


def test_selection_and_paging(project, portal):
    report = run(project, portal, settings=ClientSettings(timeout=5, retries=0, page_size=4))
    assert len(report.outcomes) == 15
    assert len(portal.requests_to("/api/3/action/package_search")) == 4  # 4 + 4 + 4 + 3
    other = project / "other"
    other.mkdir()
    shutil.copytree(project / "metadata", other / "metadata")
    (other / "datasets").mkdir()
    report = run(other, portal, org="cge-mg")
    assert [o.id for o in report.outcomes] == ["doacoes-covid-19"]
    report = run(other, portal, tag="apbd", limit=5)
    assert [o.id for o in report.outcomes] == ["realisasi-apbd-tangsel"]


def test_unknown_organisation_suggests_names(project, portal):
    report = run(project, portal, org="cge-mgg")
    assert report.error["kind"] == "unknown-organisation"
    assert "did you mean: cge-mg" in report.error["message"]
    assert "/api/3/action/organization_list" in portal.log  # the real 337-organisation answer


def test_a_folder_not_harvested_from_the_package_is_never_overwritten(project, portal):
    shutil.copytree(
        SAMPLE_CATALOG / "wilayah-kota-bogor", project / "datasets/kecamatan-kota-bogor"
    )
    before = snapshot(project / "datasets/kecamatan-kota-bogor")
    report = run(project, portal)
    clash = outcome(report, "kecamatan-kota-bogor")
    assert clash.status == "failed" and clash.error["kind"] == "id-conflict"
    assert snapshot(project / "datasets/kecamatan-kota-bogor") == before


def test_cli(project, portal):
    result = run_publish(
        "--datasets-dir",
        str(project / "datasets"),
        "--metadata-dir",
        str(project / "metadata"),
        "harvest",
        portal.url,
        "--tag",
        "wilayah",
        "--retries",
        "0",
        "--max-bytes",
        "100000",
        "--report",
        str(project / "report.json"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "BARU/CREATED".ljust(35) + "kecamatan-kota-bogor: tabel kecamatan / tables kecamatan",
        f"Panen/harvest {portal.url}: 1 baru/created",
        f"Laporan panen / harvest report: {project / 'report.json'}",
    ]
    saved = json.loads((project / "report.json").read_text())
    assert saved["selection"] == {"tag": "wilayah"}
    assert saved["datasets"][0]["status"] == "created"
    bad = run_publish("harvest", "ftp://example.invalid")
    assert bad.returncode == 2
    assert "must be an http(s) address" in bad.stderr
    assert "portal harus berupa alamat http(s)" in bad.stderr
    bad = run_publish("harvest", portal.url, "--limit", "0")
    assert bad.returncode == 2
    assert "--limit harus paling sedikit 1 / --limit must be at least 1" in bad.stderr
    small = run_publish(
        "--datasets-dir",
        str(project / "datasets"),
        "--metadata-dir",
        str(project / "metadata"),
        "harvest",
        portal.url,
        "--tag",
        "wilayah",
        "--retries",
        "0",
        "--max-bytes",
        "100",
        "--report",
        str(project / "report.json"),
    )
    assert small.returncode == 1
    assert "raise the limit with --max-bytes" in small.stdout
