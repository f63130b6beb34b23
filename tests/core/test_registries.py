"""Parse kinds and check types are registered once in code; the descriptor JSON Schema and the
descriptor guide list exactly what the registries hold (tests/test_checks_robust.py checks the
schema's check-type enum against model.CHECK_TYPES and pipelines/checks/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipelines.core.indonesian import NUMERIC_PARSE_KINDS, PARSE_KINDS, parse_column
from pipelines.core.model import CHECK_TYPES, DEFAULT_PARSE

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "metadata" / "schemas" / "descriptor.schema.json").read_text())
GUIDE = (ROOT / "docs" / "descriptor.md").read_text(encoding="utf-8")


def _field_extension_schema() -> dict:
    """The schema of a field's `jendela` object: the node whose properties hold `parse`."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "parse" in (node.get("properties") or {}) and "scale" in node["properties"]:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(SCHEMA)
    assert len(found) == 1, found
    return found[0]


def test_the_schema_offers_exactly_the_registered_parse_kinds():
    field = _field_extension_schema()
    assert sorted(field["properties"]["parse"]["enum"]) == sorted(PARSE_KINDS)
    # `scale` multiplies a number: the schema asks for a numeric parse kind with it
    assert sorted(field["then"]["properties"]["parse"]["enum"]) == sorted(NUMERIC_PARSE_KINDS)


# One source text each kind reads (docs/descriptor.md's table), for every kind registered.
SAMPLES = {
    "text": ("  KEL. Empang ", "KEL. Empang"),
    "integer": ("1.234.567", "1234567"),
    "number": ("1.234,5", "1234.5"),
    "rupiah": ("Rp 470.701.000,00", "470701000"),
    "date": ("26 Mei 2015", "2015-05-26"),
    "region_code": ("3271", "32.71"),
    "bps_code": ("3271010", "3271010"),
    "decimal": ("111.366", "111.366"),
}


def test_every_registered_parse_kind_parses_and_no_other_does():
    assert sorted(SAMPLES) == sorted(PARSE_KINDS)
    for kind, (given, parsed) in SAMPLES.items():
        assert parse_column(pd.Series([given]), kind).values.tolist() == [parsed], kind
    with pytest.raises(ValueError, match="unknown parse kind 'money'"):
        parse_column(pd.Series(["1"]), "money")
    assert set(DEFAULT_PARSE.values()) <= set(PARSE_KINDS)
    assert set(NUMERIC_PARSE_KINDS) <= set(PARSE_KINDS)


def test_the_descriptor_guide_documents_every_parse_kind_and_check_type():
    section = GUIDE.split("### `parse`", 1)[1].split("\n\n")[1]  # the table after the heading
    table = re.findall(r"^\|\s*`([a-z_]+)`\s*\|", section, re.M)
    assert sorted(table) == sorted(PARSE_KINDS)
    documented = set(re.findall(r"^\s*- type: ([a-z_-]+)", GUIDE, re.M))
    assert documented == set(CHECK_TYPES)
