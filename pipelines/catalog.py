"""Catalog stage: the static site (home page, one page per dataset) from descriptors and manifest.

Pages read only this view model, built from the descriptors (titles, data dictionary, licence)
and the build manifest (rows, downloads, checksums, validation), so nothing is written twice.
Links are relative, so the site works under any path prefix and on any static host.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from .model import ROOT, SAMPLE_LABEL, Dataset
from .registry import Catalog
from .release import site_dir
from .templates import environment

ASSETS_DIR = ROOT / "site" / "static"
PREVIEW_ROWS = 10
DATABASE = "jendela"


def dataset_view(dataset: Dataset, entry: dict, db: sqlite3.Connection | None) -> dict:
    vocabulary = dataset.vocabulary
    ext = dataset.ext
    publisher = dataset.publisher
    resources = []
    for resource in dataset.resources:
        built = entry.get("resources", {}).get(resource.name, {})
        fields = [
            {
                "name": f["name"],
                "type": f.get("type", "string"),
                "title": f.get("title", f["name"]),
                "description": f.get("description", ""),
                "en": (f.get("jendela") or {}).get("en", {}),
                "unit": (f.get("jendela") or {}).get("unit"),
                "constraints": f.get("constraints") or {},
                "primary_key": f["name"] in resource.primary_key,
            }
            for f in resource.fields
        ]
        resources.append(
            {
                "name": resource.name,
                "title": resource.title,
                "description": resource.descriptor.get("description", ""),
                "en": resource.ext.get("en", {}),
                "fields": fields,
                "rows": built.get("rows"),
                "downloads": built.get("downloads", []),
                "report": entry.get("reports", {}).get(resource.name),
                "preview": _preview(db, resource.name, resource.field_names) if built else None,
                "datasette": f"{DATABASE}/{resource.name}",
            }
        )
    return {
        "id": dataset.id,
        "title": dataset.title,
        "description": dataset.descriptor["description"],
        "en": ext["en"],
        "sample": dataset.is_sample,
        "sample_label": SAMPLE_LABEL,
        "keywords": dataset.descriptor.get("keywords", []),
        "publisher": publisher,
        "licences": [
            {**vocabulary.licences.get(lic["name"], {}), **lic}
            for lic in dataset.descriptor["licenses"]
        ],
        "sources": [
            {"title": s["title"], "path": s.get("path"), "accessed": s.get("accessed")}
            for s in dataset.descriptor.get("sources", [])
        ],
        "themes": [{"key": t, **vocabulary.themes[t]} for t in ext["themes"]],
        "frequency": vocabulary.frequencies.get(ext.get("frequency", ""), None),
        "updated": ext["updated"],
        "spatial": ext.get("spatial", []),
        "temporal": ext.get("temporal", {}),
        "status": entry.get("status", "failed"),
        "last_attempt_failed": entry.get("last_attempt_failed", False),
        "datapackage": entry.get("datapackage"),
        "resources": resources,
    }


def _preview(db: sqlite3.Connection | None, table: str, columns: list[str]) -> dict | None:
    if db is None:
        return None
    try:
        names = ", ".join(f"[{c}]" for c in columns)
        rows = db.execute(
            f"SELECT {names} FROM [{table}] ORDER BY rowid LIMIT {PREVIEW_ROWS}"
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    return {"columns": columns, "rows": rows}


def render_site(catalog: Catalog, manifest: dict, release: Path) -> list[dict]:
    site = site_dir(release)
    site.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS_DIR, site / "assets", dirs_exist_ok=True)
    db_path = release / manifest["database"]
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) if db_path.exists() else None
    try:
        views = [
            dataset_view(catalog.datasets[dataset_id], entry, db)
            for dataset_id, entry in manifest["datasets"].items()
            if dataset_id in catalog.datasets
        ]
    finally:
        if db is not None:
            db.close()
    env = environment()
    (site / "index.html").write_text(
        env.get_template("index.html").render(datasets=views, root=""), encoding="utf-8"
    )
    for view in views:
        page = site / "dataset" / view["id"] / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            env.get_template("dataset.html").render(dataset=view, root="../../"), encoding="utf-8"
        )
    return views
