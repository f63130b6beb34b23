"""A CKAN portal on loopback that replays real captured responses, for harvest tests.

What it serves, all read in place from ../shared/realdata (never copied):
- the packages of a real `package_search` answer (data.birmingham.gov.uk, XLS resources) and of a
  real `package_show` answer (opendata.swiss, language-dict titles, null licence, PDF/HTML);
- a real `organization_list` answer (registry.open.canada.ca, 337 organisations);
- four packages whose metadata is made here (marked `"jendela_test_fixture"` in extras) around
  real public files, so that CSV, XLSX and JSON downloads are exercised on real bytes: the Minas
  Gerais COVID-19 donations (CSV, `;`, BOM, decimal comma; its ids come from its
  datapackage.json), Open Data Jabar's poverty line (XLSX), emsifa's Kota Bogor districts (JSON)
  and Satu Data Tangsel's APBD realisation (CSV with a title row, "Rp847.542.209.097").

Every resource URL is rewritten onto this server, so nothing ever leaves the machine. Faults are
switched per test (`portal.fault(...)`): slow answers, HTTP 500 (always, or a few times then OK),
invalid JSON, a 404 file, an HTML page where CSV was promised, the Action API switched off.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from conftest import serve_in_thread

from pipelines.harvest.client import ClientSettings
from pipelines.harvest.harvester import HarvestOptions, harvest

HTML_ERROR = (
    b"<!DOCTYPE html>\n<html><head><title>Error</title></head>"
    b"<body><h1>Terjadi kesalahan</h1><p>Silakan login.</p></body></html>\n"
)


@dataclass
class Fault:
    kind: str  # "slow" | "http-500" | "invalid-json" | "404" | "html" | "api-disabled"
    times: int | None = None  # None = always; N = the first N requests only
    seconds: float = 0.0  # for "slow"
    status: int = 404  # for "api-disabled"


class ReplayPortal:
    def __init__(self, realdata: Path):
        self.realdata = realdata
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.faults: dict[str, Fault] = {}
        self.log: list[str] = []
        self.lock = threading.Lock()
        self.files: dict[str, bytes | Path] = {}
        self.packages: dict[str, dict] = {}
        self.organisations = _load(realdata / "ckan/open_canada_registry_organization_list.json")
        for package in _load(realdata / "ckan/birmingham_package_search.json")["result"]["results"]:
            self._add(package)
        self._add(_load(realdata / "ckan/opendata_swiss_bfs_package_show.json")["result"])
        for package, files in _made_packages(realdata):
            self._add(package, files)

    # -- control -------------------------------------------------------------------------------

    def __enter__(self) -> ReplayPortal:
        serve_in_thread(self.server)
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault(self, where: str, kind: str, **options) -> None:
        """`where`: an action name ("package_show:<name>" for one package), "file:<package>/<file>",
        or "api" for every action."""
        self.faults[where] = Fault(kind, **options)

    def touch(self, name: str, modified: str) -> None:
        self.packages[name]["metadata_modified"] = modified

    def replace_file(self, package: str, filename: str, content: bytes) -> None:
        self.files[f"/files/{package}/{filename}"] = content

    def delete(self, name: str) -> None:
        del self.packages[name]

    def requests_to(self, prefix: str) -> list[str]:
        return [line for line in self.log if line.startswith(prefix)]

    # -- content -------------------------------------------------------------------------------

    def _add(self, package: dict, files: dict[str, bytes | Path] | None = None) -> None:
        package = copy.deepcopy(package)
        for res in package.get("resources") or []:
            name = Path(urlparse(res.get("url") or "").path).name or f"{res['id']}.bin"
            path = f"/files/{package['name']}/{name}"
            res["url"] = f"{self.url}{path}"
            if files and name in files:
                self.files[path] = files[name]
        self.packages[package["name"]] = package

    def envelope(self, action: str, result) -> dict:
        return {
            "help": f"{self.url}/api/3/action/help_show?name={action}",
            "success": True,
            "result": result,
        }

    def error(self, action: str, kind: str, message: str) -> dict:
        return {
            "help": f"{self.url}/api/3/action/help_show?name={action}",
            "success": False,
            "error": {"__type": kind, "message": message},
        }

    def answer(self, action: str, params: dict) -> tuple[int, dict]:
        if action == "package_search":
            return 200, self.envelope(action, self._search(params))
        if action == "package_list":
            return 200, self.envelope(action, sorted(self.packages))
        if action == "package_show":
            key = params.get("id") or params.get("name_or_id", "")
            for package in self.packages.values():
                if key in (package["name"], package["id"]):
                    return 200, self.envelope(action, package)
            return 404, self.error(action, "Not Found Error", "Not found")
        if action == "organization_list":
            orgs = list(self.organisations["result"])
            known = {o["name"] for o in orgs}
            for package in self.packages.values():
                org = package.get("organization")
                if org and org["name"] not in known:
                    known.add(org["name"])
                    orgs.append(org)
            all_fields = params.get("all_fields", "false").lower() == "true"
            return 200, self.envelope(action, orgs if all_fields else [o["name"] for o in orgs])
        if action == "organization_show":
            for package in self.packages.values():
                org = package.get("organization") or {}
                if params.get("id") in (org.get("name"), org.get("id")):
                    return 200, self.envelope(action, org)
            return 404, self.error(action, "Not Found Error", "Not found")
        return 400, self.error(
            action, "Bad request", f"Bad request - Action name not known: {action}"
        )

    def _search(self, params: dict) -> dict:
        found = list(self.packages.values())
        q = params.get("q", "*:*")
        if q not in ("*:*", ""):
            words = q.lower().split()
            found = [p for p in found if all(w in json.dumps(p).lower() for w in words)]
        for clause in filter(None, params.get("fq", "").split(" AND ")):
            field, _, value = clause.partition(":")
            value = value.strip('"')
            if field == "organization":
                found = [p for p in found if (p.get("organization") or {}).get("name") == value]
            elif field == "tags":
                found = [p for p in found if value in [t["name"] for t in p.get("tags") or []]]
        found.sort(key=lambda p: p["name"])
        start, rows = int(params.get("start", 0)), int(params.get("rows", 10))
        return {
            "count": len(found),
            "sort": params.get("sort", "score desc, metadata_modified desc"),
            "facets": {},
            "search_facets": {},
            "results": found[start : start + rows],
        }

    def take_fault(self, *keys: str) -> Fault | None:
        with self.lock:
            for key in keys:
                fault = self.faults.get(key)
                if fault is None:
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault
        return None


def _handler(portal: ReplayPortal):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            params = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
            portal.log.append(parsed.path)
            if parsed.path.startswith(("/api/3/action/", "/api/action/")):
                action = parsed.path.rsplit("/", 1)[-1]
                keys = [f"{action}:{params.get('id', '')}", action, "api"]
                if self._faulted(portal.take_fault(*keys)):
                    return
                status, body = portal.answer(action, params)
                self._send(status, json.dumps(body).encode(), "application/json;charset=utf-8")
            elif parsed.path.startswith("/files/"):
                key = "file:" + parsed.path.removeprefix("/files/")
                if self._faulted(portal.take_fault(key)):
                    return
                content = portal.files.get(parsed.path)
                if content is None:
                    self._send(404, HTML_ERROR, "text/html")
                    return
                data = content.read_bytes() if isinstance(content, Path) else content
                self._send(200, data, "application/octet-stream")
            else:
                self._send(404, HTML_ERROR, "text/html")

        def _faulted(self, fault: Fault | None) -> bool:
            if fault is None:
                return False
            if fault.kind == "slow":
                time.sleep(fault.seconds)
                return False  # then answer normally (the client may have given up)
            if fault.kind == "http-500":
                self._send(500, HTML_ERROR, "text/html")
            elif fault.kind == "invalid-json":
                self._send(
                    200, b'{"help": "x", "success": true, "result": {"name": ', "application/json"
                )
            elif fault.kind == "404":
                self._send(404, HTML_ERROR, "text/html")
            elif fault.kind == "html":
                self._send(200, HTML_ERROR, "text/html; charset=utf-8")
            elif fault.kind == "api-disabled":
                self._send(fault.status, HTML_ERROR, "text/html")
            return True

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

    return Handler


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _made_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"jendela-test-fixture:{name}"))


def _made_packages(realdata: Path) -> list[tuple[dict, dict[str, Path]]]:
    """Test-made CKAN package dicts around real files (see the module docstring)."""
    note = [{"key": "jendela_test_fixture", "value": "metadata made by tests/ckan_replay.py"}]
    mg = _load(realdata / "ckan/frictionless_mg_doacoes_covid19/datapackage.json")
    mg_dir = realdata / "ckan/frictionless_mg_doacoes_covid19"
    made = [
        (
            {
                "id": _made_id("doacoes-covid-19"),
                "name": mg["name"],
                "title": mg["title"],
                "notes": mg["description"],
                "license_id": "cc-by",
                "license_title": "Creative Commons Attribution",
                "metadata_modified": "2021-06-01T12:00:00.000000",
                "state": "active",
                "organization": {
                    "id": _made_id("cge-mg"),
                    "name": "cge-mg",
                    "title": "Controladoria-Geral do Estado de Minas Gerais",
                },
                "tags": [{"name": k, "display_name": k} for k in mg["keywords"]],
                "groups": [],
                "extras": note,
                "resources": [
                    {
                        "id": res["id"],
                        "name": res["title"],
                        "description": res.get("description", ""),
                        "format": "CSV",
                        "url": f"https://example.invalid/{Path(res['path']).name}",
                    }
                    for res in mg["resources"]
                ],
            },
            {Path(r["path"]).name: mg_dir / r["path"] for r in mg["resources"]},
        ),
        (
            {
                "id": _made_id("garis-kemiskinan-jabar"),
                "name": "garis-kemiskinan-jabar",
                "title": "Garis Kemiskinan per Kapita per Bulan Provinsi Jawa Barat",
                "notes": "Angka garis kemiskinan (rupiah per kapita per bulan) Jawa Barat.",
                "license_id": "cc-by",
                "metadata_modified": "2021-10-01T08:00:00.000000",
                "state": "active",
                "organization": {
                    "id": _made_id("diskominfo-jabar"),
                    "name": "diskominfo-jabar",
                    "title": "Dinas Komunikasi dan Informatika Provinsi Jawa Barat",
                },
                "tags": [{"name": "kemiskinan", "display_name": "kemiskinan"}],
                "groups": [{"name": "kependudukan", "title": "Kependudukan"}],
                "extras": note,
                "resources": [
                    {
                        "id": _made_id("garis-kemiskinan-jabar/xlsx"),
                        "name": "Garis kemiskinan provinsi",
                        "format": "XLSX",
                        "url": "https://example.invalid/garis_kemiskinan.xlsx",
                    },
                    {
                        "id": _made_id("garis-kemiskinan-jabar/pdf"),
                        "name": "Metodologi",
                        "format": "PDF",
                        "url": "https://example.invalid/metodologi.pdf",
                    },
                ],
            },
            {"garis_kemiskinan.xlsx": realdata / "messy/odj_garis_kemiskinan_provinsi.xlsx"},
        ),
        (
            {
                "id": _made_id("kecamatan-kota-bogor"),
                "name": "kecamatan-kota-bogor",
                "title": "Kecamatan di Kota Bogor (API Wilayah Indonesia)",
                "notes": "Daftar kecamatan Kota Bogor dengan kode BPS, dari API statis emsifa.",
                "license_id": "MIT",
                "license_title": "MIT License",
                "license_url": "https://opensource.org/licenses/MIT",
                "metadata_modified": "2020-01-15T00:00:00",
                "state": "active",
                "organization": {"id": _made_id("emsifa"), "name": "emsifa", "title": "emsifa"},
                "tags": [{"name": "wilayah", "display_name": "wilayah"}],
                "groups": [{"name": "wilayah", "title": "Wilayah"}],
                "extras": note,
                "resources": [
                    {
                        "id": _made_id("kecamatan-kota-bogor/json"),
                        "name": "Kecamatan",
                        "format": "JSON",
                        "url": "https://example.invalid/3271.json",
                    }
                ],
            },
            {"3271.json": realdata / "regions/emsifa_static_api_kota_bogor/districts/3271.json"},
        ),
        (
            {
                "id": _made_id("realisasi-apbd-tangsel"),
                "name": "realisasi-apbd-tangsel",
                "title": "Realisasi APBD Kota Tangerang Selatan Menurut Jenis Belanja 2021-2022",
                "notes": "Jumlah nilai realisasi APBD menurut jenis belanja (rupiah).",
                "license_id": "cc-by",
                "metadata_modified": "2023-02-01T00:00:00",
                "state": "active",
                "organization": {
                    "id": _made_id("bappeda-tangsel"),
                    "name": "bappeda-tangsel",
                    "title": "Bappeda Kota Tangerang Selatan",
                },
                "tags": [{"name": "apbd", "display_name": "apbd"}],
                "groups": [{"name": "anggaran", "title": "Anggaran"}],
                "extras": note,
                "resources": [
                    {
                        "id": _made_id("realisasi-apbd-tangsel/csv"),
                        "name": "Realisasi menurut jenis belanja",
                        "format": "csv",
                        "url": "https://example.invalid/realisasi.csv",
                    }
                ],
            },
            {
                "realisasi.csv": realdata
                / "budget/tangsel_realisasi_apbd_jenis_belanja_2021-2022.csv"
            },
        ),
    ]
    return made


FAST = ClientSettings(timeout=5, retries=0, backoff=0)


def run(project: Path, portal: ReplayPortal, settings: ClientSettings = FAST, **selection):
    return harvest(
        HarvestOptions(
            portal=portal.url,
            datasets_dir=project / "datasets",
            metadata_dir=project / "metadata",
            cache_dir=project / ".cache",
            settings=settings,
            today="2025-05-25",
            **selection,
        )
    )
