"""The reference tables (regions, industries) loaded from the JSON shipped in data/.

Called by the data migration and by `manage.py load_reference_data` after a regeneration; it adds
what is missing and renames what changed, and never deletes (an organisation may point at a code
that a later edition drops: docs/organisations.md).
"""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def regions_data() -> dict:
    return json.loads((DATA / "regions.json").read_text(encoding="utf-8"))


@cache
def industries_data() -> dict:
    return json.loads((DATA / "industries.json").read_text(encoding="utf-8"))


def _upsert(model, rows: list[dict]) -> int:
    existing = {obj.pk: obj for obj in model.objects.all()}
    new, changed = [], []
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            new.append(model(**row))
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            changed.append(obj)
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, [k for k in rows[0] if k != "code"])
    return len(new) + len(changed)


def reference_load(region_model, industry_model) -> int:
    """Load both tables (models passed in, so a migration can hand its historical ones); returns rows written."""
    regions = regions_data()
    written = _upsert(
        region_model,
        [{"code": c, "name": n, "level": "province", "province_id": None} for c, n in regions["provinces"]],
    )
    written += _upsert(
        region_model, [{"code": c, "name": n, "level": "city", "province_id": c[:2]} for c, n in regions["cities"]]
    )
    industries = industries_data()
    written += _upsert(
        industry_model,
        [{"code": c, "name": n, "level": "section", "section_id": None} for c, n in industries["sections"]],
    )
    written += _upsert(
        industry_model,
        [{"code": c, "name": n, "level": "division", "section_id": s} for c, n, s in industries["divisions"]],
    )
    return written
