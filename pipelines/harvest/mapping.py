"""CKAN package metadata in our descriptor's terms: pure functions, no network, no files.

CKAN and our descriptor say the same things with different words (notes -> description,
license_id -> licenses, organization -> jendela.publisher, tags -> keywords). Portals differ too:
ckanext-scheming/fluent portals give titles as language dicts ({"de": ..., "fr": ...}) instead of
strings, licences may be null, formats may be empty. Everything that varies is settled here, so the
harvester only moves bytes and files.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlparse

from ..core.ckan_terms import LICENCES, SAMPLE_EXTRA
from ..core.links import is_safe_link, link_problem
from .client import PortalError, both

# Formats we can build (reader name); anything else is recorded but not harvested.
FORMATS = {
    "csv": "csv",
    "text/csv": "csv",
    "tsv": "csv",
    "xlsx": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "json": "json",
    "application/json": "json",
}
NO_LICENCE = "notspecified"
DEFAULT_THEME = "lainnya"
LANGUAGES = ("id", "en")  # preferred order when a portal gives several languages
CODE_NAME = re.compile(
    r"^(kode|kd|id|nik|npwp|nip|nib|nomor|no|cnpj|cpf|ssn|zip|kodepos)(_|$)|(_(kode|id|kd))$"
)


def pick_text(value, languages: tuple[str, ...] = LANGUAGES) -> str:
    """A string from a plain string or a ckanext-fluent language dict (preferred languages first).

    >>> pick_text({"fr": "Voyages", "de": "Reisen", "en": ""})
    'Reisen'
    """
    if value is None:
        return ""
    if isinstance(value, dict):
        for lang in (*languages, *sorted(value)):
            text = value.get(lang)
            if isinstance(text, str) and text.strip():
                return text.strip()
        return ""
    return str(value).strip()


def translations(package: dict, key: str) -> tuple[str, str]:
    """(Indonesian-or-original text, English text) of a package property.

    Looks at `<key>_translated` (ckanext-fluent, also what our API serves) and at a language dict
    in `<key>` itself; without an English text the English side repeats the original.
    """
    value = package.get(f"{key}_translated") or package.get(key)
    original = pick_text(value)
    english = value.get("en", "").strip() if isinstance(value, dict) else ""
    if not original:
        original = pick_text(package.get(key))
    return original, english or original


def dataset_id(name: str) -> str:
    """A CKAN package name as our dataset id (lower-case words joined by hyphens)."""
    text = _ascii(name).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def snake_name(text: str, prefix: str = "kolom") -> str:
    """A header or resource name as a snake_case name that starts with a letter.

    >>> snake_name("Data Doação (R$)")
    'data_doacao_r'
    >>> snake_name("2021")
    'kolom_2021'
    """
    text = re.sub(r"[^a-z0-9]+", "_", _ascii(text).lower()).strip("_")
    if not text:
        return ""
    return text if text[0].isalpha() else f"{prefix}_{text}"


def unique_name(base: str, taken: set[str]) -> str:
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")


def resource_format(resource: dict) -> str | None:
    """Our reader for a CKAN resource, from its format, else its mimetype, else its URL's suffix."""
    for value in (resource.get("format"), resource.get("mimetype")):
        key = str(value or "").strip().lower().lstrip(".")
        if key:
            return FORMATS.get(key)
    suffix = urlparse(str(resource.get("url") or "")).path.rsplit(".", 1)
    return FORMATS.get(suffix[-1].lower()) if len(suffix) == 2 else None


def format_label(resource: dict) -> str:
    label = str(resource.get("format") or "").strip().upper()
    if label:
        return label
    suffix = urlparse(str(resource.get("url") or "")).path.rsplit(".", 1)
    return suffix[-1].upper() if len(suffix) == 2 else "?"


def is_code_column(name: str) -> bool:
    """Codes stay text whatever they look like: kode*, id*, nik, npwp, nip ... (DESIGN pitfall)."""
    return bool(CODE_NAME.search(name))


def licence(package: dict, known: dict) -> tuple[str, dict | None]:
    """(licence key, a new vocabulary entry or None when the key is already known)."""
    raw = str(package.get("license_id") or "").strip()
    if not raw:
        return NO_LICENCE, None if NO_LICENCE in known else {
            "title": "Lisensi tidak disebutkan (License not specified)",
            "summary": "Portal sumber tidak menyebut lisensi; periksa hak pakai sebelum memakai "
            "ulang data ini.",
            "en": {
                "summary": "The source portal states no licence; check the terms of use before "
                "reusing this data."
            },
            "harvested": True,
        }
    by_case = {key.lower(): key for key in known}
    key = LICENCES.get(raw.lower()) or by_case.get(raw.lower()) or raw
    if key in known:
        return key, None
    title = pick_text(package.get("license_title")) or raw
    entry = {
        "title": title,
        "summary": f"Lisensi sebagaimana dinyatakan portal sumber ({title}); baca teks lisensinya "
        "sebelum memakai ulang.",
        "en": {
            "summary": f"The licence as stated by the source portal ({title}); read the licence "
            "text before reusing."
        },
        "harvested": True,
    }
    if package.get("license_url"):
        url = str(package["license_url"])
        if not is_safe_link(url):
            # The catalog would show it as a link: a portal must not put a script there.
            raise PortalError("bad-link", f"license_url: {link_problem(url)}")
        entry["path"] = url
    return key, entry


def publisher(package: dict, portal: str, known: dict) -> tuple[str, dict | None]:
    """(publisher key, a new vocabulary entry or None): the CKAN organisation, else the portal."""
    org = package.get("organization") or {}
    name = str(org.get("name") or "").strip()
    if name:
        key = dataset_id(name)
        if key in known:
            return key, None
        title = pick_text(org.get("title")) or pick_text(org.get("display_name")) or name
        return key, {
            "name": title,
            "url": f"{portal.rstrip('/')}/organization/{name}",
            "harvested_from": portal,
        }
    host = urlparse(portal).hostname or portal
    key = dataset_id(host)
    if key in known:
        return key, None
    return key, {"name": host, "url": portal, "harvested_from": portal}


def themes(package: dict, known: dict) -> tuple[list[str], dict | None]:
    """Theme keys from the package's CKAN groups (by key or title); `lainnya` when none match."""
    by_title = {
        pick_text(v.get("title")).lower(): k for k, v in known.items() if isinstance(v, dict)
    }
    found: list[str] = []
    for group in package.get("groups") or []:
        name = str(group.get("name") or "")
        title = pick_text(group.get("title")) or pick_text(group.get("display_name"))
        key = name if name in known else by_title.get(title.lower())
        if key and key not in found:
            found.append(key)
    if found:
        return found, None
    if DEFAULT_THEME in known:
        return [DEFAULT_THEME], None
    return [DEFAULT_THEME], {
        "title": "Lainnya",
        "description": "Dataset yang dipanen dari portal lain dan belum diberi tema.",
        "en": {"title": "Other", "description": "Datasets harvested from other portals, no theme."},
    }


def keywords(package: dict) -> list[str]:
    words = [
        pick_text(tag.get("display_name")) or pick_text(tag.get("name"))
        for tag in package.get("tags") or []
    ]
    return list(dict.fromkeys(w for w in words if w))


def is_sample(package: dict) -> bool:
    for extra in package.get("extras") or []:
        if extra.get("key") == SAMPLE_EXTRA:
            return str(extra.get("value")).lower() == "true"
    return False


def dataset_page(portal: str, package: dict) -> str:
    return f"{portal.rstrip('/')}/dataset/{package.get('name') or package.get('id')}"


def package_metadata(package: dict, portal: str, accessed: str) -> dict:
    """Package-level descriptor keys (without licences/publisher/themes keys and resources)."""
    title, title_en = translations(package, "title")
    title = title or str(package.get("name"))
    notes, notes_en = translations(package, "notes")
    if len(notes) < 10:
        notes = both(
            f"Dataset {title!r} dipanen dari portal CKAN {portal}; portal tidak memberi deskripsi.",
            f"Dataset {title!r} harvested from the CKAN portal {portal}; it has no description.",
        )
        notes_en = notes
    org = package.get("organization") or {}
    org_title = pick_text(org.get("title")) or urlparse(portal).hostname or portal
    modified = str(package.get("metadata_modified") or "")
    updated = modified[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", modified) else accessed
    return {
        "title": title,
        "description": notes.strip(),
        "keywords": keywords(package),
        "sources": [
            {
                "title": f"{org_title}, portal CKAN {urlparse(portal).hostname or portal}",
                "path": dataset_page(portal, package),
                "accessed": accessed,
            }
        ],
        "updated": updated,
        "en": {"title": title_en or title, "description": (notes_en or notes).strip()},
    }
