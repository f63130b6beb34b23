"""OCDS export: procurement tables as an Open Contracting Data Standard 1.1 release package.

Journalists and procurement monitors (opentender.net, the OCP data registry, red-flag tools such
as Cardinal) read OCDS, not our column names. A resource opts in with

    jendela:
      ocds: {stage: tender, id: kode_tender}   # or {stage: planning, id: kode_rup}

and its published table becomes `<resource>.ocds.json` beside the other downloads: one release
per row, built from our shared field names (nama_paket, instansi, satker, pagu_rp, hps_rp,
nilai_kontrak_rp, pemenang, tahap, jenis_pengadaan, metode_pengadaan, tanggal_* ...), so any table
that uses those names maps the same way. Mapping choices, in OCDS terms:

- `hps_rp` (owner's estimate) is `tender.value`; `pagu_rp` (budget ceiling) is
  `planning.budget.amount`; `nilai_kontrak_rp` is a contract's value, linked to an award that names
  `pemenang` when the table has it. Amounts are IDR.
- A flag column `<amount>_dibulatkan` ("22,1 M" on SPSE) is kept as `valueRounded` beside the
  value it qualifies (an additional field: OCDS has none for it).
- Indonesian stage, method and category words are mapped to OCDS codes where the meaning is
  clear (tables below); the words themselves stay in `procurementMethodDetails`. Unknown words map
  to no code rather than a guess.

Identifiers: `ocid` is `ocds-jendela-<resource>-<kode_wilayah>-<id>`. "ocds-jendela-" is a
placeholder, NOT a prefix registered with the Open Contracting Partnership; the package says so
in `x_jendela` until a prefix is registered. Release dates are the dataset's `updated` date, so
the same table always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlite_utils

from ..core.layout import DOWNLOADS, table_file
from ..core.model import Dataset, Resource

OCDS_VERSION = "1.1"
OCID_PREFIX = "ocds-jendela-"
CURRENCY = "IDR"
PREFIX_NOTE = {
    "ocidPrefix": OCID_PREFIX,
    "registered": False,
    "id": (
        "Prefiks ocid 'ocds-jendela-' adalah prefiks sementara dan BELUM terdaftar di Open "
        "Contracting Partnership; ocid dalam paket ini belum unik secara global."
    ),
    "en": (
        "The ocid prefix 'ocds-jendela-' is a placeholder and is NOT registered with the Open "
        "Contracting Partnership; the ocids in this package are not yet globally unique."
    ),
}

# tahap (SPSE stage) -> tender.status; matched on lower-case words, first match wins.
TENDER_STATUS = [
    (r"\bbatal\b|dibatalkan", "cancelled"),
    (r"\bgagal\b", "unsuccessful"),
    (r"selesai", "complete"),
]
# metode pengadaan -> tender.procurementMethod (Perpres 54/2010 and 16/2018 terms).
PROCUREMENT_METHOD = {
    "tender": "open",
    "lelang umum": "open",
    "lelang sederhana": "open",
    "lelang pemilihan langsung": "open",
    "seleksi": "open",
    "seleksi umum": "open",
    "seleksi sederhana": "open",
    "tender cepat": "selective",
    "lelang terbatas": "selective",
    "penunjukan langsung": "limited",
    "pengadaan langsung": "direct",
}
# jenis pengadaan -> tender.mainProcurementCategory, by its first words.
CATEGORY = [
    (r"^(pengadaan )?barang", "goods"),
    (r"^pekerjaan konstruksi", "works"),
    (r"^jasa", "services"),
]


def release_package(
    db: sqlite_utils.Database,
    dataset: Dataset,
    resource: Resource,
    base_url: str,
) -> dict:
    """The OCDS 1.1 release package of one published table, as a dict (for small tables and
    tests; the build streams it with write_release_package). `base_url` as in
    write_release_package."""
    return {
        **_package_head(dataset, resource, base_url),
        "releases": list(_releases(db, dataset, resource)),
    }


def _releases(db: sqlite_utils.Database, dataset: Dataset, resource: Resource):
    """One release per row, row by row: a million tenders never sit in memory at once."""
    spec = resource.ext["ocds"]
    date = _date(dataset)
    cursor = db.execute(f"SELECT * FROM [{resource.name}] ORDER BY rowid")
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield _release(dict(zip(names, row, strict=True)), spec, resource.name, date)


def _date(dataset: Dataset) -> str:
    return f"{dataset.ext['updated']}T00:00:00Z"


def _package_head(dataset: Dataset, resource: Resource, base_url: str) -> dict:
    publisher = dataset.publisher
    licence = dataset.licence(dataset.descriptor["licenses"][0]["name"])
    where = f"{DOWNLOADS}/{dataset.id}/{table_file(resource.name, 'ocds')}"
    package = {
        "uri": f"{base_url.rstrip('/')}/{where}",
        "version": OCDS_VERSION,
        "publishedDate": _date(dataset),
        "publisher": {"name": publisher["name"]},
        "x_jendela": {**PREFIX_NOTE, "dataset": dataset.id, "table": resource.name},
    }
    if publisher.get("url"):
        package["publisher"]["uri"] = publisher["url"]
    if licence.get("path"):
        package["license"] = licence["path"]
    return package


def write_release_package(
    db: sqlite_utils.Database,
    dataset: Dataset,
    resource: Resource,
    folder: Path,
    base_url: str,
) -> Path:
    """Stream `<folder>/<resource>.ocds.json` (one release per line) and return its path; the
    build lists it as a download with format "ocds".

    `base_url` is the site's address (`build --base-url`): the package's `uri` is where the file
    is published. It has no default, so no caller can silently publish another host's address."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / table_file(resource.name, "ocds")
    head = json.dumps(_package_head(dataset, resource, base_url), ensure_ascii=False, indent=1)
    with open(path, "w", encoding="utf-8") as out:
        out.write(head[: head.rindex("}")].rstrip() + ',\n "releases": [')
        separator = "\n  "
        for release in _releases(db, dataset, resource):
            out.write(separator)
            out.write(json.dumps(release, ensure_ascii=False))
            separator = ",\n  "
        out.write("\n ]\n}\n")
    return path


def _release(row: dict, spec: dict, table: str, date: str) -> dict:
    key = str(row[spec["id"]])
    region = row.get("kode_wilayah")
    ocid = f"{OCID_PREFIX}{table}-{region}-{key}" if region else f"{OCID_PREFIX}{table}-{key}"
    planning = spec["stage"] == "planning"
    parties: dict[str, dict] = {}
    buyer = _party(parties, row.get("instansi") or row.get("satker"), "buyer")
    release: dict = {
        "ocid": ocid,
        "id": f"{spec['stage']}-{date[:10]}",
        "date": date,
        "tag": ["planning"] if planning else ["tender"],
        "initiationType": "tender",
        "language": "id",
    }
    if buyer:
        release["buyer"] = buyer
    tender: dict = {"id": key}
    if row.get("nama_paket"):
        tender["title"] = row["nama_paket"]
    tender["status"] = "planned" if planning else _tender_status(row.get("tahap"))
    if row.get("instansi") and row.get("satker"):
        tender["procuringEntity"] = _party(parties, row["satker"], "procuringEntity")
    if row.get("hps_rp") is not None:
        tender["value"] = _value(row["hps_rp"], row.get("hps_dibulatkan"))
    method = row.get("metode_pengadaan")
    if method:
        code = PROCUREMENT_METHOD.get(" ".join(method.lower().split()))
        if code:
            tender["procurementMethod"] = code
        tender["procurementMethodDetails"] = method
    elif row.get("kode_metode_pengadaan"):
        tender["procurementMethodDetails"] = f"kode metode SiRUP {row['kode_metode_pengadaan']}"
    category = _category(row.get("jenis_pengadaan"))
    if category:
        tender["mainProcurementCategory"] = category
    for name, start, end in (
        ("tenderPeriod", "tanggal_awal_pengadaan", "tanggal_akhir_pengadaan"),
        ("contractPeriod", "tanggal_awal_pekerjaan", "tanggal_akhir_pekerjaan"),
    ):
        period = {
            field: f"{row[column]}T00:00:00Z"
            for field, column in (("startDate", start), ("endDate", end))
            if row.get(column)
        }
        if period:
            tender[name] = period
    budget = {}
    if row.get("pagu_rp") is not None:
        budget["amount"] = _value(row["pagu_rp"], row.get("pagu_dibulatkan"))
    if row.get("sumber_dana"):
        budget["description"] = row["sumber_dana"]
    if budget:
        release["planning"] = {"budget": {"id": f"pagu-{key}", **budget}}
    release["tender"] = tender
    if not planning and (row.get("pemenang") or row.get("nilai_kontrak_rp") is not None):
        award: dict = {"id": f"{key}-award", "status": "active"}
        supplier = _party(parties, row.get("pemenang"), "supplier")
        if supplier:
            award["suppliers"] = [supplier]
        release["awards"] = [award]
        release["tag"].append("award")
        if row.get("nilai_kontrak_rp") is not None:
            value = _value(row["nilai_kontrak_rp"], row.get("nilai_kontrak_dibulatkan"))
            release["contracts"] = [
                {"id": f"{key}-contract", "awardID": award["id"], "value": value}
            ]
            release["tag"].append("contract")
    if parties:
        release["parties"] = list(parties.values())
    return release


def _party(parties: dict[str, dict], name: str | None, role: str) -> dict | None:
    """An OrganizationReference, adding the organisation (or its new role) to `parties`."""
    if not name:
        return None
    party_id = "org-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    party = parties.setdefault(party_id, {"id": party_id, "name": name, "roles": []})
    if role not in party["roles"]:
        party["roles"].append(role)
    return {"id": party_id, "name": name}


def _value(amount: int, rounded) -> dict:
    value = {"amount": int(amount), "currency": CURRENCY}
    if rounded is not None:
        value["valueRounded"] = bool(rounded)
    return value


def _tender_status(stage: str | None) -> str:
    text = (stage or "").lower()
    for pattern, status in TENDER_STATUS:
        if re.search(pattern, text):
            return status
    return "active"


def _category(kind: str | None) -> str | None:
    text = " ".join((kind or "").lower().split())
    for pattern, code in CATEGORY:
        if re.match(pattern, text):
            return code
    return None
