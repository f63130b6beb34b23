"""Machine-readable catalog: DCAT-AP JSON-LD, Project Open Data data.json, schema.org Dataset.

Harvesters (data.go.id-style CKAN portals, the EU data portal, Google Dataset Search) read these
instead of our pages. All three come from the same view model as the pages, so a title or a
checksum is never written twice. Absolute URLs are required by each standard; they are built on
the site's `base_url`. catalog.jsonld carries its @context inline, so it parses offline.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.bilingual import pair
from ..core.indonesian import format_number
from ..core.layout import CATALOG_JSONLD, DATA_JSON, NOT_DATA_FORMATS
from .templates import translate

SITE_NAME = "Jendela Data"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA = "https://www.iana.org/assignments/media-types/"
DATA_PACKAGE = "https://datapackage.org/standard/data-package/"
# The OCDS release package schema, by its `id`: the 1.1 patch release that
# tests/stages/test_ocds.py checks ocds.py's packages against (the packages say `"version": "1.1"`).
OCDS_RELEASE_PACKAGE = (
    "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"
)
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "zip": "application/zip",
    "datapackage": "application/json",
    "ocds": "application/json",
}
FILE_TYPES = {
    "csv": "CSV",
    "json": "JSON",
    "xlsx": "XLSX",
    "parquet": "PARQUET",
    "zip": "ZIP",
    "datapackage": "JSON",
    "ocds": "JSON",
}
# Project Open Data wants ISO 8601 repeating durations; "never" has no equivalent and is omitted.
POD_PERIODICITY = {
    "annual": "R/P1Y",
    "semiannual": "R/P6M",
    "quarterly": "R/P3M",
    "monthly": "R/P1M",
    "irregular": "irregular",
}
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "locn": "http://www.w3.org/ns/locn#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "oa": "http://www.w3.org/ns/oa#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def distributions(view: dict) -> list[dict]:
    """Every data file of a dataset: (resource or None, download entry). A table's schema file is
    not one: it is what the table's files conform to (see conforms_to)."""
    files = [
        (r, d)
        for r in view["resources"]
        for d in r["downloads"]
        if d["format"] not in NOT_DATA_FORMATS
    ]
    files += [(None, view[k]) for k in ("datapackage", "zip") if view.get(k)]
    return files


def conforms_to(resource: dict | None, download: dict, base: str) -> str | None:
    """The specification a file follows: the Data Package standard for datapackage.json and the
    zip, the OCDS release package schema for `.ocds.json`, and the table's own Table Schema
    (`<table>.schema.json`) for its CSV, JSON, XLSX and Parquet."""
    if download["format"] in ("datapackage", "zip"):
        return DATA_PACKAGE
    if download["format"] == "ocds":
        return OCDS_RELEASE_PACKAGE
    return table_schema(resource, base)


def table_schema(resource: dict | None, base: str) -> str | None:
    """Address of a table's `<table>.schema.json`, when the build wrote one."""
    return base + resource["schema"]["path"] if resource and resource.get("schema") else None


def _lang_values(value: dict) -> list[dict]:
    return [{"@value": value[lang], "@language": lang} for lang in ("id", "en") if value.get(lang)]


def _runs(view: dict) -> list[tuple[str, str]]:
    """The years the tables hold as date ranges, one per run of consecutive years: a gap in the
    data is not stated as covered."""
    runs: list[list[int]] = []
    for year in sorted(set(view["years"])):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return [(f"{a}-01-01", f"{b}-12-31") for a, b in runs]


def _period(view: dict) -> tuple[str, str] | None:
    """First and last day of the years present (data.json allows one interval only)."""
    runs = _runs(view)
    return (runs[0][0], runs[-1][1]) if runs else None


def _location(place: dict) -> dict:
    location = {"@type": "dct:Location", "locn:geographicName": place["name"]}
    if place.get("code"):
        location["dct:identifier"] = place["code"]
    return location


def dcat_catalog(views: list[dict], base: str, operator: dict | None = None) -> dict:
    """A DCAT-AP 3 catalog (dcat:Catalog with dcat:Dataset and dcat:Distribution) in JSON-LD."""
    datasets = []
    for view in views:
        licence = view["licences"][0].get("path") if view["licences"] else None
        publisher = {
            "@type": "foaf:Agent",
            "foaf:name": _lang_values(view["publisher_name"]),
        }
        if view["publisher"].get("url"):
            publisher["@id"] = view["publisher"]["url"]
        files = []
        for resource, download in distributions(view):
            title = resource["title"] if resource else {"id": download["path"].rsplit("/", 1)[1]}
            entry = {
                "@id": base + download["path"],
                "@type": "dcat:Distribution",
                "dct:title": _lang_values(title)
                + ([] if not resource else [{"@value": download["format"].upper()}]),
                "dcat:accessURL": {"@id": view["url"]["id"]},
                "dcat:downloadURL": {"@id": base + download["path"]},
                "dcat:mediaType": {"@id": IANA + MEDIA_TYPES.get(download["format"], "")},
                "dct:format": {"@id": EU_FILE_TYPE + FILE_TYPES.get(download["format"], "BIN")},
                "dcat:byteSize": {
                    "@value": str(download["bytes"]),
                    "@type": "xsd:nonNegativeInteger",
                },
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                    "spdx:checksumValue": {"@value": download["sha256"], "@type": "xsd:hexBinary"},
                },
            }
            if licence:
                entry["dct:license"] = {"@id": licence}
            standard = conforms_to(resource, download, base)
            if standard:
                entry["dct:conformsTo"] = {"@id": standard}
            files.append(entry)
        dataset = {
            "@id": view["url"]["id"],
            "@type": "dcat:Dataset",
            "dct:identifier": view["id"],
            "dct:title": _lang_values(view["title"]),
            "dct:description": _lang_values(view["description_text"]),
            "dcat:keyword": [{"@value": k, "@language": "id"} for k in view["keywords"]],
            "dcat:theme": [{"@id": t["uri"]} for t in view["themes"] if t.get("uri")],
            "dct:publisher": publisher,
            "dcat:contactPoint": {
                "@type": "vcard:Organization",
                "vcard:fn": view["publisher"]["name"],
                **(
                    {"vcard:hasURL": {"@id": view["publisher"]["url"]}}
                    if view["publisher"].get("url")
                    else {}
                ),
            },
            "dct:modified": {"@value": view["updated"], "@type": "xsd:date"},
            "dcat:landingPage": [{"@id": view["url"]["id"]}, {"@id": view["url"]["en"]}],
            "dct:language": [{"@id": EU_LANGUAGE + "IND"}, {"@id": EU_LANGUAGE + "ENG"}],
            "dct:spatial": [_location(place) for place in view["places"]],
            "dct:source": [{"@id": s["path"]} for s in view["sources"] if s.get("path")],
            "dcat:distribution": files,
        }
        if view["frequency"] and view["frequency"].get("uri"):
            dataset["dct:accrualPeriodicity"] = {"@id": view["frequency"]["uri"]}
        if view["years"]:
            dataset["dct:temporal"] = [
                {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": {"@value": start, "@type": "xsd:date"},
                    "dcat:endDate": {"@value": end, "@type": "xsd:date"},
                }
                for start, end in _runs(view)
            ]
        quality = _quality_annotations(view, base)
        if quality:
            dataset["dqv:hasQualityAnnotation"] = quality
        if view["spatial"]:
            # The summary in words ("Jawa Timur: 38 kabupaten/kota"), beside the places.
            dataset["dct:coverage"] = _lang_values(view["spatial"])
        datasets.append(dataset)
    modified = max((v["updated"] for v in views), default=None)
    catalog = {
        "@context": DCAT_CONTEXT,
        "@id": base + CATALOG_JSONLD,
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": SITE_NAME, "@language": "id"},
            {"@value": SITE_NAME, "@language": "en"},
        ],
        "dct:description": [
            {"@value": "Data terbuka pemerintah daerah Indonesia.", "@language": "id"},
            {"@value": "Open data of Indonesian regional governments.", "@language": "en"},
        ],
        "foaf:homepage": {"@id": base},
        "dct:language": [{"@id": EU_LANGUAGE + "IND"}, {"@id": EU_LANGUAGE + "ENG"}],
        "dct:publisher": _operator_agent(operator),
        "dcat:dataset": datasets,
    }
    if modified:
        catalog["dct:modified"] = {"@value": modified, "@type": "xsd:date"}
    return catalog


def _operator_agent(operator: dict | None) -> dict:
    """The catalog's publisher: who runs this instance (metadata/catalog.yaml `operator`), not
    the publishers of its datasets, who are credited on each dataset."""
    if not operator:
        return {"@type": "foaf:Agent", "foaf:name": SITE_NAME}
    agent = {
        "@type": "foaf:Agent",
        "foaf:name": _lang_values(pair(operator["name"], operator.get("name_en"))),
    }
    if operator.get("url"):
        agent["@id"] = operator["url"]
    if operator.get("email"):
        agent["foaf:mbox"] = {"@id": f"mailto:{operator['email']}"}
    return agent


def project_open_data(views: list[dict], base: str, operator: dict | None = None) -> dict:
    """data.json in the Project Open Data metadata schema v1.1 (DCAT-US).

    contactPoint.hasEmail is required there: a publisher without a known public address is
    reached through the catalog operator's contact (metadata/catalog.yaml).
    """
    datasets = []
    fallback = (operator or {}).get("contact") or {}
    for view in views:
        contact = {"@type": "vcard:Contact", "fn": view["publisher"]["name"]}
        email = view["publisher"].get("email") or fallback.get("email")
        if email:
            contact["hasEmail"] = f"mailto:{email}"
            if not view["publisher"].get("email"):
                contact["fn"] = f"{fallback.get('name', '')} ({view['publisher']['name']})".strip()
        entry = {
            "@type": "dcat:Dataset",
            "identifier": view["url"]["id"],
            "title": view["title"]["id"],
            "description": view["description_text"]["id"],
            "keyword": view["keywords"] or [view["id"]],
            "modified": view["updated"],
            "publisher": {"@type": "org:Organization", "name": view["publisher"]["name"]},
            "contactPoint": contact,
            "accessLevel": "public",
            "landingPage": view["url"]["id"],
            "language": ["id", "en"],
            "theme": [t["title"]["en"] for t in view["themes"]],
            "spatial": view["spatial"]["id"] if view["spatial"] else None,
            "describedBy": base + view["datapackage"]["path"] if view.get("datapackage") else None,
            "describedByType": "application/json" if view.get("datapackage") else None,
            "distribution": [
                _pod_distribution(resource, d, base) for resource, d in distributions(view)
            ],
        }
        if view["licences"] and view["licences"][0].get("path"):
            entry["license"] = view["licences"][0]["path"]
        _pod_validation_note(entry, view, base)
        period = _period(view)
        if period:
            entry["temporal"] = f"{period[0]}/{period[1]}"
        periodicity = POD_PERIODICITY.get((view["frequency"] or {}).get("key", ""))
        if periodicity:
            entry["accrualPeriodicity"] = periodicity
        datasets.append({k: v for k, v in entry.items() if v is not None})
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": base + DATA_JSON,
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": datasets,
    }


# --- Validation status (the same words as the dataset page: "Lolos validasi" only when clean) ---


def validation_statuses(view: dict, base: str) -> list[dict]:
    """One entry per table with a validation report: its status in both languages, whether it is
    clean (valid, no warnings), and the report's address (at its warnings when it has some)."""
    statuses = []
    for resource in view["resources"]:
        report = resource.get("report")
        if not report:
            continue
        count = report.get("warnings") or 0
        clean = bool(report["valid"]) and not count
        if clean:
            key = "valid"
        elif report["valid"]:
            key = "valid_with_one_warning" if count == 1 else "valid_with_warnings"
        elif report.get("quarantined") and resource.get("quarantined"):
            key, count = "published_quarantined", resource["quarantined"]
        else:
            key = "invalid"
        text = {
            lang: f"{resource['name']}: "
            + translate(key, lang).format(n=format_number(count, lang=lang))
            for lang in ("id", "en")
        }
        anchor = "#warnings" if count and report["valid"] else ""
        statuses.append({"clean": clean, "text": text, "url": base + report["html"] + anchor})
    return statuses


def _quality_annotations(view: dict, base: str) -> list[dict]:
    """DQV quality annotations (W3C Data Quality Vocabulary, used by DCAT-AP): per table, its
    validation status as a comment, the report as the annotation's body."""
    return [
        {
            "@type": "dqv:QualityAnnotation",
            "oa:motivatedBy": {"@id": "dqv:qualityAssessment"},
            "oa:hasTarget": {"@id": view["url"]["id"]},
            "oa:hasBody": {"@id": status["url"]},
            "rdfs:comment": _lang_values(status["text"]),
        }
        for status in validation_statuses(view, base)
    ]


def _pod_validation_note(entry: dict, view: dict, base: str) -> None:
    """data.json has no quality field: the reports go in `references` (related documents), and a
    dataset whose reports are not clean says so at the end of its description."""
    statuses = validation_statuses(view, base)
    if statuses:
        entry["references"] = [status["url"] for status in statuses]
    notes = [f"{s['text']['id']} ({s['url']})" for s in statuses if not s["clean"]]
    if notes:
        entry["description"] += " Catatan validasi: " + "; ".join(notes) + "."


def _pod_distribution(resource: dict | None, download: dict, base: str) -> dict:
    """One data.json distribution; a table's file is `describedBy` its Table Schema (the data
    dictionary, in DCAT-US terms), an OCDS file `conformsTo` the OCDS schema."""
    entry = {
        "@type": "dcat:Distribution",
        "title": resource["title"]["id"] if resource else download["path"].rsplit("/", 1)[1],
        "downloadURL": base + download["path"],
        "mediaType": MEDIA_TYPES.get(download["format"], "application/octet-stream"),
        "format": download["format"].upper(),
    }
    standard = conforms_to(resource, download, base)
    if standard and standard == table_schema(resource, base):
        entry["describedBy"] = standard
        entry["describedByType"] = "application/json"
    elif standard:
        entry["conformsTo"] = standard
    return entry


def schema_org_dataset(view: dict, base: str, lang: str) -> dict:
    """schema.org/Dataset for one page: what Google Dataset Search reads (name, description,
    plus the recommended url, identifier, license, creator, distribution, coverage, variables)."""
    description = view["description_text"][lang]
    if len(description) < 50:  # Google Dataset Search wants 50 to 5000 characters
        description = f"{view['title'][lang]}: {description}"
    if view["sample"]:
        label = view["sample_label"]
        description = f"{label['id']} / {label['en']}. {description}"
    creator = {"@type": "Organization", "name": view["publisher_name"][lang]}
    if view["publisher"].get("url"):
        creator["url"] = view["publisher"]["url"]
    document = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": view["url"][lang],
        "name": view["title"][lang],
        "description": description[:5000],
        "url": view["url"][lang],
        "identifier": view["id"],
        "keywords": view["keywords"],
        "inLanguage": lang,
        "isAccessibleForFree": True,
        "creator": creator,
        "publisher": creator,
        "dateModified": view["updated"],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": SITE_NAME, "url": base},
        "isBasedOn": [s["path"] for s in view["sources"] if s.get("path")],
        "spatialCoverage": [
            {
                "@type": "Place",
                "name": place["name"],
                **({"identifier": place["code"]} if place.get("code") else {}),
            }
            for place in view["places"]
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d["path"].rsplit("/", 1)[1],
                "encodingFormat": MEDIA_TYPES.get(d["format"], "application/octet-stream"),
                "contentUrl": base + d["path"],
                "contentSize": str(d["bytes"]),
            }
            for _, d in distributions(view)
        ],
        "variableMeasured": [
            {
                "@type": "PropertyValue",
                "name": f["name"],
                "description": f["description"][lang],
                **({"unitText": f["unit"]} if f["unit"] else {}),
            }
            for r in view["resources"]
            for f in r["fields"]
        ],
    }
    if view["licences"] and view["licences"][0].get("path"):
        document["license"] = view["licences"][0]["path"]
    # ISO 8601 years or year intervals, one per run of consecutive years present.
    runs = [a[:4] if a[:4] == b[:4] else f"{a[:4]}/{b[:4]}" for a, b in _runs(view)]
    if runs:
        document["temporalCoverage"] = runs[0] if len(runs) == 1 else runs
    return document


def write_machine_readable(
    views: list[dict], site: Path, base: str, operator: dict | None = None
) -> None:
    for name, document in (
        (CATALOG_JSONLD, dcat_catalog(views, base, (operator or {}).get("operator"))),
        (DATA_JSON, project_open_data(views, base, operator)),
    ):
        (site / name).write_text(
            json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
