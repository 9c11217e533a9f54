"""Reads of enterprise training that are more than a filter: the console's home, the roster with its
filters, the workers a class may take, the classes of an organisation, and what 我的学习 shows of a
learner's assignments (``learner_assignments``, registered with courses in apps.py)."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import is_organiser, provider_ids, training_organisation_ids
from courses.models import Course
from courses.text import normalise_search
from organisations.models import MembershipRole, Organisation, OrganisationMembership

from .models import ClassCourse, ClassMember, ClassStatus, RosterEntry, RosterStatus, TrainingClass, TrainingPartner
from .permissions import classes_visible_to

QUERY_MAX = 60


def console_home(user) -> dict:
    """What the 企业培训 console opens on: the organisations whose roster the user manages, the
    client organisations of the user's providers, and the classes those providers run."""
    if is_organiser(user):
        with_training = OrganisationMembership.objects.filter(
            organisation=OuterRef("pk"), role=MembershipRole.TRAINING_MANAGER
        )
        roster = RosterEntry.objects.filter(organisation=OuterRef("pk"))
        managed = Organisation.objects.filter(Exists(with_training) | Exists(roster))
    else:
        managed = Organisation.objects.filter(pk__in=training_organisation_ids(user))
    managed = managed.annotate(
        workers=Count("roster", filter=~Q(roster__status=RosterStatus.LEFT), distinct=True),
        classes=Count("training_classes", distinct=True),
    ).order_by("name")
    mine = provider_ids(user)
    clients = (
        TrainingPartner.objects.filter(provider_id__in=mine, withdrawn_at__isnull=True)
        .select_related("organisation", "provider")
        .order_by("organisation__name")
    )
    run = TrainingClass.objects.filter(provider_id__in=mine).select_related("organisation", "provider")
    return {"managed": list(managed), "clients": list(clients), "run_classes": list(run[:100])}


def roster_search(organisation, *, query: str = "", department: str = "", job: str = "", status: str = ""):
    """The organisation's roster filtered as the list page asks: `query` matches a name, a phone or an
    ID number (a part of it); department and job match exactly."""
    entries = RosterEntry.objects.filter(organisation=organisation).select_related("user")
    query = (query or "").strip()[:QUERY_MAX]
    if query:
        entries = entries.filter(
            Q(name__icontains=query) | Q(phone__contains=query) | Q(id_number__contains=query.upper())
        )
    if department:
        entries = entries.filter(department=department)
    if job:
        entries = entries.filter(job=job)
    if status in RosterStatus.values:
        entries = entries.filter(status=status)
    return entries.order_by("department", "name", "pk")


def roster_facets(organisation) -> dict:
    """The departments and jobs present on the roster (the filters' choices) and the counts by status."""
    entries = RosterEntry.objects.filter(organisation=organisation)
    counts = dict(entries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "departments": sorted(set(entries.exclude(department="").values_list("department", flat=True))),
        "jobs": sorted(set(entries.exclude(job="").values_list("job", flat=True))),
        "counts": {status: counts.get(status, 0) for status in RosterStatus.values},
    }


def member_candidates(training_class, *, query: str = "", department: str = "", job: str = ""):
    """Workers of the class's organisation who may join it: on the roster (not left), not in it yet."""
    members = ClassMember.objects.filter(training_class=training_class, entry=OuterRef("pk"))
    entries = roster_search(training_class.organisation, query=query, department=department, job=job)
    return entries.exclude(status=RosterStatus.LEFT).exclude(Exists(members))


def class_members(training_class):
    return (
        ClassMember.objects.filter(training_class=training_class)
        .select_related("entry__user")
        .order_by("entry__department", "entry__name", "pk")
    )


def organisation_classes(user, organisation):
    """The organisation's classes the user may see, with their sizes."""
    classes = classes_visible_to(user, TrainingClass.objects.filter(organisation=organisation))
    return classes.select_related("provider").annotate(
        member_count=Count("members", distinct=True), course_count=Count("class_courses", distinct=True)
    )


def course_choices(query: str, *, exclude_ids=(), limit: int = 20):
    """Published courses matching `query` (title, code, provider), for a class to assign."""
    query = normalise_search(query or "")[:QUERY_MAX]
    if not query:
        return Course.objects.none()
    return (
        Course.objects.published()
        .search(query)
        .exclude(pk__in=exclude_ids)
        .select_related("provider")
        .order_by("title")[:limit]
    )


def learner_assignments(learner, course_ids) -> dict[int, dict]:
    """{course id: assignment} for the learner's courses that an open class assigned them (the
    earliest deadline when several did), in one query. The shape courses' dashboard reads:
    `title` (the class), `url` (its page for the worker), `by` (who assigned it), `deadline`, `overdue`."""
    if not learner or not learner.is_authenticated or not course_ids:
        return {}
    assigned = (
        ClassCourse.objects.filter(
            course_id__in=course_ids,
            training_class__status=ClassStatus.OPEN,
            training_class__members__entry__user=learner,
            training_class__members__entry__status=RosterStatus.ACTIVE,
        )
        .select_related("training_class__organisation", "training_class__provider")
        .order_by("training_class__deadline", "training_class_id")
    )
    today = timezone.localdate()
    out = {}
    for class_course in assigned:
        training_class = class_course.training_class
        if class_course.course_id in out:
            continue
        by = training_class.organisation.display_name
        if training_class.provider_id:
            by = f"{by} · {training_class.provider.name}"
        out[class_course.course_id] = {
            "title": training_class.name,
            "url": reverse("training:my_class", args=[training_class.pk]),
            "by": by,
            "deadline": training_class.deadline,
            "overdue": training_class.deadline < today,
        }
    return out
