"""Training classes (培训班) in the console: an organisation's list, create, the class page (courses,
members, open), edit, and the member picker over the roster. Training managers manage every class
of their organisation; a provider's staff the classes their provider runs, and pick members from the
client's roster only while its grant stands."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import Course, Provider

from .. import selectors, services
from ..forms import TrainingClassForm
from ..models import ClassCourse, ClassMember, TrainingPartner
from ..permissions import can_choose_members, can_manage_roster, partner_provider_ids
from ..reports import query_text
from ..services.classes import EDITABLE, OPENABLE
from .access import classes_organisation, errors_text, visible_class

PAGE_SIZE = 50
# At most this many workers are added by one "add all that match" (a larger class takes two steps).
ADD_ALL_MAX = 5000


def _providers_for(user, organisation):
    """The providers a new class may name: any current partner for the organisation's managers; for
    provider staff, their own providers that the organisation granted (one of them is required)."""
    if can_manage_roster(user, organisation.pk):
        granted = TrainingPartner.objects.filter(organisation=organisation, withdrawn_at__isnull=True)
        return Provider.objects.filter(pk__in=granted.values("provider_id")).order_by("name"), False
    return Provider.objects.filter(pk__in=partner_provider_ids(user, organisation.pk)).order_by("name"), True


@login_required
@require_GET
def classes(request, org_id: int):
    organisation = classes_organisation(request, org_id)
    context = {
        "organisation": organisation,
        "classes": selectors.organisation_classes(request.user, organisation),
        "provider_view": not can_manage_roster(request.user, organisation.pk),
    }
    return render(request, "training/classes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def class_create(request, org_id: int):
    organisation = classes_organisation(request, org_id)
    providers, provider_required = _providers_for(request.user, organisation)
    form = TrainingClassForm(request.POST or None, providers=providers, provider_required=provider_required)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.training_class_create(
                    organisation=organisation, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _to_form(form, exc)
            else:
                messages.success(request, _("已创建培训班：%(name)s，请选择课程和学员") % {"name": created.name})
                return redirect("training:class_detail", pk=created.pk)
        status = 400
    context = {"organisation": organisation, "form": form, "creating": True, "provider_view": provider_required}
    return render(request, "training/class_form.html", context, status=status)


def _to_form(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@login_required
@require_http_methods(["GET", "POST"])
def class_edit(request, pk: int):
    training_class = visible_class(request, pk)
    initial = {
        "name": training_class.name,
        "description": training_class.description,
        "starts_on": training_class.starts_on,
        "deadline": training_class.deadline,
    }
    form = TrainingClassForm(request.POST or None, initial=initial, with_provider=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.training_class_update(training_class=training_class, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _to_form(form, exc)
            else:
                messages.success(request, _("培训班信息已保存"))
                return redirect("training:class_detail", pk=training_class.pk)
        status = 400
    context = {
        "organisation": training_class.organisation,
        "form": form,
        "training_class": training_class,
        "provider_view": not can_manage_roster(request.user, training_class.organisation_id),
    }
    return render(request, "training/class_form.html", context, status=status)


@login_required
@require_GET
def class_detail(request, pk: int):
    training_class = visible_class(request, pk)
    class_courses = list(training_class.class_courses.select_related("course__provider", "course__page"))
    query = query_text(request.GET, "q", 60)
    members = Paginator(selectors.class_members(training_class), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": training_class.organisation,
        "training_class": training_class,
        "class_courses": class_courses,
        "members": members,
        "q": query,
        "found": selectors.course_choices(query, exclude_ids=[c.course_id for c in class_courses]) if query else [],
        "editable": training_class.status in EDITABLE,
        "openable": training_class.status in OPENABLE,
        "may_choose_members": can_choose_members(request.user, training_class),
        "provider_view": not can_manage_roster(request.user, training_class.organisation_id),
    }
    return render(request, "training/class_detail.html", context)


@login_required
@require_POST
def class_open(request, pk: int):
    training_class = visible_class(request, pk)
    try:
        services.training_class_open(training_class=training_class, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("已开班：学员已报名培训班的全部课程"))
    return redirect("training:class_detail", pk=training_class.pk)


@login_required
@require_POST
def class_course_add(request, pk: int):
    training_class = visible_class(request, pk)
    course_id = request.POST.get("course", "")
    course = get_object_or_404(Course.objects.published(), pk=int(course_id) if course_id.isdigit() else None)
    try:
        services.class_course_add(training_class=training_class, course=course, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("已加入课程：%(title)s") % {"title": course.title})
    return redirect("training:class_detail", pk=training_class.pk)


@login_required
@require_POST
def class_course_remove(request, pk: int, class_course_id: int):
    training_class = visible_class(request, pk)
    class_course = get_object_or_404(ClassCourse, pk=class_course_id, training_class=training_class)
    try:
        services.class_course_remove(class_course=class_course, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("已从培训班移除课程（已报名的学员保留学习记录）"))
    return redirect("training:class_detail", pk=training_class.pk)


@login_required
@require_http_methods(["GET", "POST"])
def class_members(request, pk: int):
    """Choose members from the organisation's roster: filter by department, job or a name, then tick
    workers, or add every worker the filter finds."""
    training_class = visible_class(request, pk)
    if not can_choose_members(request.user, training_class):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    filters = {key: query_text(source, key) for key in ("q", "department", "job")}
    candidates = selectors.member_candidates(
        training_class, query=filters["q"], department=filters["department"], job=filters["job"]
    )
    query_string = urlencode({k: v for k, v in filters.items() if v})
    if request.method == "POST":
        if source.get("all") == "1":
            chosen = candidates.order_by("pk")[:ADD_ALL_MAX]
            entries = list(chosen)
        else:
            ids = [int(v) for v in request.POST.getlist("entries") if v.isdigit()][:ADD_ALL_MAX]
            entries = list(candidates.filter(pk__in=ids))
        try:
            added = services.class_members_add(training_class=training_class, entries=entries, by=request.user)
        except ValidationError as exc:
            messages.error(request, errors_text(exc))
        else:
            messages.success(request, _("已加入 %(n)s 名学员") % {"n": added})
        return redirect(reverse("training:class_members", args=[training_class.pk]) + "?" + query_string)
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "organisation": training_class.organisation,
        "training_class": training_class,
        "page": page,
        "filters": filters,
        "query_string": query_string,
        "provider_view": not can_manage_roster(request.user, training_class.organisation_id),
        "add_all_max": ADD_ALL_MAX,
        **selectors.roster_facets(training_class.organisation),
    }
    return render(request, "training/class_members.html", context)


@login_required
@require_POST
def class_member_remove(request, pk: int, member_id: int):
    training_class = visible_class(request, pk)
    member = get_object_or_404(ClassMember.objects.select_related("entry"), pk=member_id, training_class=training_class)
    try:
        services.class_member_remove(member=member, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("已将 %(name)s 移出培训班（学习记录保留）") % {"name": member.entry.name})
    return redirect("training:class_detail", pk=training_class.pk)
