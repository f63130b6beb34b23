"""Choropleth maps of region-level data, drawn at build time as SVG paths from boundary GeoJSON.

Why so little: a map of six kecamatan or sixty-eight kelurahan needs no tiles, no map library and
no JavaScript. Projecting lon/lat onto an SVG, rounding to tenths of a pixel and dropping repeated
points leaves a few kilobytes that work offline and on any static host.

Why optional: the boundary files we hold for Kota Bogor carry no licence, so the catalog does not
publish shapes by default. An operator who holds boundaries under a licence they can assert passes
`build --boundaries FILE --boundaries-licence TEXT`; the licence text is printed under the map.
Without it the page says why there is no map. The GeoJSON is read in place, never copied.

Features are matched to region codes by a dotted Kemendagri code in any property or, failing that,
by name ("KEC. BOGOR BARAT" matches `Bogor Barat`, "KEL. MARGAJAYA" matches `Marga jaya`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import JendelaError
from ..core.indonesian import region_name_key

WIDTH = 640
MAX_HEIGHT = 560
PAD = 8
# ColorBrewer "Blues" (sequential, colour-blind safe); the darkest classes take white labels.
CLASSES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"
MAX_LABELS = 12
TOLERANCE = 0.6  # pixels: Douglas-Peucker drops detail finer than a screen can show
CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class BoundariesError(JendelaError):
    """A boundary file that cannot be drawn; names the file and the place in it."""

    def __init__(self, path: str, where: str, message: str):
        self.path, self.where, self.message = path, where, message
        super().__init__(f"{path}: {where}: {message}")


@dataclass(frozen=True)
class Boundaries:
    path: Path
    licence: str
    features: list = field(default_factory=list, repr=False, compare=False)


def load_boundaries(path: Path, licence: str | None) -> Boundaries:
    """Read and check a GeoJSON FeatureCollection of (Multi)Polygons in lon/lat."""
    if not licence or not licence.strip():
        raise BoundariesError(
            str(path),
            "--boundaries-licence",
            "state the licence of the boundary file (it is published under the map); "
            "sebutkan lisensi berkas batas wilayah",
        )
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BoundariesError(str(path), "(file)", "file not found / berkas tidak ada") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundariesError(str(path), "(file)", f"not valid GeoJSON: {exc}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundariesError(str(path), "type", "expected a GeoJSON FeatureCollection")
    features = []
    for index, feature in enumerate(document.get("features") or []):
        geometry = (feature or {}).get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry.get("coordinates")]
        elif kind == "MultiPolygon":
            polygons = geometry.get("coordinates")
        else:
            raise BoundariesError(
                str(path), f"features[{index}].geometry.type", f"{kind!r} is not a (Multi)Polygon"
            )
        try:
            rings = [[(float(x), float(y)) for x, y, *_ in ring] for p in polygons for ring in p]
        except (TypeError, ValueError):
            raise BoundariesError(
                str(path), f"features[{index}].geometry.coordinates", "not [lon, lat] pairs"
            ) from None
        if any(abs(x) > 180 or abs(y) > 90 for ring in rings for x, y in ring):
            raise BoundariesError(
                str(path),
                f"features[{index}].geometry.coordinates",
                "coordinates are not longitude/latitude (WGS84); reproject the file first",
            )
        features.append({"properties": feature.get("properties") or {}, "rings": rings})
    if not features:
        raise BoundariesError(str(path), "features", "the file has no features")
    return Boundaries(Path(path), licence.strip(), features)


def match_features(boundaries: Boundaries, names: dict[str, str]) -> list[tuple[str | None, list]]:
    """Pair each feature with the region code it draws (None when it matches none of `names`).

    Names are compared with indonesian.region_name_key, the key every other stage matches
    region names on: level words and spelling differ between sources ("KEL. MARGAJAYA" and
    "Marga jaya"), but "KOTA BOGOR" never matches Kabupaten Bogor."""
    by_name = {region_name_key(name): code for code, name in names.items()}
    matched = []
    for feature in boundaries.features:
        values = [str(v).strip() for v in feature["properties"].values() if v is not None]
        code = next((v for v in values if CODE.match(v) and v in names), None)
        if code is None:
            code = next((by_name[n] for n in map(region_name_key, values) if n in by_name), None)
        matched.append((code, feature["rings"]))
    return matched


def choropleth(boundaries: Boundaries, values: dict[str, float], names: dict[str, str]) -> dict:
    """Paths, fills, legend classes and labels for the map template. Deterministic."""
    matched = match_features(boundaries, {c: names.get(c, c) for c in values})
    rings = [ring for _, feature_rings in matched for ring in feature_rings]
    lon0 = min(x for r in rings for x, _ in r)
    lon1 = max(x for r in rings for x, _ in r)
    lat0 = min(y for r in rings for _, y in r)
    lat1 = max(y for r in rings for _, y in r)
    squeeze = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lon1 - lon0) * squeeze, 1e-9)
    span_y = max(lat1 - lat0, 1e-9)
    scale = min((WIDTH - 2 * PAD) / span_x, (MAX_HEIGHT - 2 * PAD) / span_y)
    height = round(span_y * scale + 2 * PAD)

    def project(x: float, y: float) -> tuple[float, float]:
        return (
            round(PAD + (x - lon0) * squeeze * scale, 1),
            round(PAD + (lat1 - y) * scale, 1),
        )

    present = [v for v in values.values() if v is not None]
    low, high = (min(present), max(present)) if present else (0, 0)
    breaks = [low + (high - low) * i / len(CLASSES) for i in range(len(CLASSES) + 1)]

    def klass(value: float | None) -> int | None:
        if value is None:
            return None
        if high == low:
            return len(CLASSES) - 1
        return min(int((value - low) / (high - low) * len(CLASSES)), len(CLASSES) - 1)

    shapes = []
    anchors: dict[str, tuple[float, float, float]] = {}
    for code, feature_rings in matched:
        parts = []
        for ring in feature_rings:
            points = _dedupe(_simplify([project(x, y) for x, y in ring], TOLERANCE))
            if len(points) >= 3:
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
                area, cx, cy = _area_centroid(points)
                if code and (code not in anchors or area > anchors[code][0]):
                    anchors[code] = (area, cx, cy)
        value = values.get(code) if code else None
        index = klass(value)
        shapes.append(
            {
                "code": code,
                "name": names.get(code, "") if code else "",
                "value": value,
                "d": "".join(parts),
                "fill": CLASSES[index] if index is not None else NO_DATA,
            }
        )
    drawn = {s["code"] for s in shapes if s["code"]}
    labels = []
    if len(drawn) <= MAX_LABELS:
        for code in sorted(drawn):
            _, x, y = anchors[code]
            dark = (klass(values.get(code)) or 0) >= 3
            labels.append(
                {"x": round(x, 1), "y": round(y, 1), "text": names.get(code, code), "dark": dark}
            )
    legend = [
        {"color": color, "low": breaks[i], "high": breaks[i + 1]} for i, color in enumerate(CLASSES)
    ]
    return {
        "width": WIDTH,
        "height": height,
        "shapes": shapes,
        "labels": labels,
        "legend": legend,
        "missing": sorted(code for code in values if code not in drawn),
        "licence": boundaries.licence,
        "source": boundaries.path.name,
    }


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative: keep the points that stray more than `tolerance` from the line
    between kept neighbours. A boundary of thousands of GPS points becomes a few hundred."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        worst, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            if length:
                distance = abs(dy * x - dx * y + x1 * y0 - y1 * x0) / length
            else:
                distance = math.hypot(x - x0, y - y0)
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for point in points:
        if not kept or point != kept[-1]:
            kept.append(point)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept


def _area_centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Shoelace area and centroid: where a region's name label goes."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        xs, ys = zip(*points, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)
