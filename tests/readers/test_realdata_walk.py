"""Every file under ../shared/realdata builds into a published table, or says why it cannot.

WALK maps each file (a glob relative to the folder) to the table it is published in, or to the
reason a data officer would need to act on before it could be. A file added to the folder without
an entry fails the test, as does an entry that no longer matches a file. The tables come from the
default build of the real catalog (tests/realdata_catalog.py), whose snapshots under
datasets/<id>/source/ must be byte-identical copies of these files (compared by SHA-256).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

import pytest
from conftest import region_subset_sql, run_publish

from pipelines.core.checksum import sha256_file
from pipelines.core.registry import load_catalog


@dataclass(frozen=True)
class Table:
    """Published in `resource` (rows after quarantine, and rows quarantined, when given)."""

    resource: str
    rows: int | None = None
    quarantined: int | None = None


@dataclass(frozen=True)
class NoTable:
    """Not published as a table; `reason` says why and what would be needed."""

    reason: str


@dataclass(frozen=True)
class Fails:
    """Given as the source of `resource` (dataset `dataset`), `publish.py validate` fails with an
    issue of type `issue` whose message names the file and contains `says`: what to do next."""

    dataset: str
    resource: str
    issue: str
    says: str


WALK: list[tuple[str, Table | NoTable | Fails]] = [
    ("PROVENANCE.md", NoTable("documentation: where every file came from; not data")),
    # --- regions
    ("regions/kemendagri_2025/wilayah.sql", Table("wilayah", rows=91_599)),
    ("regions/kemendagri_2025/wilayah_luas.sql", Table("luas_wilayah", 548, 4)),
    ("regions/bps_mfd_2018/*.csv", Table("wilayah_bps", 74_553, 13_744)),
    ("regions/emsifa_static_api_kota_bogor/*", Table("wilayah_bps_emsifa", rows=132)),
    (
        "regions/kota_bogor_kecamatan.geojson",
        NoTable(
            "boundaries, not a table: drawn as the catalog map with `publish.py build "
            "--boundaries` (tests/catalog/test_site.py); the repository states no licence, so the "
            "licence must be given with --boundaries-licence by whoever has it"
        ),
    ),
    (
        "regions/kota_bogor_kelurahan_kemiskinan_2019.geojson",
        NoTable(
            "kelurahan polygons with a household count (JML_KK) per kelurahan; the source states "
            "no licence and gives no codes: ask the Bagian Pemerintahan Setda Kota Bogor for the "
            "terms, then the names (`KEL. ...`) can be matched with region_from_name"
        ),
    ),
    # --- population
    (
        "population/kemendagri_2025_wilayah_penduduk.sql",
        Table("penduduk_kemendagri", rows=1_104),
    ),
    (
        "population/odj_jumlah_penduduk_jenis_kelamin_kabkota_2013-2020.csv",
        Table("penduduk_odj", 412, 18),
    ),
    ("population/odj_jumlah_penduduk_miskin_kabkota.csv", Table("penduduk_miskin_odj", 513)),
    ("population/odj_garis_kemiskinan_perkapita_kabkota.csv", Table("garis_kemiskinan_odj", 81)),
    ("population/odj_pengeluaran_per_kapita_kabkota.csv", Table("pengeluaran_per_kapita_odj", 294)),
    (
        "population/satudata_jakarta_penduduk_kelurahan_usia_jk_2013-2021_SLICE.csv",
        Table("penduduk_satudata_jakarta", 172, 7),
    ),
    (
        "population/tangsel_penduduk_usia_60-64_kecamatan_2023_dkb.xlsx",
        Table("penduduk_tangsel", rows=8),
    ),
    # --- budget and procurement (pipelines of the budget/procurement datasets)
    ("budget/djpk_apbd_jatim/*/*.csv", Table("apbd_djpk")),
    ("budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv", Table("realisasi_belanja")),
    ("procurement/spse_lpse_kota_bandung_dt_lelang.json", Table("tender_spse", rows=3_952)),
    ("procurement/bandung_birms_sirup_2015_planning.sql", Table("rup_sirup")),
    ("procurement/lkpp_sirup.xlsx", Table("rup_instansi", rows=630)),
    ("procurement/lkpp_lpse_data.xlsx", Table("lpse_jenis_instansi", rows=6)),
    ("procurement/lkpp_tender_winners.xlsx", Table("pemenang_tender_konstruksi", rows=4)),
    # --- messy files
    (
        "messy/odj_dpmdes_idm_pencemaran_air_desa_float_codes.csv",
        Table("wilayah_bps_odj", 5_309, 3),
    ),
    (
        "messy/bps_dki_jumlah_penduduk_kabkota_2023_multiheader.csv",
        Table("penduduk_kabkota_bps", rows=7),
    ),
    (
        "messy/bps_garis_kemiskinan_jabar_provinsi_semicolon_bom.csv",
        Table("garis_kemiskinan_provinsi", rows=3),
    ),
    (
        "messy/odj_garis_kemiskinan_provinsi.xlsx",
        Fails(
            "bps-tabel-web",
            "garis_kemiskinan_provinsi",
            "source-error",
            "column 'garis_kemiskinan' is not a tahun",
        ),
    ),
    (
        "messy/bps_gariskemiskinanjabar_html_disguised.xls",
        Fails(
            "bps-tabel-web",
            "garis_kemiskinan_provinsi",
            "source-error",
            "this file is an HTML page",
        ),
    ),
    (
        "messy/bps_jatim_pdrb_adhb_kabkota_2022-2023.csv",
        Table("pdrb_adhb", rows=78),
    ),
    ("messy/lkpp_monitoring.xlsx", Table("monitoring_rup_lkpp", rows=630)),
    (
        "messy/tangsel_persentase_ppks_dtks_kecamatan_2022.xlsx",
        Table("ppks_dtks_kecamatan", rows=7),
    ),
    (
        "ckan/**",
        NoTable(
            "CKAN API responses and a Frictionless package from portals outside Indonesia: "
            "fixtures of the CKAN harvester and API tests (tests/harvest/test_ckan_*.py), not "
            "data to publish in this catalog"
        ),
    ),
]


def _entry(relative: str) -> tuple[str, Table | NoTable | Fails] | None:
    matches = [(p, o) for p, o in WALK if fnmatchcase(relative, p)]
    return matches[0] if len(matches) == 1 else None


@pytest.fixture(scope="module")
def files(realdata) -> list[str]:
    return sorted(str(p.relative_to(realdata)) for p in realdata.rglob("*") if p.is_file())


def test_every_file_has_exactly_one_entry_and_every_entry_a_file(files):
    unplaced = [f for f in files if _entry(f) is None]
    assert not unplaced, "files in shared/realdata with no (or several) WALK entries: " + ", ".join(
        unplaced
    )
    unused = [p for p, _ in WALK if not any(fnmatchcase(f, p) for f in files)]
    assert not unused, f"WALK entries that match no file: {unused}"


def test_every_table_entry_is_built_from_its_real_files(files, realdata, real):
    """Each file is, byte for byte, among the inputs of its published table in the default build
    (its snapshot in datasets/ may be kept gzipped; the build records the published bytes)."""
    published = {
        name: (dataset_id, entry)
        for dataset_id, dataset in real.manifest["datasets"].items()
        if dataset["status"] == "published"
        for name, entry in dataset.get("resources", {}).items()
    }
    problems = []
    for relative in files:
        _, outcome = _entry(relative)
        if not isinstance(outcome, Table):
            continue
        if outcome.resource not in published:
            problems.append(f"{relative}: table {outcome.resource} was not published")
            continue
        _, entry = published[outcome.resource]
        inputs = {source["sha256"] for source in entry["sources"]}
        if sha256_file(realdata / relative) not in inputs:
            problems.append(f"{relative}: not an input of {outcome.resource}")
    assert not problems, "\n".join(problems)
    for _, outcome in WALK:
        if isinstance(outcome, Table):
            _, entry = published[outcome.resource]
            if outcome.rows is not None:
                assert entry["rows"] == outcome.rows, outcome
            if outcome.quarantined is not None:
                assert entry.get("quarantined") == outcome.quarantined, outcome


def test_the_real_catalog_holds_every_walked_table_and_nothing_else():
    """The tables of datasets/ (what the default build publishes) and WALK's tables agree."""
    walked = {o.resource for _, o in WALK if isinstance(o, Table)}
    tables = {r.name for d in load_catalog().datasets.values() for r in d.resources}
    assert walked == tables


@pytest.mark.parametrize(
    "pattern", [p for p, o in WALK if isinstance(o, Fails)], ids=lambda p: p.split("/")[-1]
)
def test_every_failing_file_fails_with_a_message_naming_it(pattern, realdata, tmp_path):
    """The real pipeline, run on the file in place, fails (exit 1) with the expected issue.

    The region table these datasets refer to is built from a real subset of the Kemendagri list
    (the provinces and kabupaten/kota of three provinces): the file fails before any code is
    looked up, and the whole list would add seven seconds of building to each run."""
    outcome = dict(WALK)[pattern]
    paths = sorted(realdata.glob(pattern))
    assert paths, pattern
    regions = region_subset_sql(realdata, tmp_path / "wilayah.sql")
    for path in paths:
        result = run_publish(
            "validate",
            outcome.dataset,
            "--quiet",
            "--source",
            f"{outcome.resource}={path}",
            "--source",
            f"wilayah={regions}",
            catalog=None,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        failed = [line for line in output.splitlines() if f"[{outcome.issue}]" in line]
        assert failed, output
        assert any(path.name in line and outcome.says in line for line in failed), output


def test_no_table_reasons_say_what_the_file_is_and_what_would_be_needed():
    for pattern, outcome in WALK:
        if isinstance(outcome, NoTable):
            assert len(outcome.reason) >= 40, pattern
