"""The district choropleth: OpenStreetMap district boundaries (geo/data, © OpenStreetMap
contributors, ODbL 1.0) simplified and projected once per process into SVG paths.

The GeoJSON is 1.9 MB with ~100,000 points; Douglas–Peucker at about 1 km and rounding to
the SVG's pixel grid leaves a few thousand points (tens of KB), small enough to inline in a
page for a rural link. No map library, no tiles, no script.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

GEOJSON = Path(__file__).resolve().parent.parent / "geo" / "data" / "rajasthan_districts_41.geojson"
WIDTH = 560  # SVG user units; the height follows the state's shape
TOLERANCE_DEG = 0.018  # ~2 km: invisible at this size, removes >95 % of the points
Point = tuple[float, float]


@dataclass(frozen=True)
class DistrictShape:
    slug: str
    name_en: str
    name_hi: str
    path: str  # SVG path data
    label_x: float
    label_y: float


@dataclass(frozen=True)
class MapGeometry:
    width: int
    height: int
    shapes: tuple[DistrictShape, ...]


def _perpendicular(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative (rings have thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _perpendicular(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index != -1 and worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _polygons(geometry: dict[str, Any]) -> list[list[list[Point]]]:
    coords: list[Any] = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return [coords]
    return list(coords)


@lru_cache(maxsize=1)
def geometry() -> MapGeometry:
    """Projected, simplified district outlines (cached for the life of the process)."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    features = data["features"]
    lons = [p[0] for f in features for poly in _polygons(f["geometry"]) for p in poly[0]]
    lats = [p[1] for f in features for poly in _polygons(f["geometry"]) for p in poly[0]]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    # Equirectangular with the x axis shrunk by cos(mid latitude): true shapes at this scale.
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = (WIDTH - 8) / ((max_lon - min_lon) * k)
    height = math.ceil((max_lat - min_lat) * scale) + 8

    def project(p: Point) -> Point:
        return (4 + (p[0] - min_lon) * k * scale, 4 + (max_lat - p[1]) * scale)

    shapes = []
    for feature in features:
        props = feature["properties"]
        parts: list[str] = []
        biggest: list[Point] = []
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                kept = simplify([(float(x), float(y)) for x, y, *_ in ring], TOLERANCE_DEG)
                if len(kept) < 4:
                    continue
                xy = [project(p) for p in kept]
                if len(xy) > len(biggest):
                    biggest = xy
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy[:-1]) + "Z")
        cx = sum(x for x, _ in biggest) / max(len(biggest), 1)
        cy = sum(y for _, y in biggest) / max(len(biggest), 1)
        shapes.append(
            DistrictShape(
                slug=props["district_slug"],
                name_en=props["name_en"],
                name_hi=props["name_hi"],
                path="".join(parts),
                label_x=round(cx, 1),
                label_y=round(cy, 1),
            )
        )
    return MapGeometry(width=WIDTH, height=height, shapes=tuple(shapes))


# Five shades of one hue (light → dark), readable in print and for colour-blind readers.
PALETTE = ("#f1f5f9", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int
    colour: str


def buckets(maximum: int) -> list[Bucket]:
    """0, then up to four equal steps up to the largest count; the top step is always the
    darkest shade, however few steps there are."""
    result = [Bucket(0, 0, PALETTE[0])]
    if maximum <= 0:
        return result
    step = max(1, math.ceil(maximum / 4))
    ranges: list[tuple[int, int]] = []
    low = 1
    while low <= maximum and len(ranges) < 4:
        high = min(maximum, low + step - 1)
        ranges.append((low, high))
        low = high + 1
    shades = PALETTE[len(PALETTE) - len(ranges) :]
    result.extend(Bucket(lo, hi, shade) for (lo, hi), shade in zip(ranges, shades, strict=True))
    return result


def colour_for(count: int, scale: list[Bucket]) -> str:
    for bucket in scale:
        if bucket.low <= count <= bucket.high:
            return bucket.colour
    return scale[-1].colour
