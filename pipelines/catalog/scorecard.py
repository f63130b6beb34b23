"""The quality scorecard of a release, measured at build time (rules and points: core/scorecard.py).

It reads what the build already made: each dataset's page view (licences, description, coverage,
formats, tables, and its freshness from core/freshness.py through `dataset_freshness`, never
recomputed here), the tables' validation results (counts by issue type, in the manifest's report
entries), and, for the score across releases, the `skor` table of each archived release. It
writes the scorecard three ways with the same figures: the typed file `skor.json`, the `skor`
table (one row per dataset and criterion, queryable in Datasette) and the pages (a block on each
dataset page, a page per publisher and their index).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from ..core.bilingual import LANGUAGES, pair
from ..core.issue_types import issue_weight
from ..core.layout import DATABASE_FILE, LANGUAGE_PREFIX, PUBLISHERS_DIR, SCORECARD_TABLE, site_dir
from ..core.registry import Catalog
from ..core.scorecard import (
    DESCRIPTION_CHARS,
    LOW_SCORE,
    MAX_POINTS,
    ROW_WEIGHT_SCALE,
    RULES,
    Criterion,
    DatasetScore,
    PublisherScore,
    Scorecard,
    publisher_mean,
)
from ..stages import history as releases


def measure(view: dict, catalog: Catalog) -> dict[str, tuple[bool | float, str]]:
    """Criterion slug -> (share earned, 0..1 or a bool; what was found) for one dataset."""
    dataset = catalog.datasets[view["id"]]
    known = dataset.vocabulary.licences
    names = [lic["name"] for lic in dataset.descriptor.get("licenses", [])]
    description = view["description_text"]["id"].strip()
    tables = view["resources"]
    fields = [f for r in tables for f in r["fields"]]
    undocumented = [f["name"] for f in fields if not str(f["description"]["id"]).strip()]
    missing = [r["name"] for r in tables if r["rows"] is None]
    kept = sum(r["rows"] or 0 for r in tables)
    quarantined = sum(r["quarantined"] or 0 for r in tables)
    checked = kept + quarantined
    load = _weighted_issues(tables)
    scale = ROW_WEIGHT_SCALE * checked
    state = view["freshness"]
    return {
        "licence": (bool(names) and all(n in known for n in names), ", ".join(names) or "-"),
        "description": (len(description) >= DESCRIPTION_CHARS, str(len(description))),
        "temporal-coverage": (bool(view["years"]), str((view["period"] or {}).get("id", "-"))),
        "spatial-coverage": (bool(view["spatial"]), str((view["spatial"] or {}).get("id", "-"))),
        "frequency": (view["frequency"] is not None, (view["frequency"] or {}).get("key", "-")),
        "keywords": (bool(view["keywords"]), str(len(view["keywords"]))),
        "themes": (bool(view["themes"]), ", ".join(t["key"] for t in view["themes"]) or "-"),
        "open-format": ("csv" in view["formats"], ", ".join(view["formats"]) or "-"),
        "resources-available": (
            view["status"] == "published" and not missing,
            f"{len(tables) - len(missing)}/{len(tables)}",
        ),
        "documentation": (not undocumented and bool(fields), f"{len(undocumented)} field"),
        "validation": (max(scale - load, 0) / scale if scale else 0, f"{load}/{scale}"),
        "quarantine": (kept / checked if checked else 0, f"{quarantined}/{checked}"),
        "on-time": (
            not state["overdue"],
            f"{state['frequency'] or '-'}; {state['due'] or '-'}; {state['days_late']}",
        ),
    }


def _weighted_issues(tables: list[dict]) -> int:
    """The sum of the weights of every error and warning in the tables' reports (their counts
    by type travel in the manifest's report entries, catalog/report.py)."""
    counts: Counter = Counter()
    for table in tables:
        report = table["report"] or {}
        counts.update(report.get("error_types") or {})
        counts.update(report.get("warning_types") or {})
    return sum(issue_weight(slug) * n for slug, n in counts.items())


def score_dataset(view: dict, catalog: Catalog) -> DatasetScore:
    found = measure(view, catalog)
    criteria = []
    for rule in RULES:
        share, measured = found[rule.slug]
        points = (rule.points * int(round(float(share) * 10**6))) // 10**6
        criteria.append(
            Criterion(
                rule.slug,
                rule.part,
                points,
                rule.points,
                rule.origin,
                measured,
                rule.title.as_dict(),
                rule.hint.as_dict(),
            )
        )
    total = sum(c.points for c in criteria)
    return DatasetScore(view["id"], view["publisher"]["key"], total, criteria)


def scorecard(
    views: list[dict], catalog: Catalog, release: Path, previous: Path | None, kept: list[dict]
) -> Scorecard:
    """Every dataset's score, with its history over the releases `kept` (stages/history.py:
    this one first, then those archived in `previous`), and every publisher's; each view gains
    its `scorecard` for the pages."""
    past = past_scores(previous, kept)
    scores = []
    for view in sorted(views, key=lambda v: v["id"]):
        score = score_dataset(view, catalog)
        own = [{"release": kept[0]["id"], "date": kept[0]["date"], "total": score.total}]
        score.history = own[: len(kept)] + [
            {"release": r, "date": d, "total": totals[score.dataset]}
            for r, d, totals in past
            if score.dataset in totals
        ]
        view["scorecard"] = score
        scores.append(score)
    return Scorecard(MAX_POINTS, scores, _publishers(views, scores))


def _publishers(views: list[dict], scores: list[DatasetScore]) -> list[PublisherScore]:
    names = {v["publisher"]["key"]: v["publisher_name"] for v in views}
    result = []
    for key in sorted(names):
        own = [s for s in scores if s.publisher == key]
        criteria = [
            {
                "slug": rule.slug,
                "title": rule.title.as_dict(),
                "hint": rule.hint.as_dict(),
                "points": sum(c.points for s in own for c in s.criteria if c.slug == rule.slug),
                "max_points": rule.points * len(own),
            }
            for rule in RULES
        ]
        totals = [s.total for s in own]
        result.append(
            PublisherScore(
                key, names[key], publisher_mean(totals), [s.dataset for s in own], criteria
            )
        )
    return result


def past_scores(previous: Path | None, kept: list[dict]) -> list[tuple[str, str, dict]]:
    """Totals per dataset of each older release kept, read from its archived `skor` table
    (releases built before the scorecard existed have none and are left out)."""
    found = []
    for entry in kept[1:]:
        path = releases.archived_database(previous, entry["id"])
        if path is None:
            continue
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute(
                f"SELECT dataset, SUM(poin) FROM [{SCORECARD_TABLE}] GROUP BY dataset"
            ).fetchall()
        except sqlite3.OperationalError:
            continue
        finally:
            db.close()
        found.append((entry["id"], entry["date"], dict(rows)))
    return found


def publish(env, card: Scorecard, views: list[dict], release: Path, base: str) -> None:
    """The scorecard's file, table and publisher pages (the dataset pages include it)."""
    card.save(site_dir(release))
    write_table(release / DATABASE_FILE, card)
    write_publisher_pages(env, card, views, site_dir(release), base)


def write_table(db_path: Path, card: Scorecard) -> None:
    """The `skor` table: one row per dataset and criterion, the figures of skor.json."""
    db = sqlite3.connect(db_path)
    try:
        db.execute(f"DROP TABLE IF EXISTS [{SCORECARD_TABLE}]")
        db.execute(
            f"CREATE TABLE [{SCORECARD_TABLE}] (dataset TEXT, penerbit TEXT, bagian TEXT, "
            "kriteria TEXT, poin INTEGER, poin_maks INTEGER, asal TEXT, terukur TEXT, "
            "judul TEXT, title_en TEXT, saran TEXT, hint_en TEXT, "
            "PRIMARY KEY (dataset, kriteria))"
        )
        db.executemany(
            f"INSERT INTO [{SCORECARD_TABLE}] VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (s.dataset, s.publisher, c.part, c.slug, c.points, c.max_points, c.origin,
                 c.measured, c.title["id"], c.title["en"], c.hint["id"], c.hint["en"])
                for s in card.datasets
                for c in s.criteria
            ],
        )  # fmt: skip
        db.commit()
    finally:
        db.close()


SCORECARD_METADATA = {
    "title": "Skor kualitas / Quality scorecard",
    "description": (
        "Satu baris per dataset dan kriteria: poin yang diperoleh, poin maksimum, asal kriteria "
        "dan cara memperbaikinya. Skor rendah adalah alasan untuk memeriksa, bukan tuduhan / "
        "One row per dataset and criterion: points earned, maximum, where the criterion comes "
        "from and how to improve. A low score is a reason to look, not an accusation"
    ),
    "facets": ["penerbit", "bagian", "kriteria"],
}


def write_publisher_pages(env, card: Scorecard, views: list[dict], site: Path, base: str) -> None:
    """penerbit/index.html and penerbit/<key>.html in each language."""
    by_id = {v["id"]: v for v in views}
    for lang in LANGUAGES:
        prefix = LANGUAGE_PREFIX[lang]
        for publisher in [None, *card.publishers]:
            page = f"{PUBLISHERS_DIR}/{publisher.publisher if publisher else 'index'}.html"
            root = "../" * (prefix.count("/") + 1)
            other = next(code for code in LANGUAGES if code != lang)
            text = env.get_template("penerbit.html").render(
                lang=lang,
                page=page,
                root=root,
                home=root + prefix,
                switch=root + LANGUAGE_PREFIX[other] + page,
                base_url=base,
                publisher=publisher,
                publishers=card.publishers,
                datasets=[by_id[d] for d in publisher.datasets] if publisher else [],
                max_points=card.max_points,
                low=LOW_SCORE,
                labels=LABELS,
            )
            path = site / prefix / page
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


# The scorecard's own words on the pages (bilingual, one place).
LABELS = {
    "heading": pair("Skor kualitas", "Quality scorecard"),
    "publishers": pair("Penerbit dan skor kualitasnya", "Publishers and their quality scores"),
    "criterion": pair("Kriteria", "Criterion"),
    "points": pair("Poin", "Points"),
    "origin": pair("Asal", "From"),
    "measured": pair("Terukur", "Measured"),
    "improve": pair("Cara memperbaiki", "How to improve"),
    "history": pair("Skor per rilis", "Score per release"),
    "datasets": pair("Dataset", "Datasets"),
    "mean": pair("rata-rata skor datasetnya", "mean of its datasets' scores"),
    "low": pair(
        "Skor ini rendah. Tanda merah adalah alasan untuk memeriksa, bukan tuduhan: kriteria di "
        "bawah menunjukkan apa yang kurang dan cara memperbaikinya.",
        "This score is low. A red flag is a reason to look, not an accusation: the criteria "
        "below show what is missing and how to improve it.",
    ),
    "method": pair(
        "Kriteria metadata dari uData dan MQA data.europa.eu, bobot galat dari spesifikasi "
        "data-quality Frictionless, ketepatan waktu dari frekuensi yang dinyatakan.",
        "Metadata criteria from uData and the data.europa.eu MQA, error weights from the "
        "Frictionless data-quality spec, timeliness against the declared frequency.",
    ),
    "json": pair("Semua skor (JSON)", "All scores (JSON)"),
}
