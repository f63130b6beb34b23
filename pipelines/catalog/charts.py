"""Charts for dataset pages: bar geometry computed at build time, drawn as inline SVG.

Why build time: the page then shows its chart without JavaScript, from any static host, offline,
and weighs a few kilobytes (no chart library, no CDN). The chart is declared in the descriptor
(`jendela.chart`, docs/descriptor.md) because only the dataset knows which sums mean something:
APBD parent accounts already contain their children, so summing every row would double-count.

This module does the arithmetic (SQL aggregation, scales, bar positions); the markup and every word
on it live in the templates (site/templates/_chart.html) and the translation files.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..core.bilingual import pair
from ..core.errors import DescriptorError
from ..core.model import Resource, as_list

WIDTH = 720
LABEL_WIDTH = 230
VALUE_WIDTH = 90
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 14
TOP = 34
# Okabe-Ito: distinguishable with the common colour-vision deficiencies, dark enough for text.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")


@dataclass(frozen=True)
class ChartSpec:
    category: str
    values: list[str]
    label: str | None = None
    split: str | None = None
    panels: str | None = None
    where: dict = field(default_factory=dict)


@dataclass
class Series:
    key: str
    title: dict  # {"id": ..., "en": ...}
    color: str


@dataclass
class Panel:
    """One chart: categories down the side, one bar per series in each category."""

    title: object  # the panel value (e.g. a year) or None
    categories: list[tuple[str, str]]  # (value, label)
    series: list[Series]
    values: dict[tuple[str, str], float | None]  # (category value, series key) -> sum
    unit: str | None

    @property
    def maximum(self) -> float:
        return max([v for v in self.values.values() if v is not None] or [0])

    def layout(self) -> dict:
        """Bar rectangles and text anchors in SVG user units (the template draws them)."""
        scale_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
        top = self.maximum or 1
        groups = []
        y = TOP
        for value, label in self.categories:
            bars = []
            for index, s in enumerate(self.series):
                amount = self.values.get((value, s.key))
                width = 0.0 if not amount or amount < 0 else scale_width * amount / top
                bars.append(
                    {
                        "series": s,
                        "value": amount,
                        "x": LABEL_WIDTH,
                        "y": y + index * (BAR_HEIGHT + BAR_GAP),
                        "width": round(max(width, 0.5 if amount else 0), 1),
                        "height": BAR_HEIGHT,
                    }
                )
            height = len(self.series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
            groups.append({"value": value, "label": label, "y": y, "height": height, "bars": bars})
            y += height + GROUP_GAP
        return {
            "width": WIDTH,
            "height": y,
            "label_width": LABEL_WIDTH,
            "groups": groups,
            "legend_y": 14,
        }


def chart_spec(resource: Resource, descriptor_path: str = "") -> ChartSpec | None:
    """The resource's `jendela.chart`, checked against its fields (errors name file and key)."""
    raw = resource.ext.get("chart")
    if not raw:
        return None
    spec = ChartSpec(
        category=raw["category"],
        values=list(raw["values"]),
        label=raw.get("label"),
        split=raw.get("split"),
        panels=raw.get("panels"),
        where=dict(raw.get("where") or {}),
    )
    names = set(resource.field_names)
    types = {f["name"]: f.get("type", "string") for f in resource.fields}
    columns = [spec.category, *spec.values, spec.label, spec.split, spec.panels, *spec.where]
    for column in filter(None, columns):
        if column not in names:
            raise DescriptorError(
                descriptor_path or str(resource.folder),
                f"resources[{resource.name}].jendela.chart",
                f"{column!r} is not a field of {resource.name}",
            )
    for column in spec.values:
        if types[column] not in ("integer", "number"):
            raise DescriptorError(
                descriptor_path or str(resource.folder),
                f"resources[{resource.name}].jendela.chart.values",
                f"{column!r} is {types[column]}; a chart sums integer or number columns",
            )
    return spec


def chart_panels(
    db: sqlite3.Connection, resource: Resource, spec: ChartSpec, labels: dict[str, str]
) -> list[Panel]:
    """Aggregate the table with SQL (never row by row in Python) into one Panel per panel value.

    `labels` names category values that the table itself does not name (region codes).
    """
    fields = {f["name"]: f for f in resource.fields}
    where = " AND ".join(f"[{column}] = ?" for column in spec.where) or "1"
    params = list(spec.where.values())
    panel_col = f"[{spec.panels}]" if spec.panels else "NULL"
    label_col = f"MIN([{spec.label}])" if spec.label else "NULL"
    if spec.split:
        measures = f"[{spec.split}], SUM([{spec.values[0]}])"
        group = f"{panel_col}, [{spec.category}], [{spec.split}]"
    else:
        measures = ", ".join(f"SUM([{v}])" for v in spec.values)
        group = f"{panel_col}, [{spec.category}]"
    sql = (
        f"SELECT {panel_col}, [{spec.category}], {label_col}, {measures} FROM [{resource.name}] "
        f"WHERE {where} AND [{spec.category}] IS NOT NULL GROUP BY {group} "
        f"ORDER BY {panel_col}, [{spec.category}]"
    )
    rows = db.execute(sql, params).fetchall()
    unit = (fields[spec.values[0]].get("jendela") or {}).get("unit")
    if spec.split:
        split_values = sorted({row[3] for row in rows if row[3] is not None}, key=str)
        series = [
            Series(str(v), pair(str(v), str(v)), PALETTE[i % len(PALETTE)])
            for i, v in enumerate(split_values)
        ]
    else:
        series = [
            Series(
                v,
                pair(
                    fields[v].get("title", v),
                    ((fields[v].get("jendela") or {}).get("en") or {}).get("title"),
                ),
                PALETTE[i % len(PALETTE)],
            )
            for i, v in enumerate(spec.values)
        ]
    panels: dict[object, Panel] = {}
    for row in rows:
        panel_value, category, label = row[0], str(row[1]), row[2]
        panel = panels.setdefault(panel_value, Panel(panel_value, [], series, {}, unit))
        if category not in {c for c, _ in panel.categories}:
            panel.categories.append((category, str(label or labels.get(category) or category)))
        if spec.split:
            panel.values[(category, str(row[3]))] = row[4]
        else:
            for s, amount in zip(series, row[3:], strict=True):
                panel.values[(category, s.key)] = amount
    return list(panels.values())


def referenced_labels(
    db: sqlite3.Connection, resource: Resource, column: str, target: Resource | None
) -> dict[str, str]:
    """Names for a foreign-key column's codes, from the referenced table's naming column.

    The naming column is the referenced table's first required text field outside its keys
    (`nama_wilayah` for `wilayah`), so no dataset or column is named here.
    """
    if target is None:
        return {}
    fk = next((fk for fk in resource.foreign_keys if as_list(fk.get("fields")) == [column]), None)
    if fk is None:
        return {}
    key = as_list(fk["reference"]["fields"])[0]
    name = naming_column(target)
    if name is None:
        return {}
    try:
        rows = db.execute(f"SELECT [{key}], [{name}] FROM [{target.name}]").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {str(code): str(label) for code, label in rows if code is not None}


def naming_column(resource: Resource) -> str | None:
    keys = set(resource.primary_key) | {
        c for fk in resource.foreign_keys for c in as_list(fk.get("fields"))
    }
    for f in resource.fields:
        required = (f.get("constraints") or {}).get("required")
        if f.get("type", "string") == "string" and required and f["name"] not in keys:
            return f["name"]
    return None
