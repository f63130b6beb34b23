"""Datasette metadata generated from the descriptors, so no title or description is written twice.

datasette.yaml (hand-written) holds settings and canned queries; this writes `metadata.json` into
the release: instance, database and per-table title, description, licence, source and column
descriptions, plus the per-table facets, full-text and sort settings Datasette takes from there.
"""

from __future__ import annotations

import json
from pathlib import Path

from .catalog import DATABASE
from .model import SAMPLE_LABEL, Dataset
from .registry import Catalog

INSTANCE = {
    "title": "Jendela Data",
    "description": (
        "Data terbuka anggaran, pengadaan, dan kependudukan pemerintah daerah. / "
        "Open budget, procurement and population data of Indonesian regional governments."
    ),
    "about": "Katalog / Catalog",
    "about_url": "/",
}


def table_metadata(dataset: Dataset) -> dict:
    tables = {}
    licence = dataset.vocabulary.licences.get(dataset.descriptor["licenses"][0]["name"], {})
    source = dataset.descriptor["sources"][0]
    sample = f" ({SAMPLE_LABEL['id']} / {SAMPLE_LABEL['en']})" if dataset.is_sample else ""
    for resource in dataset.resources:
        en = resource.ext.get("en", {})
        description = " ".join(
            part
            for part in (resource.descriptor.get("description", ""), en.get("description", ""))
            if part
        )
        columns = {}
        for field in resource.fields:
            unit = (field.get("jendela") or {}).get("unit")
            field_en = (field.get("jendela") or {}).get("en", {}).get("description", "")
            text = field.get("description", "")
            if field_en:
                text += f" / {field_en}"
            if unit:
                text += f" [{unit}]"
            columns[field["name"]] = text
        entry = {
            "title": f"{resource.title} / {en.get('title', resource.title)}{sample}",
            "description": description + sample,
            "license": licence.get("title", dataset.descriptor["licenses"][0]["name"]),
            "license_url": licence.get("path", ""),
            "source": source["title"],
            "source_url": source.get("path", ""),
            "columns": columns,
        }
        if resource.facet_columns:
            entry["facets"] = resource.facet_columns
        if resource.fts_columns:
            entry["fts_table"] = f"{resource.name}_fts"
            entry["fts_pk"] = "rowid"
        tables[resource.name] = entry
    return tables


def datasette_metadata(catalog: Catalog, manifest: dict) -> dict:
    tables: dict = {}
    for dataset_id, entry in manifest["datasets"].items():
        if entry.get("resources") and dataset_id in catalog.datasets:
            published = set(entry["resources"])
            generated = table_metadata(catalog.datasets[dataset_id])
            tables.update({k: v for k, v in generated.items() if k in published})
    return {**INSTANCE, "databases": {DATABASE: {"tables": dict(sorted(tables.items()))}}}


def write_datasette_files(catalog: Catalog, manifest: dict, release: Path) -> Path:
    path = release / "metadata.json"
    path.write_text(
        json.dumps(datasette_metadata(catalog, manifest), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return path
