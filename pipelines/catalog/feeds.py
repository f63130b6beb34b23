"""sitemap.xml, robots.txt and an Atom feed per language: how crawlers and feed readers learn
that a dataset changed.

Every date in them is a dataset's `jendela.updated` (when its data last changed), never the build
time, so two builds of the same inputs write the same bytes and a rebuild does not look like news.
"""

from __future__ import annotations

from pathlib import Path

from ..core.bilingual import LANGUAGES
from ..core.layout import FEED, LANGUAGE_PREFIX, ROBOTS, SITEMAP
from .templates import environment


def write_feeds(views: list[dict], site: Path, base: str) -> None:
    env = environment()
    newest = max((v["updated"] for v in views), default="1970-01-01")
    pages = [
        {
            "loc": f"{base}{LANGUAGE_PREFIX[lang]}",
            "lastmod": newest,
            "lang": lang,
            "alternates": {other: f"{base}{LANGUAGE_PREFIX[other]}" for other in LANGUAGES},
        }
        for lang in LANGUAGES
    ] + [
        {"loc": v["url"][lang], "lastmod": v["updated"], "lang": lang, "alternates": v["url"]}
        for v in views
        for lang in LANGUAGES
    ]
    (site / SITEMAP).write_text(
        env.get_template("sitemap.xml").render(pages=pages), encoding="utf-8"
    )
    (site / ROBOTS).write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {base}{SITEMAP}\n", encoding="utf-8"
    )
    for lang in LANGUAGES:
        path = site / LANGUAGE_PREFIX[lang] / FEED
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            env.get_template("atom.xml").render(
                datasets=views,
                lang=lang,
                updated=newest,
                self_url=f"{base}{LANGUAGE_PREFIX[lang]}{FEED}",
                home_url=f"{base}{LANGUAGE_PREFIX[lang]}",
            ),
            encoding="utf-8",
        )
