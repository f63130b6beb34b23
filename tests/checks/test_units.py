"""checks/units.py at its boundaries: a median exactly at the scale, a lone large value, and a
table whose first checked column is fine but a later one is not. Figures worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.checks.units import declared_unit, misfits, unit_mismatch
from pipelines.core.errors import RowMap
from pipelines.core.model import Resource


def test_a_median_of_exactly_one_miliar_contradicts_a_miliar_header():
    """Non-zero magnitudes 1e9, 1e9, 5: median 1e9, not below the scale; 5 fits."""
    unit, scale = declared_unit("Pagu (miliar rupiah)")
    values = pd.Series(["1000000000", "1000000000", "5"])
    assert misfits(values, unit, scale).tolist() == [True, True, False]


def test_one_large_value_in_a_column_that_fits_its_unit_is_not_flagged():
    """Median 2 (miliar) is below the scale: the column is in miliar, 5e9 included."""
    unit, scale = declared_unit("Pagu (miliar rupiah)")
    assert not misfits(pd.Series(["1", "2", "5000000000"]), unit, scale).any()


def test_a_later_column_is_checked_after_one_without_a_unit_and_one_that_fits(tmp_path: Path):
    staging = tmp_path / "staging.csv"
    staging.write_text("a,b,c\n1,2,3\n4,5000000,6000000\n7,8,9000000\n", encoding="utf-8")
    columns = {"Jumlah (jiwa)": "a", "Pagu (juta Rp)": "b", "Realisasi (juta Rp)": "c"}
    descriptor = {"jendela": {"columns": columns}, "schema": {"fields": []}}
    resource = Resource("uji", "contoh", descriptor, tmp_path)
    rows_from = RowMap()
    rows_from.add("sumber.csv", [7, 8, 9])
    rows_from.freeze()
    spec = {"columns": ["a", "b", "c"]}
    issues = unit_mismatch(None, resource, staging, rows_from, **spec)
    # a declares no unit; b's non-zero median is 5 (fits juta); c's is 6e6 >= 1e6: two values.
    assert [(i.column, i.file, i.row, i.extra["values"]) for i in issues] == [
        ("c", "sumber.csv", 8, 2)
    ]


def test_a_percentage_is_flagged_just_outside_0_to_100_and_not_at_the_ends():
    values = pd.Series(["0", "100", "100.5", "-0.5", "50"])
    assert misfits(values, *declared_unit("Capaian (%)")).tolist() == [
        False, False, True, True, False,
    ]  # fmt: skip


def test_a_triliun_header_is_told_as_a_scale_not_as_a_percentage(tmp_path: Path):
    """ "triliun" sorts after "persen": only the percentage unit gets the 0-100 wording."""
    staging = tmp_path / "staging.csv"
    staging.write_text("t\n2000000000000\n3000000000000\n", encoding="utf-8")
    descriptor = {"jendela": {"columns": {"APBN (triliun Rp)": "t"}}, "schema": {"fields": []}}
    resource = Resource("uji", "contoh", descriptor, tmp_path)
    [issue] = unit_mismatch(None, resource, staging, None, columns=["t"])
    assert "are already in whole units, not triliun (2 values)" in issue.message
    assert "percentage" not in issue.message


@pytest.mark.parametrize(
    ("header", "scale"),
    [("APBN (triliun)", 10**12), ("PDRB (milyar)", 10**9), ("Pagu (juta Rp)", 10**6),
     ("Harga (ribu rupiah)", 10**3)],
)  # fmt: skip
def test_each_scale_is_its_exact_power_of_ten(header, scale):
    """Exactly the scale contradicts the header; half a unit below it does not."""
    values = pd.Series([str(scale), str(scale), f"{scale - 1}.5"])
    assert misfits(values, *declared_unit(header)).tolist() == [True, True, False]


def test_zeros_do_not_pull_the_median_down():
    """Non-zero magnitudes: only 2e9, so the column contradicts its miliar header."""
    values = pd.Series(["0", "0", "0", "2000000000"])
    assert misfits(values, *declared_unit("Pagu (miliar)")).tolist() == [False] * 3 + [True]


# --- from the mutation triage (tests/mutation/README.md) ------------------------------------


def test_a_percentage_header_declares_the_scale_its_docstring_promises():
    assert declared_unit("Capaian (%)") == ("persen", 100.0)


def test_empty_cells_never_contradict_a_unit():
    """An empty cell has no size: not outside 0-100, not at least a miliar."""
    percent = pd.Series(["50", None, "150"], dtype="string")
    assert misfits(percent, *declared_unit("Capaian (%)")).tolist() == [False, False, True]
    miliar = pd.Series(["2000000000", None, "3000000000"], dtype="string")
    assert misfits(miliar, *declared_unit("Pagu (miliar)")).tolist() == [True, False, True]


def test_without_a_row_map_the_row_is_the_1_based_position_of_the_first_misfit(tmp_path: Path):
    staging = tmp_path / "staging.csv"
    staging.write_text("p\n50\n250\n300\n", encoding="utf-8")
    descriptor = {"jendela": {"columns": {"Capaian (%)": "p"}}, "schema": {"fields": []}}
    resource = Resource("uji", "contoh", descriptor, tmp_path)
    [issue] = unit_mismatch(None, resource, staging, None, columns=["p"])
    assert (issue.file, issue.row, issue.value, issue.extra["values"]) == (None, 2, "250", 2)


def test_values_are_judged_as_the_source_wrote_them_before_the_pipeline_s_factor(
    tmp_path: Path,
):
    """Staged 5,000 after multiplying by 1,000: the source said 5 (ribu), which fits ribu."""
    staging = tmp_path / "staging.csv"
    staging.write_text("h\n5000\n7000\n", encoding="utf-8")
    descriptor = {"jendela": {"columns": {"Harga (ribu Rp)": "h"}}, "schema": {"fields": []}}
    resource = Resource("uji", "contoh", descriptor, tmp_path)
    assert unit_mismatch(None, resource, staging, None, columns=["h"], factor=1000) == []
    [issue] = unit_mismatch(None, resource, staging, None, columns=["h"], factor=1)
    assert (issue.row, issue.value) == (1, "5000")
