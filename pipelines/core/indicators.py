"""The red-flag indicators as declared in metadata/indicators.yaml, and the names of the tables the
engine writes. Declared once, read by the engine (checks/indicators), the methodology page and the
Datasette metadata (catalog), so a title or threshold is never written twice.

A result is one of four words, stored as such in `tanda_bahaya.hasil`: flagged for certain,
possibly flagged (the source's rounding leaves both readings open), not flagged, or cannot be
assessed (a field the indicator needs is missing; `bidang_kurang` names it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .bilingual import pair
from .errors import DescriptorError
from .model import METADATA_DIR, read_yaml

INDICATORS_FILE = "indicators.yaml"
# keys of the text blocks in the file (per language code; not a text)
LANGUAGE_KEYS = dict(id="indonesia", en="english")

FLAGGED = "ditandai"
POSSIBLY = "mungkin"
NOT_FLAGGED = "tidak_ditandai"
NOT_ASSESSED = "tidak_dapat_dinilai"
RESULTS = (FLAGGED, POSSIBLY, NOT_FLAGGED, NOT_ASSESSED)
RESULT_TITLES = {
    FLAGGED: pair(
        "Ditandai",
        "Flagged",
    ),
    POSSIBLY: pair(
        "Mungkin (pembulatan sumber)",
        "Possibly (source rounding)",
    ),
    NOT_FLAGGED: pair(
        "Tidak ditandai",
        "Not flagged",
    ),
    NOT_ASSESSED: pair(
        "Tidak dapat dinilai",
        "Cannot be assessed",
    ),
}

# Tables written after load (pipelines/checks/indicators/tables.py).
FLAGS_TABLE = "tanda_bahaya"
COVERAGE_TABLE = "tanda_bahaya_indikator"
PACKAGES_TABLE = "tanda_bahaya_paket"
AGENCY_TABLE = "tanda_bahaya_instansi"
SUPPLIER_TABLE = "tanda_bahaya_penyedia"
# The money trail (checks/indicators/money_trail.py): a table and two views.
LINK_TABLE = "jejak_rencana_tender"
BUDGET_VIEW = "jejak_realisasi_apbd"
METHOD_VIEW = "jejak_metode_rencana_tender"
FLAG_DATASET = "tanda-bahaya"  # downloads/<this>/ holds the CSV and Parquet files

_LOOK = (
    "Tanda bahaya adalah alasan untuk memeriksa lebih jauh, bukan bukti pelanggaran.",
    "A red flag is a reason to look closer, not proof of wrongdoing.",
)
# What each red-flag table holds, for the Datasette table pages and the methodology page.
INDICATOR_TABLE_TEXT = {
    FLAGS_TABLE: {
        "title": pair(
            "Tanda bahaya pengadaan per paket dan indikator",
            "Procurement red flags per package and indicator",
        ),
        "description": pair(
            (
                "Satu baris per paket dan indikator: hasil (ditandai, mungkin, tidak ditandai, "
                "tidak dapat dinilai), bukti berupa nilai yang dibandingkan, dan bidang yang "
                "kurang. " + _LOOK[0]
            ),
            (
                "One row per package and indicator: result (flagged, possibly, not flagged, "
                "cannot be assessed), the values compared as evidence, and the missing fields. "
                + _LOOK[1]
            ),
        ),
        "facets": ["indikator", "hasil", "sumber_tabel", "tahun_anggaran"],
    },
    PACKAGES_TABLE: {
        "title": pair(
            "Jumlah tanda bahaya per paket",
            "Red-flag counts per package",
        ),
        "description": pair(
            (
                "Satu baris per paket tender (SPSE) atau rencana (SiRUP) dengan jumlah tanda "
                "bahaya; nilai kontrak tidak wajar dikeluarkan dari `nilai_kontrak_wajar_rp`. "
                + _LOOK[0]
            ),
            (
                "One row per tender (SPSE) or planned (SiRUP) package with its red-flag counts; "
                "implausible contract values are left out of `nilai_kontrak_wajar_rp`. " + _LOOK[1]
            ),
        ),
        "facets": ["jumlah_ditandai", "sumber_tabel", "tahun_anggaran", "metode_pengadaan"],
    },
    AGENCY_TABLE: {
        "title": pair(
            "Tanda bahaya per instansi/satuan kerja dan tahun",
            "Red flags per agency/spending unit and year",
        ),
        "description": pair(
            (
                "Paket dinilai dan ditandai per indikator, serta indikator kelompok (bagian "
                "metode tidak kompetitif, konsentrasi penyedia). " + _LOOK[0]
            ),
            (
                "Packages assessed and flagged per indicator, and the group indicators (share "
                "of non-competitive methods, supplier concentration). " + _LOOK[1]
            ),
        ),
        "facets": ["indikator", "hasil", "tahun_anggaran", "sumber_tabel"],
    },
    SUPPLIER_TABLE: {
        "title": pair(
            "Tanda bahaya per penyedia",
            "Red flags per supplier",
        ),
        "description": pair(
            (
                "Paket yang dimenangkan dan tanda bahayanya per penyedia. Kosong: tidak ada "
                "sumber yang diterbitkan di sini yang memuat nama pemenang."
            ),
            (
                "Packages won and their red flags per supplier. Empty: no source published "
                "here names the winner."
            ),
        ),
        "facets": [],
    },
    LINK_TABLE: {
        "title": pair(
            "Jejak uang: rencana (SiRUP) ke tender (SPSE) ke kontrak",
            "Money trail: plan (SiRUP) to tender (SPSE) to contract",
        ),
        "description": pair(
            (
                "Satu baris per rencana dan per tender. Daftar tender SPSE tidak memuat kode "
                "RUP, jadi keduanya dihubungkan dengan aturan tertulis (`aturan`): wilayah, "
                "tahun dan "
                "nama paket ternormalisasi sama, unik di kedua sisi. Yang tidak terhubung tetap "
                "dihitung (`status`)."
            ),
            (
                "One row per plan and per tender. The SPSE tender list carries no plan code, so "
                "the two are linked by a written rule (`aturan`): same region, year and normalised "
                "package name, unique on both sides. The unlinked ones are counted too (`status`)."
            ),
        ),
        "facets": ["status", "tahun_anggaran"],
    },
    BUDGET_VIEW: {
        "title": pair(
            "Jejak uang: anggaran dan realisasi APBD per tingkat akun",
            "Money trail: APBD budget and actual by account level",
        ),
        "description": pair(
            (
                "Anggaran, realisasi dan tingkat realisasi (dari Rupiah penuh) setiap akun APBD "
                "DJPK per daerah dan tahun, pada setiap tingkat akun."
            ),
            (
                "Budget, actual and realisation rate (from whole Rupiah) of every DJPK APBD "
                "account per region and year, at every account level."
            ),
        ),
        "facets": ["tingkat_akun", "tahun"],
    },
    METHOD_VIEW: {
        "title": pair(
            "Jejak uang: rencana per metode dibanding tender per metode",
            "Money trail: planned by method against tendered by method",
        ),
        "description": pair(
            (
                "Paket dan pagu rencana (SiRUP, kode metode apa adanya) di samping paket dan HPS "
                "yang ditenderkan (SPSE, nama metode) per daerah dan tahun; tidak dipadankan "
                "karena "
                "tidak ada tabel acuan kode metode SiRUP."
            ),
            (
                "Planned packages and ceiling (SiRUP, method codes as given) beside tendered "
                "packages and estimate (SPSE, method names) per region and year; not matched, "
                "as no "
                "lookup table for SiRUP's method codes is published."
            ),
        ),
        "facets": ["sumber_tabel", "tahun_anggaran"],
    },
    COVERAGE_TABLE: {
        "title": pair(
            "Indikator tanda bahaya dan cakupannya",
            "Red-flag indicators and their coverage",
        ),
        "description": pair(
            (
                "Satu baris per indikator: definisi, ambang, rujukan OCP dan ICW, dan berapa "
                "paket yang dapat dinilai. " + _LOOK[0]
            ),
            (
                "One row per indicator: definition, thresholds, OCP and ICW references, and how "
                "many packages could be assessed. " + _LOOK[1]
            ),
        ),
        "facets": [],
    },
}


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it reads, how it decides, and how it is explained."""

    id: str
    method: str
    table: str | None
    key: tuple[str, ...]
    needs: tuple[str, ...]
    reads: tuple[str, ...]
    thresholds: dict
    ocp: str | None
    ocp_note: str
    icw: str | None
    title: dict[str, str]
    explanation: dict[str, str]
    of: str | None = None  # group indicators: the package indicator they aggregate
    group: bool = False


def _indicator(raw: dict, path: Path, group: bool) -> Indicator:
    try:
        return Indicator(
            id=raw["id"],
            method=raw["method"],
            table=raw.get("table"),
            key=tuple(raw.get("key", ())),
            needs=tuple(raw.get("needs", ())),
            reads=tuple(raw.get("reads", ())),
            thresholds=raw.get("thresholds") or {},
            ocp=raw.get("ocp"),
            ocp_note=" ".join(str(raw.get("ocp_note", "")).split()),
            icw=raw.get("icw"),
            title={lang: raw[key]["title"] for lang, key in LANGUAGE_KEYS.items()},
            explanation={
                lang: " ".join(raw[key]["explanation"].split())
                for lang, key in LANGUAGE_KEYS.items()
            },
            of=raw.get("of"),
            group=group,
        )
    except (KeyError, TypeError) as exc:
        name = raw.get("id", "?") if isinstance(raw, dict) else "?"
        raise DescriptorError(str(path), f"indicators.{name}", f"missing key {exc}") from None


def load_indicators(directory: Path = METADATA_DIR) -> list[Indicator]:
    """Package indicators first, then group indicators, in the order the file declares them."""
    path = directory / INDICATORS_FILE
    if not path.is_file():
        return []  # a vocabulary without indicators publishes no red-flag tables
    raw = read_yaml(path) or {}
    found = [_indicator(item, path, False) for item in raw.get("indicators", [])]
    found += [_indicator(item, path, True) for item in raw.get("group_indicators", [])]
    ids = [i.id for i in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DescriptorError(str(path), "indicators", f"duplicate id {', '.join(duplicates)}")
    return found
