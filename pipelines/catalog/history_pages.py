"""The pages and feeds of a release's history: the releases kept ("Rilis / Releases"), each
dataset's changes against the release before ("Perubahan / Changes": page, JSON, Atom), the
catalog-wide feed of changes, and the overdue datasets ("Terlambat / Overdue": page, Atom).

They read what the build already wrote: the history (stages/history.py), the `perubahan` table
of this release's database and of each archived one (stages/changes.py), and each dataset's
freshness in its view (core/freshness.py). Feed dates are release dates and due dates, never the
build's clock, so the same inputs and the same --today give the same bytes.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..core.bilingual import LANGUAGES
from ..core.layout import (
    CHANGES_FEED,
    CHANGES_JSON,
    CHANGES_PAGE,
    CHANGES_TABLE,
    DATABASE_FILE,
    LANGUAGE_PREFIX,
    MANIFEST_FILE,
    OVERDUE_FEED,
    OVERDUE_PAGE,
    RELEASES_DIR,
    RELEASES_INDEX,
    RELEASES_PAGE,
    site_dir,
)
from ..core.manifest import Manifest
from .templates import environment

SHOWN_CHANGES = 200  # cell changes listed on a page; the JSON and Datasette hold them all


def write_history_pages(views: list[dict], release: Path, options, history: list[dict]) -> None:
    """Every page and feed of the module docstring, in both languages."""
    site = site_dir(release)
    env = environment()
    base = options.base
    summaries = [_release_changes(site, entry) for entry in history]
    current = _changes(release / DATABASE_FILE, None)
    overdue = sorted(
        (v for v in views if v["freshness"]["overdue"]),
        key=lambda v: (v["freshness"]["due"], v["id"]),
    )
    for view in views:
        rows = current.get(view["id"], [])
        data = _changes_json(view["id"], history, rows)
        folder = site / "dataset" / view["id"]
        _write(folder / CHANGES_JSON, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    for lang in LANGUAGES:
        prefix = LANGUAGE_PREFIX[lang]
        root = "../" * prefix.count("/")
        common = {
            "lang": lang,
            "base_url": base,
            "history": history,
            "names": {"manifest": MANIFEST_FILE, "database": DATABASE_FILE},
        }
        _page(env, site, prefix, RELEASES_PAGE, root, common, releases=_release_rows(site, history))
        _page(env, site, prefix, OVERDUE_PAGE, root, common, datasets=overdue)
        _feed(
            env,
            site / prefix / OVERDUE_FEED,
            "atom-overdue.xml",
            lang=lang,
            datasets=overdue,
            self_url=f"{base}{prefix}{OVERDUE_FEED}",
            home_url=f"{base}{prefix}{OVERDUE_PAGE}",
        )
        by_id = {v["id"]: v for v in views}
        _feed(
            env,
            site / prefix / CHANGES_FEED,
            "atom-changes.xml",
            lang=lang,
            entries=_feed_entries(history, summaries, by_id, None, base, prefix),
            self_url=f"{base}{prefix}{CHANGES_FEED}",
            home_url=f"{base}{prefix}{RELEASES_PAGE}",
            title=None,
        )
        for view in views:
            page = f"dataset/{view['id']}/{CHANGES_PAGE}"
            rows = current.get(view["id"], [])
            _page(
                env,
                site,
                prefix,
                page,
                root + "../../",
                common,
                template=CHANGES_PAGE,
                dataset=view,
                summary=_summary(rows),
                cells=[r for r in rows if r["kind"] == "diubah"][:SHOWN_CHANGES],
                rows=[r for r in rows if r["kind"] in ("ditambah", "dihapus")][:SHOWN_CHANGES],
                schema=[r for r in rows if r["kind"].startswith(("kolom", "tabel"))],
                previous=history[1] if len(history) > 1 else None,
            )
            _feed(
                env,
                site / prefix / "dataset" / view["id"] / CHANGES_FEED,
                "atom-changes.xml",
                lang=lang,
                entries=_feed_entries(history, summaries, by_id, view["id"], base, prefix),
                self_url=f"{view['url'][lang]}{CHANGES_FEED}",
                home_url=f"{view['url'][lang]}{CHANGES_PAGE}",
                title=view["title"],
            )


def _changes(db_path: Path, dataset: str | None) -> dict[str, list[dict]]:
    """The rows of `perubahan` in `db_path` by dataset, in the table's order (empty without)."""
    found: dict[str, list[dict]] = {}
    if not db_path.is_file():
        return found
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT dataset, tabel, jenis, kunci, kolom, nilai_lama, nilai_baru "
            f"FROM [{CHANGES_TABLE}] ORDER BY rowid"
        ).fetchall()
    except sqlite3.OperationalError:  # a release from before changes were recorded
        return found
    finally:
        conn.close()
    for dataset_id, table, kind, key, column, old, new in rows:
        if dataset and dataset_id != dataset:
            continue
        whole_row = kind in ("ditambah", "dihapus")
        found.setdefault(dataset_id, []).append(
            {
                "table": table,
                "kind": kind,
                "key": json.loads(key) if key else None,
                "column": column,
                "old": json.loads(old) if whole_row and old else old,
                "new": json.loads(new) if whole_row and new else new,
            }
        )
    return found


def _summary(rows: list[dict]) -> list[dict]:
    """Per table: how many rows were added, removed and modified, and how many cells changed."""
    tables: dict[str, dict] = {}
    for row in rows:
        counts = tables.setdefault(row["table"], {"table": row["table"]})
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        if row["kind"] == "diubah":
            counts.setdefault("keys", set()).add(json.dumps(row["key"], sort_keys=True))
    for counts in tables.values():
        counts["rows_modified"] = len(counts.pop("keys", ()))
    return [tables[name] for name in sorted(tables)]


def _changes_json(dataset_id: str, history: list[dict], rows: list[dict]) -> dict:
    return {
        "dataset": dataset_id,
        "release": history[0]["id"],
        "previous_release": history[1]["id"] if len(history) > 1 else None,
        "summary": _summary(rows),
        "changes": rows,
    }


def _release_changes(site: Path, entry: dict) -> dict[str, list[dict]]:
    return _changes(site / RELEASES_DIR / entry["id"] / DATABASE_FILE, None)


def _release_rows(site: Path, history: list[dict]) -> list[dict]:
    """The releases as the page lists them, each with its datasets' zips (from its archived
    manifest), so every link on the page opens a file."""
    rows = []
    for number, entry in enumerate(history):
        folder = site / RELEASES_DIR / entry["id"]
        manifest = Manifest.load(folder)
        zips = [
            {"dataset": name, "path": f"{entry['files']}{item.zip['path']}"}
            for name, item in manifest.datasets.items()
            if item.zip
        ]
        rows.append({**entry, "current": number == 0, "zips": zips})
    return rows


def _feed_entries(history, summaries, by_id, only: str | None, base: str, prefix: str) -> list:
    """One entry per kept release and dataset that changed in it, newest release first."""
    entries = []
    for number, (entry, changes) in enumerate(zip(history, summaries, strict=True)):
        previous = history[number + 1]["id"] if number + 1 < len(history) else None
        for dataset_id in sorted(changes):
            if (only and dataset_id != only) or dataset_id not in by_id:
                continue
            entries.append(
                {
                    "release": entry["id"],
                    "previous": previous,
                    "date": entry["date"],
                    "dataset": by_id[dataset_id],
                    "summary": _summary(changes[dataset_id]),
                    "url": f"{base}{RELEASES_DIR}/{entry['id']}/",
                }
            )
    return entries


def _page(env, site: Path, prefix: str, page: str, root: str, common: dict, **values) -> None:
    template = values.pop("template", page)
    other = next(code for code in LANGUAGES if code != common["lang"])
    _write(
        site / prefix / page,
        env.get_template(template).render(
            page=page,
            root=root,
            home=root + prefix,
            switch=root + LANGUAGE_PREFIX[other] + page,
            releases_index=f"{root}{RELEASES_DIR}/{RELEASES_INDEX}",
            **common,
            **values,
        ),
    )


def _feed(env, path: Path, template: str, **values) -> None:
    dates = [e["date"] for e in values.get("entries", [])]
    dates += [d["freshness"]["due"] for d in values.get("datasets", [])]
    _write(
        path, env.get_template(template).render(updated=max(dates, default="1970-01-01"), **values)
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
