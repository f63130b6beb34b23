"""search-index.json: what the home page's search box looks in, built at build time.

A static host runs no search server, so the index is a small JSON file the browser fetches once
(site/static/catalog.js). It holds, per dataset and in both languages, the title, description,
keywords, themes and publisher, the regions and years the tables hold (names of the provinces and
kabupaten/kota touched), and every column's name, title and description: a journalist who types
"HPS", "kecamatan" or "Surabaya" finds the table even when no title says so.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.layout import SEARCH_INDEX


def search_documents(views: list[dict]) -> list[dict]:
    documents = []
    for view in views:
        columns = [
            {
                "resource": resource["name"],
                "name": f["name"],
                "text": " ".join(
                    [f["name"], f["title"]["id"], f["title"]["en"]]
                    + [f["description"]["id"], f["description"]["en"]]
                ),
            }
            for resource in view["resources"]
            for f in resource["fields"]
        ]
        documents.append(
            {
                "id": view["id"],
                "title": view["title"],
                # Fields weighed apart for relevance (catalog.js): a word of the title counts
                # more than one of the keywords or themes, which counts more than the rest.
                "heading": " ".join([view["id"], view["title"]["id"], view["title"]["en"]]),
                "keywords": " ".join(
                    view["keywords"]
                    + [t["title"]["id"] + " " + t["title"]["en"] for t in view["themes"]]
                ),
                "text": " ".join(
                    [view["id"], view["title"]["id"], view["title"]["en"]]
                    + [view["description_text"]["id"], view["description_text"]["en"]]
                    + view["keywords"]
                    + [t["title"]["id"] + " " + t["title"]["en"] for t in view["themes"]]
                    + [view["publisher_name"]["id"], view["publisher_name"]["en"]]
                    + [
                        r["name"] + " " + r["title"]["id"] + " " + r["title"]["en"]
                        for r in view["resources"]
                    ]
                    + ([view["spatial"]["id"], view["spatial"]["en"]] if view["spatial"] else [])
                ),
                # Coverage as the tables hold it: "Surabaya" or "2022" finds the datasets with
                # rows for Kota Surabaya or that year, whatever their titles say. A field of its
                # own, weighed least: the 514 names of a national table would otherwise outrank
                # a title that says "Jawa Barat".
                "places": " ".join(view["region_names"] + [str(year) for year in view["years"]]),
                "columns": columns,
                "updated": view["updated"],
            }
        )
    return documents


def write_search_index(views: list[dict], site: Path) -> Path:
    path = site / SEARCH_INDEX
    path.write_text(
        json.dumps(
            {"version": 1, "datasets": search_documents(views)},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        + "\n",
        encoding="utf-8",
    )
    return path
