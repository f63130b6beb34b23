"""Catalog stage: the static site (home page, one page per dataset, in Indonesian and in English)
plus its machine-readable companions (search index, DCAT, data.json, sitemap, feeds).

Pages read only this view model, built from the descriptors (titles, data dictionary, licence)
and the build manifest (rows, coverage, downloads, checksums, validation), so nothing is written
twice.
Text that exists in two languages is a `{"id": ..., "en": ...}` pair; each page picks its own.
Links are relative, so the site works under any path prefix and on any static host; absolute URLs
appear only where a standard demands them (sitemap, feeds, DCAT, citations), built on `base_url`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from ..core.bilingual import LANGUAGES, pair
from ..core.freshness import Freshness, freshness
from ..core.layout import (
    ASSETS,
    DATABASE,
    DATAPACKAGE,
    LANGUAGE_PREFIX,
    METHODOLOGY_PAGE,
    NOT_DATA_FORMATS,
    site_dir,
)
from ..core.manifest import DatasetEntry, Manifest
from ..core.markdown import markdown_html, markdown_text, summary_and_notes
from ..core.model import SAMPLE_LABEL, Dataset, read_yaml
from ..core.registry import Catalog
from ..stages import export
from .charts import chart_panels, chart_spec, naming_column, referenced_labels
from .dcat import schema_org_dataset, write_machine_readable
from .dictionary import constraint_words
from .feeds import write_feeds
from .maps import choropleth
from .methodology import methodology_view
from .options import SiteOptions
from .scorecard import LABELS as SCORE_LABELS
from .scorecard import publish as publish_scorecard
from .scorecard import scorecard
from .search import write_search_index
from .templates import ASSETS_DIR, environment, translate

PREVIEW_ROWS = 10
PREVIEW_CHARS = 300  # longer text is shortened in the preview
FACET_TOP = 4  # values of a facet shown before its "more" control


def region_names(catalog: Catalog, db: sqlite3.Connection | None) -> dict[str, str]:
    """Code -> name of every region in the catalog's region tables (keyed by a region code)."""
    names: dict[str, str] = {}
    if db is None:
        return names
    for dataset in catalog.datasets.values():
        for resource in dataset.resources:
            keys = resource.primary_key
            fields = {f["name"]: f for f in resource.fields}
            if len(keys) != 1 or resource.parse_kind(fields[keys[0]]) != "region_code":
                continue
            label = naming_column(resource)
            if label is None:
                continue
            try:
                rows = db.execute(f"SELECT [{keys[0]}], [{label}] FROM [{resource.name}]")
                names.update({str(code): str(name) for code, name in rows if code})
            except sqlite3.OperationalError:
                continue
    return names


def dataset_view(
    dataset: Dataset,
    entry: DatasetEntry,
    db: sqlite3.Connection | None,
    catalog: Catalog | None = None,
    options: SiteOptions | None = None,
    regions: dict[str, str] | None = None,
) -> dict:
    options = options or SiteOptions()
    regions = regions or {}
    vocabulary = dataset.vocabulary
    ext = dataset.ext
    publisher = dataset.publisher
    frequency = vocabulary.frequencies.get(ext.get("frequency", ""))
    # Coverage as the build computed it from the loaded tables (pipelines/stages/coverage.py).
    coverage = entry.coverage or {}
    resources = [
        _resource_view(dataset, resource, entry, db, catalog, options, regions)
        for resource in dataset.resources
    ]
    # Formats the data comes in (the facet).
    formats = sorted(
        {
            d["format"]
            for r in resources
            for d in r["downloads"]
            if d["format"] not in NOT_DATA_FORMATS
        }
    )
    view = {
        "id": dataset.id,
        "title": pair(dataset.title, ext["en"].get("title")),
        "description_html": pair(
            markdown_html(dataset.descriptor["description"]),
            markdown_html(ext["en"].get("description") or ""),
        ),
        "description_text": pair(
            markdown_text(dataset.descriptor["description"]),
            markdown_text(ext["en"].get("description") or ""),
        ),
        # What the data is (the description's first paragraph) for the summary at the top, and
        # the technical notes after it for their own section lower down.
        **_summary_and_notes(dataset.descriptor["description"], ext["en"].get("description")),
        "sample": dataset.is_sample if entry.sample is None else entry.sample,
        "sample_label": SAMPLE_LABEL.as_dict(),
        "keywords": dataset.descriptor.get("keywords", []),
        "publisher": {"key": ext["publisher"], **publisher},
        "publisher_name": pair(publisher["name"], publisher.get("name_en")),
        "licences": [
            {
                **dataset.licence(lic["name"]),
                "summary": pair(
                    vocabulary.licences.get(lic["name"], {}).get("summary"),
                    vocabulary.licences.get(lic["name"], {}).get("en", {}).get("summary"),
                ),
            }
            for lic in dataset.descriptor["licenses"]
        ],
        "sources": [
            {"title": s["title"], "path": s.get("path"), "accessed": s.get("accessed")}
            for s in dataset.descriptor.get("sources", [])
        ],
        "provenance": provenance_groups(entry),
        "themes": [
            {
                "key": t,
                "title": pair(vocabulary.themes[t]["title"], vocabulary.themes[t]["en"]["title"]),
                "uri": vocabulary.themes[t].get("uri"),
            }
            for t in ext["themes"]
        ],
        "frequency": (
            {
                "key": ext["frequency"],
                "title": pair(frequency["title"], frequency.get("en", {}).get("title")),
                "uri": frequency.get("uri"),
            }
            if frequency
            else None
        ),
        "updated": source_date(entry) or ext["updated"],
        "freshness": dataset_freshness(dataset, entry, options.day).as_dict(),
        "coverage": coverage,
        "rows": coverage.get("rows"),
        "spatial": coverage.get("spatial"),  # {"id", "en"} summary, or None
        "places": coverage.get("places") or [],  # what DCAT and schema.org name
        # The region facet: the provinces the tables touch, by code. A kabupaten/kota is found by
        # typing its name (the search index holds the names of every one present): 514 of them
        # as checkboxes would bury the datasets.
        "facet_regions": sorted(
            [
                {"code": r["code"], "name": r.get("name") or r["code"]}
                for r in coverage.get("provinces", [])
            ],
            key=lambda r: r["code"],
        ),
        # Every province and kabupaten/kota the tables touch, by name: what the search finds.
        "region_names": [
            r.get("name") or r["code"]
            for r in coverage.get("provinces", []) + coverage.get("kabkota", [])
        ],
        "years": coverage.get("years") or [],
        "period": coverage.get("period"),  # {"id", "en"} "2021–2024", or None
        "status": entry.status,
        "last_attempt_failed": bool(entry.last_attempt_failed),
        "datapackage": entry.datapackage,
        "zip": entry.zip,
        "formats": formats + [f for f in ("datapackage", "zip") if getattr(entry, f)],
        "resources": resources,
        "page": f"dataset/{dataset.id}/index.html",
        "url": {
            lang: f"{options.base}{LANGUAGE_PREFIX[lang]}dataset/{dataset.id}/"
            for lang in LANGUAGES
        },
    }
    # The one primary action: the first published table, filterable in Datasette.
    view["explore"] = next((r for r in resources if r["downloads"]), None)
    view["figures"] = _key_figures(view, coverage)
    view["citation"] = {
        lang: translate("citation_format", lang).format(
            publisher=view["publisher_name"][lang],
            year=view["updated"][:4],
            title=view["title"][lang],
            updated=view["updated"],
            url=view["url"][lang],
        )
        for lang in LANGUAGES
    }
    return view


def dataset_freshness(dataset: Dataset, entry: DatasetEntry, day: dt.date) -> Freshness:
    """A dataset's freshness on `day` (core/freshness.py): its declared frequency counted from
    its source's last change (`source_date`, else the descriptor's `updated`)."""
    last = source_date(entry) or dataset.ext["updated"]
    return freshness(dataset.ext.get("frequency"), last, day)


def _summary_and_notes(description: str, description_en: str | None) -> dict:
    summary_id, notes_id = summary_and_notes(description)
    summary_en, notes_en = summary_and_notes(description_en or "")
    return {
        "summary_html": pair(markdown_html(summary_id), markdown_html(summary_en)),
        "notes_html": pair(markdown_html(notes_id), markdown_html(notes_en)),
    }


def _key_figures(view: dict, coverage: dict) -> list[dict]:
    """The few numbers that say how big the data is, from the computed coverage: rows, tables,
    years and regions (the translation key of each figure's words, and its value)."""
    figures = []
    if view["rows"] is not None:
        figures.append({"key": "figure_rows", "value": view["rows"]})
    tables = sum(1 for r in view["resources"] if r["downloads"])
    figures.append({"key": "figure_tables", "value": tables})
    if view["years"]:
        figures.append({"key": "figure_years", "value": len(view["years"])})
    places = len(coverage.get("kabkota") or []) or len(coverage.get("provinces") or [])
    if places:
        key = "figure_kabkota" if coverage.get("kabkota") else "figure_provinces"
        figures.append({"key": key, "value": places})
    return figures


def source_date(entry: DatasetEntry) -> str | None:
    """When the data last changed at its source: the newest publication date among the snapshots
    the tables were built from (their provenance records; the retrieval date where the
    publication date is unknown), not a date written by hand. None when no input has a record
    (a harvested or `--source` build), and the descriptor's date stands."""
    sources = [s for r in entry.resources.values() for s in r.get("sources", [])]
    published = [s["commit_date"] for s in sources if s.get("commit_date")]
    # a snapshot whose publication date is unknown is dated by when it was retrieved
    retrieved = [s["retrieved"] for s in sources if s.get("retrieved")]
    return max(published or retrieved, default=None)


def provenance_groups(entry: DatasetEntry) -> list[dict]:
    """The snapshots a dataset was built from, as the manifest records them (fetch.py copies each
    file's provenance record there), grouped by where they came from: one line for the 152 DJPK
    exports of one repository commit, with their count, instead of 152 lines."""
    groups: dict[tuple, dict] = {}
    seen: set[str] = set()
    for resource in entry.resources.values():
        for source in resource.get("sources", []):
            # one line per snapshot file (two files may hold the same bytes)
            if "url" not in source or source["file"] in seen:
                continue
            seen.add(source["file"])
            origin = source.get("origin") or {}
            publisher = source.get("publisher") or {}
            key = (
                source.get("repository"),
                source.get("commit"),
                source.get("retrieved"),
                source.get("licence_as_stated"),
                publisher.get("name"),
                origin.get("name"),
            )
            group = groups.setdefault(
                key,
                {
                    "repository": source.get("repository"),
                    "commit": source.get("commit"),
                    "retrieved": source.get("retrieved"),
                    "licence_as_stated": source.get("licence_as_stated"),
                    "publisher": publisher,
                    "origin": origin,
                    "files": [],
                },
            )
            group["files"].append({k: source.get(k) for k in ("file", "url", "sha256", "bytes")})
    for group in groups.values():
        group["files"].sort(key=lambda f: f["file"] or "")
    return sorted(groups.values(), key=lambda g: g["files"][0]["file"] or "")


def _resource_view(dataset, resource, entry, db, catalog, options, regions) -> dict:
    built = entry.resources.get(resource.name, {})
    fields = [
        {
            "name": f["name"],
            "type": f.get("type", "string"),
            "title": pair(
                f.get("title", f["name"]), (f.get("jendela") or {}).get("en", {}).get("title")
            ),
            "description": pair(
                f.get("description", ""),
                (f.get("jendela") or {}).get("en", {}).get("description"),
            ),
            "unit": (f.get("jendela") or {}).get("unit"),
            "constraints": f.get("constraints") or {},
            "constraints_said": {
                lang: constraint_words(f.get("constraints") or {}, f.get("type", "string"), lang)
                for lang in LANGUAGES
            },
            "primary_key": f["name"] in resource.primary_key,
        }
        for f in resource.fields
    ]
    rows = built.get("rows")
    downloads = built.get("downloads", [])
    view = {
        "name": resource.name,
        "title": pair(resource.title, resource.ext.get("en", {}).get("title")),
        "description": pair(
            resource.descriptor.get("description", ""),
            resource.ext.get("en", {}).get("description"),
        ),
        "fields": fields,
        "string_fields": [f["name"] for f in fields if f["type"] in ("string", "date")],
        "rows": rows,
        # Rows set aside under `on_error: quarantine` (published apart, with their reasons).
        "quarantined": built.get("quarantined"),
        "downloads": downloads,
        # `<table>.schema.json` (export.py); DCAT names it as what the other files conform to.
        "schema": next((d for d in downloads if d["format"] == "schema"), None),
        # export.py writes no XLSX for a table over Excel's sheet or cell limit; the page says
        # which (the translation key of the reason).
        "xlsx_skipped": _xlsx_skipped(built),
        "report": entry.reports.get(resource.name),
        "preview": _preview(db, resource.name, resource.field_names) if built else None,
        "datasette": f"{DATABASE}/{resource.name}",
        "charts": [],
        "chart_split": None,
        "map": None,
        "map_note": None,
    }
    spec = chart_spec(resource, str(dataset.descriptor_path))
    if spec is None or db is None or not built:
        return view
    target = None
    if catalog is not None:
        for fk in resource.foreign_keys:
            if fk.get("fields") in (spec.category, [spec.category]):
                owner = catalog.owner_of(fk["reference"]["resource"])
                target = owner.resource(fk["reference"]["resource"]) if owner else None
    labels = referenced_labels(db, resource, spec.category, target)
    panels = chart_panels(db, resource, spec, labels)
    view["charts"] = [{"panel": p, "layout": p.layout()} for p in panels]
    category_field = next(f for f in fields if f["name"] == spec.category)
    view["chart_category"] = category_field["title"]
    view["chart_measure"] = next(f for f in fields if f["name"] == spec.values[0])["title"]
    view["chart_split"] = (
        next(f for f in fields if f["name"] == spec.split)["title"] if spec.split else None
    )
    view["chart_panels_field"] = (
        next(f for f in fields if f["name"] == spec.panels)["title"] if spec.panels else None
    )
    is_region = (
        resource.parse_kind(next(f for f in resource.fields if f["name"] == spec.category))
        == "region_code"
    )
    codes = {c for p in panels for c, _ in p.categories}
    # A map only where the data is below the city: kecamatan (32.71.01) or kelurahan level.
    if is_region and codes and all(c.count(".") >= 2 for c in codes) and len(panels) == 1:
        panel = panels[0]
        totals = {
            code: sum(panel.values.get((code, s.key)) or 0 for s in panel.series)
            for code, _ in panel.categories
        }
        value_field = next(f for f in fields if f["name"] == spec.values[0])
        view["map_value"] = value_field["title"]
        view["map_unit"] = value_field["unit"]
        if options.boundaries is not None:
            view["map"] = choropleth(options.boundaries, totals, {**regions, **labels})
        else:
            view["map_note"] = "map_none"
    return view


def _xlsx_skipped(built: dict) -> str | None:
    if not built.get("downloads") or any(d["format"] == "xlsx" for d in built["downloads"]):
        return None
    return "xlsx_skipped" if built.get("rows", 0) > export.XLSX_MAX_ROWS else "xlsx_skipped_long"


def _preview(db: sqlite3.Connection | None, table: str, columns: list[str]) -> dict | None:
    """The first rows, every text over PREVIEW_CHARS shortened with "…" (in SQL, so a long
    cell is never read whole): a preview is a glimpse, the downloads hold the full values."""
    if db is None:
        return None
    try:
        names = ", ".join(
            f"CASE WHEN typeof([{c}]) = 'text' AND length([{c}]) > {PREVIEW_CHARS} "
            f"THEN substr([{c}], 1, {PREVIEW_CHARS}) || '…' ELSE [{c}] END"
            for c in columns
        )
        rows = db.execute(
            f"SELECT {names} FROM [{table}] ORDER BY rowid LIMIT {PREVIEW_ROWS}"
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    return {"columns": columns, "rows": rows}


def render_site(
    catalog: Catalog,
    manifest: Manifest,
    release: Path,
    options: SiteOptions | None = None,
    previous: Path | None = None,
    kept: list[dict] | None = None,
) -> list[dict]:
    """Every page; `previous` and `kept` (the releases kept, stages/history.py) give the
    scorecard its history (catalog/scorecard.py)."""
    options = options or SiteOptions()
    site = site_dir(release)
    site.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ASSETS_DIR, site / ASSETS, dirs_exist_ok=True)
    db_path = release / manifest.database
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) if db_path.exists() else None
    try:
        regions = region_names(catalog, db)
        views = [
            dataset_view(catalog.datasets[dataset_id], entry, db, catalog, options, regions)
            for dataset_id, entry in manifest.datasets.items()
            if dataset_id in catalog.datasets
        ]
    finally:
        if db is not None:
            db.close()
    views.sort(key=lambda v: v["id"])
    views.sort(key=lambda v: v["updated"], reverse=True)  # newest first; sort is stable
    facets = _facets(views)
    for view in views:
        view["jsonld"] = {lang: schema_org_dataset(view, options.base, lang) for lang in LANGUAGES}
    card = scorecard(views, catalog, release, previous, kept or [{"id": "-", "date": "-"}])
    env = environment()
    env.globals["score_labels"] = SCORE_LABELS
    env.globals["methodology"] = bool(manifest.indicators)
    # Who runs this instance (metadata/catalog.yaml `operator`), named in every page's header.
    settings = read_yaml(catalog.vocabulary.directory / "catalog.yaml") or {}
    env.globals["operator"] = settings.get("operator")
    for lang in LANGUAGES:
        prefix = LANGUAGE_PREFIX[lang]
        _write(
            site / prefix / "index.html",
            env.get_template("index.html").render(
                datasets=views,
                facets=facets,
                lang=lang,
                page="index.html",
                base_url=options.base,
                **_links(lang, "index.html", "../" * prefix.count("/")),
            ),
        )
        for view in views:
            depth = prefix.count("/") + 2
            _write(
                site / prefix / view["page"],
                env.get_template("dataset.html").render(
                    dataset=view,
                    lang=lang,
                    page=view["page"],
                    base_url=options.base,
                    **_links(lang, view["page"], "../" * depth),
                    boundaries=options.boundaries,
                ),
            )
    if manifest.indicators and db_path.exists():
        _write_methodology(env, manifest, db_path, site, options)
    publish_scorecard(env, card, views, release, options.base)
    write_search_index(views, site)
    write_machine_readable(views, site, options.base, settings)
    write_feeds(views, site, options.base)
    return views


def _write_methodology(env, manifest: Manifest, db_path: Path, site: Path, options) -> None:
    """The red-flag methodology page in both languages (catalog/methodology.py)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        view = methodology_view(db, manifest)
    finally:
        db.close()
    for lang in LANGUAGES:
        prefix = LANGUAGE_PREFIX[lang]
        _write(
            site / prefix / METHODOLOGY_PAGE,
            env.get_template(METHODOLOGY_PAGE).render(
                view=view,
                lang=lang,
                page=METHODOLOGY_PAGE,
                base_url=options.base,
                **_links(lang, METHODOLOGY_PAGE, "../" * prefix.count("/")),
            ),
        )


def _facets(views: list[dict]) -> list[dict]:
    """Facet groups of the home page, values sorted, with counts (the JS filters on them)."""

    def group(key: str, values: dict) -> dict:
        counts: dict[str, int] = {}
        for v in views:
            for value in v["facet_values"][key]:
                counts[value] = counts.get(value, 0) + 1
        options = [
            {"value": value, "label": values.get(value, pair(value, value)), "count": n}
            for value, n in sorted(counts.items())
        ]
        # The most common values first and shown; the rest folded under "more", by name.
        top = sorted(options, key=lambda o: -o["count"])[:FACET_TOP]
        return {
            "key": key,
            "options": options,
            "top": top,
            "more": [o for o in options if o not in top],
        }

    themes, regions, publishers = {}, {}, {}
    for v in views:
        v["facet_values"] = {
            "theme": [t["key"] for t in v["themes"]],
            "region": [r["code"] for r in v["facet_regions"]],
            "year": [str(y) for y in v["years"]],
            "publisher": [v["publisher"]["key"]],
            "format": v["formats"],
        }
        themes.update({t["key"]: t["title"] for t in v["themes"]})
        regions.update({r["code"]: pair(r["name"], r["name"]) for r in v["facet_regions"]})
        publishers[v["publisher"]["key"]] = v["publisher_name"]
    formats = {f: pair(f.upper(), f.upper()) for v in views for f in v["formats"]}
    formats.update({"datapackage": pair(DATAPACKAGE, DATAPACKAGE)})
    formats["parquet"] = pair("Parquet", "Parquet")
    years = group("year", {})
    years["range"] = sorted({int(o["value"]) for o in years["options"]})
    return [
        group("theme", themes),
        group("region", regions),
        years,
        group("publisher", publishers),
        group("format", formats),
    ]


def _links(lang: str, page: str, root: str) -> dict:
    """Relative links of one page: the site root, its language's home and the other language."""
    other = next(code for code in LANGUAGES if code != lang)
    return {
        "root": root,
        "home": root + LANGUAGE_PREFIX[lang],
        "switch": root + LANGUAGE_PREFIX[other] + page,
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
