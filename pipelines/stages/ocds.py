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

Writing a million releases is a per-row Python job, so it is kept lean (issue 15): each row is
read as one tuple of the columns the mapping uses, the word mappings (stage, method, category,
party ids) are computed once per distinct word, and msgspec encodes each release; its one-line
format (`msgspec.json.format(indent=0)`) gives the bytes `json.dumps(ensure_ascii=False)` gave,
spaces after ":" and "," included (orjson has no such form). A big table's package is written by
an export worker process beside its XLSX (stages/export_jobs.py), reading the committed table in
rowid chunks (stages/rowid_chunks.py) while the build goes on.
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from pathlib import Path

import msgspec
import sqlite_utils

from ..core.chunks import chunk_rows
from ..core.layout import DOWNLOADS, table_file
from ..core.model import Dataset, Resource
from .rowid_chunks import CHUNK_ROWS, table_rows

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


# The columns a release is made of, after the table's id column, in the order _release unpacks
# them; a column the table lacks reads as NULL (the mapping leaves its part out).
COLUMNS = (
    "kode_wilayah", "instansi", "satker", "nama_paket", "tahap", "hps_rp", "hps_dibulatkan",
    "metode_pengadaan", "kode_metode_pengadaan", "jenis_pengadaan",
    "tanggal_awal_pengadaan", "tanggal_akhir_pengadaan",
    "tanggal_awal_pekerjaan", "tanggal_akhir_pekerjaan",
    "pagu_rp", "pagu_dibulatkan", "sumber_dana", "pemenang",
    "nilai_kontrak_rp", "nilai_kontrak_dibulatkan",
)  # fmt: skip
WORDS_CACHED = 1 << 16  # distinct words (stages, methods, organisation names) remembered
_encode = msgspec.json.Encoder().encode


def release_package(
    db: sqlite_utils.Database,
    dataset: Dataset,
    resource: Resource,
    base_url: str,
) -> dict:
    """The OCDS 1.1 release package of one published table, as a dict (for small tables and
    tests; the build streams it with write_release_package). `base_url` as in
    write_release_package."""
    spec, date = resource.ext["ocds"], release_date(dataset)
    return {
        **package_head(dataset, resource, base_url),
        "releases": list(_releases(db.conn, resource.name, spec, date)),
    }


def _releases(conn: sqlite3.Connection, table: str, spec: dict, date: str, chunk: int = CHUNK_ROWS):
    """One release per row, in rowid order, a chunk of rows at a time: a million tenders never
    sit in memory at once."""
    columns = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
    if spec["id"] not in columns:
        raise KeyError(spec["id"])
    wanted = (spec["id"], *COLUMNS)
    read = [c for c in wanted if c in columns]
    missing = len(read)  # the NULL appended to each row
    pick = itemgetter(*[read.index(c) if c in columns else missing for c in wanted])
    planning = spec["stage"] == "planning"
    release_id = f"{spec['stage']}-{date[:10]}"
    for row in table_rows(conn, table, read, chunk):
        yield _release(pick((*row, None)), planning, release_id, table, date)


def release_date(dataset: Dataset) -> str:
    """Every release's date and the package's: the dataset's `updated` day, so the same table
    always gives the same bytes."""
    return f"{dataset.ext['updated']}T00:00:00Z"


def package_head(dataset: Dataset, resource: Resource, base_url: str) -> dict:
    """The package's fields before its releases: its address, publisher, licence and the note
    that the ocid prefix is a placeholder."""
    publisher = dataset.publisher
    licence = dataset.licence(dataset.descriptor["licenses"][0]["name"])
    where = f"{DOWNLOADS}/{dataset.id}/{table_file(resource.name, 'ocds')}"
    package = {
        "uri": f"{base_url.rstrip('/')}/{where}",
        "version": OCDS_VERSION,
        "publishedDate": release_date(dataset),
        "publisher": {"name": publisher["name"]},
        "x_jendela": {**PREFIX_NOTE, "dataset": dataset.id, "table": resource.name},
    }
    if publisher.get("url"):
        package["publisher"]["uri"] = publisher["url"]
    if licence.get("path"):
        package["license"] = licence["path"]
    return package


def package_path(resource: Resource, folder: Path) -> Path:
    return folder / table_file(resource.name, "ocds")


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
    path = package_path(resource, folder)
    head = package_head(dataset, resource, base_url)
    spec, date = resource.ext["ocds"], release_date(dataset)
    write_package(db.conn, resource.name, head, spec, date, path, chunk_rows(CHUNK_ROWS))
    return path


def write_package_from_file(
    database: str, table: str, head: dict, spec: dict, date: str, path: str, chunk: int
) -> None:
    """An export worker's entry (stages/export_jobs.py): open the database read-only (a
    connection cannot cross processes), wait as long as the builder writes between two chunks,
    and write the package."""
    uri = Path(database).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=3600)
    try:
        write_package(conn, table, head, spec, date, Path(path), chunk)
    finally:
        conn.close()


def write_package(
    conn: sqlite3.Connection,
    table: str,
    head: dict,
    spec: dict,
    date: str,
    path: Path,
    chunk: int = CHUNK_ROWS,
) -> None:
    """The package: `head` as indented JSON, then the releases one per line."""
    text = json.dumps(head, ensure_ascii=False, indent=1)
    with open(path, "wb") as out:
        out.write((text[: text.rindex("}")].rstrip() + ',\n "releases": [').encode())
        releases = _releases(conn, table, spec, date, chunk)
        separator = b"\n  "
        while lines := [msgspec.json.format(_encode(r), indent=0) for r in islice(releases, chunk)]:
            out.write(separator + b",\n  ".join(lines))  # one write per chunk of releases
            separator = b",\n  "
        out.write(b"\n ]\n}\n")


def _release(row: tuple, planning: bool, release_id: str, table: str, date: str) -> dict:
    (key, region, instansi, satker, title, stage, hps, hps_rounded, method, method_code, kind,
     tender_start, tender_end, work_start, work_end, pagu, pagu_rounded, funds, winner,
     contract, contract_rounded) = row  # fmt: skip
    key = str(key)
    ocid = f"{OCID_PREFIX}{table}-{region}-{key}" if region else f"{OCID_PREFIX}{table}-{key}"
    parties: dict[str, dict] = {}
    buyer = _party(parties, instansi or satker, "buyer")
    release: dict = {
        "ocid": ocid,
        "id": release_id,
        "date": date,
        "tag": ["planning"] if planning else ["tender"],
        "initiationType": "tender",
        "language": "id",
    }
    if buyer:
        release["buyer"] = buyer
    tender: dict = {"id": key}
    if title:
        tender["title"] = title
    tender["status"] = "planned" if planning else _tender_status(stage)
    if instansi and satker:
        tender["procuringEntity"] = _party(parties, satker, "procuringEntity")
    if hps is not None:
        tender["value"] = _value(hps, hps_rounded)
    if method:
        code = _method_code(method)
        if code:
            tender["procurementMethod"] = code
        tender["procurementMethodDetails"] = method
    elif method_code:
        tender["procurementMethodDetails"] = f"kode metode SiRUP {method_code}"
    category = _category(kind)
    if category:
        tender["mainProcurementCategory"] = category
    for name, start, end in (
        ("tenderPeriod", tender_start, tender_end),
        ("contractPeriod", work_start, work_end),
    ):
        if start or end:
            period = {}
            if start:
                period["startDate"] = f"{start}T00:00:00Z"
            if end:
                period["endDate"] = f"{end}T00:00:00Z"
            tender[name] = period
    budget = {}
    if pagu is not None:
        budget["amount"] = _value(pagu, pagu_rounded)
    if funds:
        budget["description"] = funds
    if budget:
        release["planning"] = {"budget": {"id": f"pagu-{key}", **budget}}
    release["tender"] = tender
    if not planning and (winner or contract is not None):
        award: dict = {"id": f"{key}-award", "status": "active"}
        supplier = _party(parties, winner, "supplier")
        if supplier:
            award["suppliers"] = [supplier]
        release["awards"] = [award]
        release["tag"].append("award")
        if contract is not None:
            value = _value(contract, contract_rounded)
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
    party_id = _party_id(name)
    party = parties.get(party_id)
    if party is None:
        parties[party_id] = {"id": party_id, "name": name, "roles": [role]}
    elif role not in party["roles"]:
        party["roles"].append(role)
    return {"id": party_id, "name": name}


@lru_cache(maxsize=WORDS_CACHED)
def _party_id(name: str) -> str:
    return "org-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _value(amount: int, rounded) -> dict:
    value = {"amount": int(amount), "currency": CURRENCY}
    if rounded is not None:
        value["valueRounded"] = bool(rounded)
    return value


@lru_cache(maxsize=WORDS_CACHED)
def _tender_status(stage: str | None) -> str:
    text = (stage or "").lower()
    for pattern, status in TENDER_STATUS:
        if re.search(pattern, text):
            return status
    return "active"


@lru_cache(maxsize=WORDS_CACHED)
def _method_code(method: str) -> str | None:
    return PROCUREMENT_METHOD.get(" ".join(method.lower().split()))


@lru_cache(maxsize=WORDS_CACHED)
def _category(kind: str | None) -> str | None:
    text = " ".join((kind or "").lower().split())
    for pattern, code in CATEGORY:
        if re.match(pattern, text):
            return code
    return None
