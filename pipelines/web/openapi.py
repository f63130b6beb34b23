"""The OpenAPI 3 document of our Datasette JSON API, generated from the Table Schemas.

Every published table gets its JSON endpoint (column filters, facets, `_search`, `_size`, `_next`
pagination, sorting) and its CSV export; every canned query gets its JSON endpoint with its named
parameters. Types, enums, titles and descriptions come from the Table Schemas the release
publishes (`downloads/<dataset>/datapackage.json`, written from the descriptors: DESIGN rule 2),
the queries and page limit from the running server's own configuration, so the document can
drift from neither the data nor the server.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.layout import DATABASE
from .query_parameters import describe

OPENAPI_VERSION = "3.0.3"
# SQLite integers are 64-bit: a larger number in a filter is not a valid value.
INTEGER = {"type": "integer", "format": "int64", "minimum": -(2**63), "maximum": 2**63 - 1}
JSON_TYPES = {
    "integer": INTEGER,
    "year": INTEGER,
    "number": {"type": "number"},
    "boolean": {"type": "integer", "enum": [0, 1]},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string"},
}
ORDERED = ("integer", "year", "number", "date", "datetime")
# Datasette's filter lookups we document: (suffix, Indonesian, English), by column kind.
LOOKUPS_ANY = (
    ("__not", "tidak sama dengan", "not equal to"),
    ("__in", "salah satu dari daftar dipisah koma", "one of a comma-separated list"),
)
LOOKUPS_TEXT = (
    ("__contains", "memuat teks", "contains the text"),
    ("__startswith", "diawali teks", "starts with the text"),
)
LOOKUPS_ORDERED = (
    ("__gt", "lebih dari", "greater than"),
    ("__gte", "sedikitnya", "at least"),
    ("__lt", "kurang dari", "less than"),
    ("__lte", "paling banyak", "at most"),
)
# `_next` is not offered as a parameter: its token (the last row's key, led by the sort value on a
# sorted page) is the server's to issue, and OpenAPI cannot say "only a value from next_url". A
# made-up token answers a bilingual 400 (next_token.py).
NEXT_URL = (
    "Alamat halaman berikutnya (dengan penanda `_next`); ikuti apa adanya / The next page's "
    "address (with its `_next` token); follow it as given"
)
# `__in` lists are comma-separated; Datasette also reads a list that starts with `[` as a JSON
# array, so a value starting with `[` that is not one is refused (error_pages.py). The documented
# form is the comma-separated one.
COMMA_LIST = {"type": "string", "pattern": r"^([^\[][\s\S]*)?$"}
EXTRAS = ["count", "facet_results", "facets_timed_out", "columns", "primary_keys"]
COLUMN_CHOICE = (
    ("_col", "Hanya kolom ini (boleh diulang) / Only these columns (may repeat)"),
    ("_nocol", "Tanpa kolom ini (boleh diulang) / Without these columns (may repeat)"),
)
SHAPES = {
    "objects": "satu halaman: `rows` berisi objek (bawaan) / one page: `rows` of objects (default)",
    "array": "larik objek baris saja / a bare array of row objects",
}


def _value_schema(field: dict) -> dict:
    schema = dict(JSON_TYPES.get(field.get("type", "string"), {"type": "string"}))
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        schema["enum"] = list(enum)
    return schema


def _labelled(schema: dict) -> dict:
    """A foreign-key cell: its value, or with `_labels=on` the value and the row's label."""
    value = {k: v for k, v in schema.items() if k != "description"}
    label = {"type": "string", "nullable": True}
    pair = {"type": "object", "properties": {"value": value, "label": label}}
    return {
        "anyOf": [value, pair],
        "nullable": schema.get("nullable", False),
        "description": schema["description"],
    }


def _row_schema(fields: list[dict], foreign_keys: set[str] = frozenset()) -> dict:
    properties = {}
    for field in fields:
        schema = _value_schema(field)
        for key in ("format", "enum", "minimum", "maximum"):
            schema.pop(key, None)  # describe what SQLite returns, without re-validating the data
        required = (field.get("constraints") or {}).get("required")
        if not required:
            schema["nullable"] = True
        en = ((field.get("jendela") or {}).get("en") or {}).get("title", "")
        schema["description"] = f"{field.get('title', field['name'])} / {en}".strip(" /")
        properties[field["name"]] = _labelled(schema) if field["name"] in foreign_keys else schema
    return {"type": "object", "properties": properties}


def _filter_parameters(fields: list[dict]) -> list[dict]:
    parameters = []
    for field in fields:
        name, kind = field["name"], field.get("type", "string")
        value = _value_schema(field)
        title = field.get("title", name)
        plain = {k: v for k, v in value.items() if k != "enum"}
        lookups = [("", "sama dengan", "equal to", value)]
        lookups += [
            (s, i, e, COMMA_LIST if s.endswith("in") else {"type": "string"})
            for s, i, e in LOOKUPS_ANY
        ]
        if kind in ORDERED:
            lookups += [(s, i, e, plain) for s, i, e in LOOKUPS_ORDERED]
        else:
            lookups += [(s, i, e, {"type": "string"}) for s, i, e in LOOKUPS_TEXT]
        for suffix, indonesian, english, schema in lookups:
            parameters.append(
                {
                    "name": f"{name}{suffix}",
                    "in": "query",
                    "required": False,
                    "description": f"{title}: {indonesian} / {english}",
                    "schema": schema,
                }
            )
    return parameters


def _error_response(csv: bool = False) -> dict:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    if csv:
        # Datasette answers a bad CSV request in JSON or in plain text, depending on the error.
        content["text/plain"] = {"schema": {"type": "string"}}
    return {
        "description": "Permintaan tidak sah, misalnya kolom tidak dikenal atau kueri melewati "
        "batas waktu / Bad request, e.g. an unknown column or a query over the time limit",
        "content": content,
    }


def _table_paths(name: str, info: dict, fields: list[dict], max_rows: int) -> dict:
    columns = [f["name"] for f in fields]
    common = _filter_parameters(fields)
    if info["fts"]:
        common.append(
            {
                "name": "_search",
                "in": "query",
                "required": False,
                "description": "Pencarian teks penuh / Full-text search",
                "schema": {"type": "string"},
            }
        )
    sort = [
        {
            "name": "_sort",
            "in": "query",
            "required": False,
            "description": "Urutkan naik menurut kolom ini; `_sort_desc=kolom` untuk urutan turun "
            "(tidak boleh bersama `_sort`) / Sort ascending by this column; `_sort_desc=column` "
            "sorts descending (not together with `_sort`)",
            "schema": {"type": "string", "enum": columns},
        },
        {
            "name": "_sort_desc",
            "in": "query",
            "required": False,
            "description": "Urutkan turun menurut kolom ini (tidak boleh bersama `_sort`) / Sort "
            "descending by this column (not together with `_sort`)",
            "schema": {"type": "string", "enum": columns},
        },
        *[
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": {"type": "array", "items": {"type": "string", "enum": choice}},
                "style": "form",
                "explode": True,
            }
            for name, text, choice in (
                (*COLUMN_CHOICE[0], columns),
                # the primary key always comes with its row: Datasette refuses to leave it out
                (*COLUMN_CHOICE[1], [c for c in columns if c not in info["primary_key"]]),
            )
            if choice
        ],
        {
            "name": "_labels",
            "in": "query",
            "required": False,
            "description": "Kode yang merujuk tabel lain ditulis dengan labelnya: "
            '`{"value": "32.71", "label": "Kota Bogor"}` (CSV: kolom `<kolom>_label`) / Codes '
            "that refer to another table come with their label (CSV: a `<column>_label` column)",
            "schema": {"type": "string", "enum": ["on"]},
        },
    ]
    size = {
        "name": "_size",
        "in": "query",
        "required": False,
        "description": f"Baris per halaman, paling banyak {max_rows} / Rows per page, at most "
        f"{max_rows}",
        "schema": {"type": "integer", "minimum": 0, "maximum": max_rows},
    }
    json_params = [
        *common,
        *sort,
        size,
        {
            "name": "_facet",
            "in": "query",
            "required": False,
            "description": "Kolom yang dihitung per nilai (pakai dengan _extra=facet_results) / "
            "Columns to count by value (use with _extra=facet_results)",
            "schema": {"type": "array", "items": {"type": "string", "enum": columns}},
            "style": "form",
            "explode": True,
        },
        {
            "name": "_extra",
            "in": "query",
            "required": False,
            "description": "Bagian tambahan jawaban / Extra parts of the response",
            "schema": {"type": "array", "items": {"type": "string", "enum": EXTRAS}},
            "style": "form",
            "explode": True,
        },
        {
            "name": "_facet_size",
            "in": "query",
            "required": False,
            "description": "Berapa nilai per faset / How many values per facet",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_rows},
        },
        {
            "name": "_shape",
            "in": "query",
            "required": False,
            "description": "Bentuk jawaban / Shape of the answer: "
            + "; ".join(f"`{k}` = {v}" for k, v in SHAPES.items()),
            "schema": {"type": "string", "enum": list(SHAPES)},
        },
        {
            "name": "_nl",
            "in": "query",
            "required": False,
            "description": "Dengan `_shape=array`: satu objek JSON per baris teks (text/plain) / "
            "With `_shape=array`: one JSON object per line of text (text/plain)",
            "schema": {"type": "string", "enum": ["on"]},
        },
    ]
    title = info["title"]
    row_ref = {"$ref": f"#/components/schemas/{name}"}
    page = {
        "type": "object",
        "required": ["ok", "rows"],
        "properties": {
            "ok": {"type": "boolean"},
            "next": {"type": "string", "nullable": True},
            "next_url": {
                "type": "string",
                "nullable": True,
                "description": NEXT_URL,
            },
            "rows": {"type": "array", "items": row_ref},
            "truncated": {"type": "boolean"},
            "count": {"type": "integer", "nullable": True},
            "facet_results": {"type": "object"},
        },
    }
    csv_params = [
        *common,
        *sort,
        {
            "name": "_stream",
            "in": "query",
            "required": False,
            "description": "Semua baris yang cocok, bukan satu halaman / "
            "Every matching row, not one page",
            "schema": {"type": "string", "enum": ["on"]},
        },
        {
            "name": "_dl",
            "in": "query",
            "required": False,
            "description": "Kirim sebagai berkas unduhan / Send as a file download",
            "schema": {"type": "string", "enum": ["on"]},
        },
    ]
    csv_note = (
        f" Seluruh tabel tanpa filter tersedia lengkap di {info['csv']} / The whole "
        f"table is complete at {info['csv']}."
        if info["csv"]
        else ""
    )
    return {
        f"/{DATABASE}/{name}.json": {
            "get": {
                "operationId": f"{name}_json",
                "summary": title,
                "description": info["description"],
                "tags": [name],
                "parameters": json_params,
                "responses": {
                    "200": {
                        "description": "Satu halaman baris / One page of rows",
                        "content": {
                            "application/json": {
                                "schema": {"anyOf": [page, {"type": "array", "items": row_ref}]}
                            },
                            "text/plain": {"schema": {"type": "string"}},
                        },
                    },
                    "400": _error_response(),
                },
            }
        },
        f"/{DATABASE}/{name}.csv": {
            "get": {
                "operationId": f"{name}_csv",
                "summary": f"{title} (CSV)",
                "description": "Ekspor CSV; dengan `_stream=on` semua baris yang cocok, tanpa "
                "dipotong / CSV export; with `_stream=on` every matching row, never cut."
                + csv_note,
                "tags": [name],
                "parameters": csv_params,
                "responses": {
                    "200": {
                        "description": "CSV (UTF-8)",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "text/plain": {"schema": {"type": "string"}},
                        },
                    },
                    "302": {"description": "Ke berkas siap unduh / To the prebuilt file"},
                    "400": _error_response(csv=True),
                },
            }
        },
    }


def _query_paths(name: str, query: dict, plugin_config: dict) -> dict:
    parameters = [
        {
            "name": param,
            "in": "query",
            "required": False,
            "description": describe(plugin_config, name, param),
            "schema": {"type": "string"},
        }
        for param in query.get("params") or []
    ]
    return {
        f"/{DATABASE}/{name}.json": {
            "get": {
                "operationId": f"query_{name}",
                "summary": " ".join(query.get("title", name).split()),
                "description": " ".join((query.get("description") or "").split()),
                "tags": ["kueri / queries"],
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "Hasil kueri / Query results",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Query"}}
                        },
                    },
                    "400": _error_response(),
                },
            }
        }
    }


def load_packages(site_dir: Path) -> list[dict]:
    """The release's Data Package descriptors, one per published dataset."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(site_dir.glob("downloads/*/datapackage.json"))
    ]


def _names(fields: str | list[str] | None) -> list[str]:
    """Table Schema writes one field as a string, several as a list."""
    return [fields] if isinstance(fields, str) else list(fields or [])


def _table_info(package: dict, resource: dict) -> dict:
    ext = resource.get("jendela") or {}
    en = ext.get("en") or {}
    return {
        "title": f"{resource.get('title', resource['name'])} / {en.get('title', '')}".strip(" /"),
        "description": " / ".join(
            " ".join(text.split())
            for text in (resource.get("description", ""), en.get("description", ""))
            if text
        ),
        "fts": bool(ext.get("fts")),
        "primary_key": _names(resource["schema"].get("primaryKey")),
        "csv": f"/downloads/{package['name']}/{resource['path']}" if resource.get("path") else None,
    }


def openapi_document(
    packages: list[dict], tables: set[str], queries: dict, max_rows: int, plugin_config: dict
) -> dict:
    """The document for the published `tables` found in `packages`, and the canned `queries`
    (their parameters described from `plugin_config`: query_parameters.py)."""
    paths: dict = {}
    schemas: dict = {
        "Error": {
            "type": "object",
            "properties": {
                "ok": {"type": "boolean"},
                "error": {"type": "string"},
                "status": {"type": "integer"},
                "title": {"type": "string", "nullable": True},
            },
        },
        "Query": {
            "type": "object",
            "required": ["ok", "rows"],
            "properties": {
                "ok": {"type": "boolean"},
                "rows": {"type": "array", "items": {"type": "object"}},
                "truncated": {"type": "boolean"},
            },
        },
    }
    for package in packages:
        for resource in package.get("resources", []):
            name = resource["name"]
            if name not in tables:
                continue
            fields = resource["schema"]["fields"]
            keys = {
                column
                for key in resource["schema"].get("foreignKeys") or []
                for column in _names(key["fields"])
            }
            schemas[name] = _row_schema(fields, keys)
            paths.update(_table_paths(name, _table_info(package, resource), fields, max_rows))
    for name, query in sorted(queries.items()):
        paths.update(_query_paths(name, query, plugin_config))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Jendela Data API",
            "version": "1",
            "description": (
                "API JSON baca-saja atas data terbuka pemerintah daerah, dilayani Datasette. Tanpa "
                "kunci API; CORS aktif. / Read-only JSON API over open regional-government data, "
                "served by Datasette. No API key; CORS is on."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items()))},
    }
