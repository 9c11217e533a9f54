"""Free text (a profile's 工作单位, a contest entry's unit) matched onto the registry.

The rules, in order, stopping at the first that gives exactly one active organisation:
1. the same normalised name (names.name_key: width, case, spaces, brackets);
2. a valid 统一社会信用代码 written in the text;
3. the conservative fuzzy key (names.match_key: 有限责任公司 = 有限公司 …).
Two candidates under one rule are never decided between: the text stays unmatched (reason
"ambiguous") so that a person chooses. Texts are matched once per distinct value.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps

from . import creditcode, names
from .models import Employment, Organisation

_CODE = re.compile(r"[0-9A-Z]{18}")

# (app label, model, text field, foreign key to Organisation): the free-text units with a link beside.
# The user's declared employer is `Employment` (see models), handled apart.
TEXT_FIELDS = [("contests", "Registration", "organisation", "organisation_record")]


@dataclass
class Outcome:
    organisation: Organisation | None
    rule: str  # "name", "credit_code", "fuzzy", or why not: "empty", "ambiguous", "none"


def match_text(text: str, *, index: dict | None = None) -> Outcome:
    """The organisation a text names, or why there is none."""
    index = index if index is not None else build_index()
    if not names.name_key(text):
        return Outcome(None, "empty")
    for rule, key in (
        ("name", names.name_key(text)),
        ("credit_code", credit_code_in(text)),
        ("fuzzy", names.match_key(text)),
    ):
        candidates = index[rule].get(key, []) if key else []
        if len(candidates) == 1:
            return Outcome(candidates[0], rule)
        if len(candidates) > 1:
            return Outcome(None, "ambiguous")
    return Outcome(None, "none")


def credit_code_in(text: str) -> str:
    for candidate in _CODE.findall(creditcode.normalise(text)):
        if creditcode.is_valid(candidate):
            return candidate
    return ""


def build_index() -> dict[str, dict[str, list[Organisation]]]:
    """Active organisations by name key, credit code and fuzzy key (one query)."""
    index: dict[str, dict[str, list[Organisation]]] = {"name": {}, "credit_code": {}, "fuzzy": {}}
    for organisation in Organisation.objects.active().only("id", "name", "name_key", "match_key", "credit_code"):
        index["name"].setdefault(organisation.name_key, []).append(organisation)
        if organisation.credit_code:
            index["credit_code"].setdefault(organisation.credit_code, []).append(organisation)
        index["fuzzy"].setdefault(organisation.match_key, []).append(organisation)
    return index


@dataclass
class Report:
    """Per source ("profiles", "contests.Registration"): counts by rule and the unmatched texts."""

    matched: dict[str, dict[str, int]] = field(default_factory=dict)
    unmatched: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)  # text → (reason, rows)

    def count(self, source: str, rule: str, rows: int) -> None:
        bucket = self.matched.setdefault(source, {})
        bucket[rule] = bucket.get(rule, 0) + rows

    def miss(self, source: str, text: str, reason: str, rows: int) -> None:
        self.unmatched.setdefault(source, {})[text] = (reason, rows)


def match_all(*, dry_run: bool = False) -> Report:
    """Link every unlinked free-text unit that matches; `dry_run` only reports."""
    index, report = build_index(), Report()
    user_model = apps.get_model("accounts", "User")
    users = user_model.objects.exclude(organisation="").filter(employment__isnull=True)
    _match_rows(
        report,
        "profiles",
        users.values_list("organisation", "pk"),
        index,
        dry_run,
        lambda pks, org: Employment.objects.bulk_create(
            [Employment(user_id=pk, organisation=org, source=Employment.Source.MATCHED) for pk in pks],
            ignore_conflicts=True,
        ),
    )
    for app_label, model_name, text_field, fk in TEXT_FIELDS:
        if not apps.is_installed(app_label):
            continue
        model = apps.get_model(app_label, model_name)
        rows = model.objects.filter(**{f"{fk}__isnull": True}).exclude(**{text_field: ""})
        _match_rows(
            report,
            f"{app_label}.{model_name}",
            rows.values_list(text_field, "pk"),
            index,
            dry_run,
            lambda pks, org, model=model, fk=fk: model.objects.filter(pk__in=pks).update(**{fk: org}),
        )
    return report


def _match_rows(report: Report, source: str, rows, index, dry_run: bool, link) -> None:
    by_text: dict[str, list[int]] = {}
    for text, pk in rows.iterator(chunk_size=2000):
        by_text.setdefault(text, []).append(pk)
    for text, pks in sorted(by_text.items()):
        outcome = match_text(text, index=index)
        if outcome.organisation is None:
            report.miss(source, text, outcome.rule, len(pks))
            continue
        report.count(source, outcome.rule, len(pks))
        if not dry_run:
            link(pks, outcome.organisation)
