"""Where our Datasette layer lives: our templates and static files.

Kept free of heavy imports on purpose: Datasette (and its pytest plugin) imports our plugin in every
process that loads Datasette plugins, so the plugin's import chain must stay small and must not
pull in the build stages.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATASETTE_DIR = ROOT / "site" / "datasette"
DATASETTE_TEMPLATES = DATASETTE_DIR / "templates"  # our overrides of Datasette's templates
DATASETTE_STATIC = DATASETTE_DIR / "static"
STATIC_MOUNT = "jendela-static"  # URL prefix of DATASETTE_STATIC (`datasette serve --static`)
TRANSLATIONS = DATASETTE_DIR / "translations.yaml"


def cors_headers(datasette) -> dict[str, str]:
    """The CORS header every response of ours carries when the server runs with --cors.

    One place, so our own routes, redirects, streamed CSVs and error answers agree with each other
    (a browser client that reads the JSON API must also be able to read its errors).
    """
    return {"Access-Control-Allow-Origin": "*"} if datasette.cors else {}


def served_site(datasette) -> Path | None:
    """The static site of the release this Datasette serves (`site_dir`, set by serve.py)."""
    config = datasette.plugin_config("jendela") or {}
    folder = config.get("site_dir")
    return Path(folder).resolve() if folder else None


def served_release(datasette) -> Path | None:
    """The release folder this Datasette serves: the site's parent."""
    site = served_site(datasette)
    return site.parent if site else None
