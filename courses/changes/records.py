"""A course record as plain JSON values, the difference between two of them, and applying one.

A change set (courses.models.CourseChange) keeps, for each record it changes, the live values when
the change began (`base`) and the values wanted (`data`), both made here. Only what the admin forms
edit is kept: the record's own editable fields, a lesson's documents, a quiz's fixed questions and
draw rules; never who owns the record (provider, course), which the forms do not let anyone change.
"""

import datetime as dt
import decimal

from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from courses.models import Chapter, Course, Lesson, Question, Quiz, QuizDrawRule, QuizQuestion

KINDS: dict[str, type[models.Model]] = {
    "course": Course,
    "chapter": Chapter,
    "quiz": Quiz,
    "lesson": Lesson,
    "question": Question,
}
# Applied in this order: a new lesson may name a chapter or quiz that exists already, never a new one.
APPLY_ORDER = tuple(KINDS)
OWNER_FIELDS = {"provider", "course"}
M2M = {"lesson": ("documents",)}
RULE_FIELDS = ("count", "kind", "category", "knowledge_point", "difficulty_min", "difficulty_max")
CHILDREN = {"quiz": ("quiz_questions", "draw_rules")}


def kind_of(model) -> str | None:
    for kind, cls in KINDS.items():
        if model is cls or isinstance(model, cls):
            return kind
    return None


def fields_of(model) -> list[models.Field]:
    """The fields a change may set: editable, concrete, not the key, the owner or a timestamp."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and f.name not in OWNER_FIELDS
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def snapshot(instance, *, m2m: dict | None = None) -> dict:
    """The record's values; `m2m` gives many-to-many values a form has not saved (pks), else they are read."""
    kind = kind_of(instance)
    data = {f.name: _plain(f.value_from_object(instance)) for f in fields_of(type(instance))}
    for name in M2M.get(kind, ()):
        if m2m is not None and name in m2m:
            pks = [obj.pk if hasattr(obj, "pk") else int(obj) for obj in m2m[name]]
        elif instance.pk:
            pks = list(getattr(instance, name).values_list("pk", flat=True))
        else:
            pks = []
        data[name] = sorted(pks)
    if kind == "quiz":
        # In memory after the form's save(commit=False), from the database otherwise.
        rows = sorted(instance.quiz_questions.all(), key=lambda r: (r.sort_order or 0, r.pk or 0))
        data["quiz_questions"] = [r.question_id for r in rows]
        rules = sorted(instance.draw_rules.all(), key=lambda r: (r.sort_order or 0, r.pk or 0))
        data["draw_rules"] = [{name: getattr(r, name) for name in RULE_FIELDS} for r in rules]
    return data


def changed_names(base: dict | None, data: dict | None) -> list[str]:
    """Names whose wanted value differs from the base (every name for a new or deleted record)."""
    if base is None or data is None:
        return list(data or base or {})
    return [name for name, value in data.items() if base.get(name) != value]


def apply(instance, *, base: dict | None, data: dict) -> None:
    """Set what the change alters on `instance` and save it with its relations.

    Only the names that differ from `base` are set, so a field someone else changed live meanwhile,
    which this change did not touch, keeps their value.
    """
    kind = kind_of(instance)
    names = set(changed_names(base, data))
    for field in fields_of(type(instance)):
        if field.name in names:
            setattr(instance, field.attname, field.to_python(data[field.name]))
    if kind == "quiz":
        if "quiz_questions" in names:
            instance.quiz_questions = [
                QuizQuestion(question_id=pk, sort_order=i) for i, pk in enumerate(data["quiz_questions"])
            ]
        if "draw_rules" in names:
            instance.draw_rules = [QuizDrawRule(sort_order=i, **rule) for i, rule in enumerate(data["draw_rules"])]
        for rule in instance.draw_rules.all():
            rule.full_clean(exclude=["quiz"])
    instance.full_clean()
    instance.save()
    for name in M2M.get(kind, ()):
        if name in names:
            getattr(instance, name).set(data[name])


def title_of(kind: str, values: dict | None) -> str:
    values = values or {}
    text = values.get("stem" if kind == "question" else "title") or ""
    return text[:60]


def display(kind: str, name: str, value) -> str:
    """A value as the organiser reads it in the comparison."""
    model = KINDS[kind]
    if value is None or value == "" or value == []:
        return "—"
    if name == "quiz_questions":
        stems = dict(Question.objects.filter(pk__in=value).values_list("pk", "stem"))
        return "\n".join(f"{i + 1}. {stems.get(pk, '?')[:60]}" for i, pk in enumerate(value))
    if name == "draw_rules":
        return "\n".join(str(QuizDrawRule(**rule)) for rule in value)
    if name == "options":
        return "\n".join(f"{chr(65 + i)}. {o.get('text', '')}" for i, o in enumerate(value) if isinstance(o, dict))
    field = model._meta.get_field(name)
    if field.many_to_many:
        return "、".join(str(o) for o in field.related_model.objects.filter(pk__in=value))
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if name == "body":
        return " ".join(strip_tags(value).split())[:500]
    return str(value)


def label(kind: str, name: str) -> str:
    if name == "quiz_questions":
        return _("固定题目")
    if name == "draw_rules":
        return _("随机抽题规则")
    return str(KINDS[kind]._meta.get_field(name).verbose_name)


def overlay(instance, data: dict) -> None:
    """Show `data` on a live record in memory, for its edit form (nothing is saved).

    A quiz's children keep the live rows' ids where they match, so the form's formsets line up.
    """
    for field in fields_of(type(instance)):
        if field.name in data:
            setattr(instance, field.attname, field.to_python(data[field.name]))
    if kind_of(instance) == "quiz":
        live_rows = {row.question_id: row for row in instance.quiz_questions.all()}
        rows = []
        for i, pk in enumerate(data.get("quiz_questions", [])):
            row = live_rows.get(pk) or QuizQuestion(question_id=pk)
            row.sort_order = i
            rows.append(row)
        instance.quiz_questions = rows
        live_rules = list(instance.draw_rules.all())
        rules = []
        for i, values in enumerate(data.get("draw_rules", [])):
            match = next((r for r in live_rules if {n: getattr(r, n) for n in RULE_FIELDS} == values), None)
            if match is not None:
                live_rules.remove(match)
            rule = match or QuizDrawRule(**values)
            rule.sort_order = i
            rules.append(rule)
        instance.draw_rules = rules
