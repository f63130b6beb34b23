"""Bilingual text has one mechanism: core/bilingual.py (`Text`, `pair`, `pick`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipelines.core.bilingual import Text, pair, pick

ROOT = Path(__file__).resolve().parents[2]
# Mappings keyed by language that are not a text said in two languages, or whose shape is someone
# else's: where each language's pages live, and CKAN's `*_translated` fields (empty when missing).
NOT_TEXT = {
    ("pipelines/core/layout.py", "LANGUAGE_PREFIX"),
    ("pipelines/web/ckan_packages.py", "title_translated"),
    ("pipelines/web/ckan_packages.py", "notes_translated"),
}


def test_text_is_written_indonesian_first():
    text = Text("{n} baris", "{n} rows").format(n="1.234")
    assert str(text) == "1.234 baris / 1.234 rows"
    assert str(Text("Parquet", "Parquet")) == "Parquet"  # said once when both say the same
    assert (text.get("id"), text.get("en"), text.get("fr")) == (
        "1.234 baris",
        "1.234 rows",
        "1.234 baris",
    )
    assert text.as_dict() == {"id": "1.234 baris", "en": "1.234 rows"}


def test_a_text_needs_both_languages():
    assert Text.from_dict({"id": "judul", "en": "title"}) == Text("judul", "title")
    with pytest.raises(KeyError, match="key 'x' needs both `id` and `en`"):
        Text.from_dict({"id": "judul"}, "key 'x'")


def test_pair_falls_back_to_indonesian_and_pick_reads_one_side():
    assert pair("Judul", None) == {"id": "Judul", "en": "Judul"}
    assert pair("Judul", "") == {"id": "Judul", "en": "Judul"}
    assert pick(pair("Judul", "Title"), "en") == "Title"
    assert pick({"id": "Judul", "en": ""}, "en") == "Judul"
    assert pick("plain", "en") == "plain"


def _keyed_by(node: ast.AST, parents: dict) -> str | None:
    """The name a dict literal is bound to: an assignment target or the key it sits under."""
    parent = parents.get(node)
    if isinstance(parent, ast.Assign):
        return getattr(parent.targets[0], "id", None)
    if isinstance(parent, ast.Dict):
        key = parent.keys[parent.values.index(node)] if node in parent.values else None
        return key.value if isinstance(key, ast.Constant) else None
    return None


def test_no_module_spells_a_bilingual_dict_by_hand():
    """`{"id": ..., "en": ...}` is made by `pair` or `Text.as_dict`, so the fallback rule and the
    key names live in one place."""
    found = []
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "pipelines/core/bilingual.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if keys == {"id", "en"} and (relative, _keyed_by(node, parents)) not in NOT_TEXT:
                found.append(f"{relative}:{node.lineno}")
    assert found == []


def _grouping_format_specs(path: Path) -> list[int]:
    """Lines of f-string fields formatted with Python's own digit grouping (`{n:,}`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.FormattedValue)
        and node.format_spec is not None
        and "," in ast.unparse(node.format_spec)
    ]


def test_published_numbers_are_formatted_by_format_number_alone():
    """The catalog, the served pages and their templates group digits with
    core.indonesian.format_number (Indonesian 1.234.567, English 1,234,567), never by hand."""
    from pipelines.catalog.templates import environment

    modules = [
        *(ROOT / "pipelines" / "catalog").glob("*.py"),
        *(ROOT / "pipelines" / "web").glob("*.py"),
    ]
    by_hand = {
        str(p.relative_to(ROOT)): lines for p in modules if (lines := _grouping_format_specs(p))
    }
    templates = [*(ROOT / "site").rglob("*.html"), *(ROOT / "site").rglob("*.xml")]
    by_hand |= {
        str(p.relative_to(ROOT)): "{:,"
        for p in templates
        if '"{:,' in p.read_text(encoding="utf-8")
    }
    assert by_hand == {}
    render = environment().from_string("{{ 1234567.5|number(1) }} {{ 1234567|number(0, 'en') }}")
    assert render.render() == "1.234.567,5 1,234,567"
