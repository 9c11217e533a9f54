"""Admin wiring for contests: the 技能大赛 menu for organisers, and the same pages as 技术比武 for an
enterprise's training managers, scoped to the contests their organisation hosts (contests/admin_scope.py).

Contests, tracks, rounds, theory papers, practical tasks and rubric criteria are set up here. Running a
round (status, clock, reveal) happens on the organiser console at /contests/rounds/<id>/console/, and
judge assignments made here go through contests.services so they are audited like every other action.
A paper cannot change once its round's lobby is open (its questions are copied into the round then;
contests.services.papers refuses and audits the attempt); a task or criterion cannot change once its
round has started: the maximum scores and every contestant's board row are computed from them.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.roles import ORGANISER_GROUP, is_organiser, training_organisation_ids
from courses.wagtail_hooks import question_chooser_viewset
from experts import recusal

from . import admin_scope, enterprise, services
from .admin_scope import ContestAdminForm, ContestScopedPolicy, ScopedChoicesForm
from .audit_labels import describe
from .models import AuditLog, Contest, Criterion, Round, RoundQuestion, RoundStatus, Task, Track
from .views import papers_admin

EDITABLE_STATUSES = (RoundStatus.DRAFT, RoundStatus.LOBBY)


class OrganiserPolicy(ModelPermissionPolicy):
    """Organisers may do `actions`; nobody else sees the model at all."""

    def __init__(self, model, actions=("add", "change", "delete", "view")):
        super().__init__(model)
        self.actions = set(actions)

    def user_has_permission(self, user, action):
        return is_organiser(user) and action in self.actions

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def users_with_any_permission(self, actions):
        if not self.actions & set(actions):
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=ORGANISER_GROUP), is_active=True)
            .distinct()
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return self.model._default_manager.all()
        return self.model._default_manager.none()


# Theory papers stay with organisers (their questions come from the providers' banks); the rest is
# scoped to whoever runs each contest.
register_permission_policy(RoundQuestion, OrganiserPolicy(RoundQuestion))
for _model in (Contest, Track, Round, Task, Criterion):
    register_permission_policy(_model, ContestScopedPolicy(_model))
register_permission_policy(AuditLog, ContestScopedPolicy(AuditLog, actions=("view",)))  # read-only


class OrganiserViewSet(ModelViewSet):
    """Every view asks the model's policy for its records: another contest's record is a 404."""

    index_view_class = admin_scope.ScopedIndexView  # its XLSX / CSV export never runs a cell as a formula
    edit_view_class = admin_scope.ScopedEditView
    delete_view_class = admin_scope.ScopedDeleteView
    inspect_view_class = admin_scope.ScopedInspectView
    history_view_class = admin_scope.ScopedHistoryView
    usage_view_class = admin_scope.ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = True


# ------------------------------------------------------------------ forms


# What makes a track an assessment and how it is judged: fixed once one of its rounds has started.
ASSESSMENT_FIELDS = ("purpose", "occupation", "skill_level", "theory_pass_mark", "practical_pass_mark")


def assessment_locked(track: Track) -> bool:
    return track.rounds.exclude(status__in=(RoundStatus.DRAFT, RoundStatus.LOBBY)).exists()


class TrackAdminForm(ScopedChoicesForm):
    """Judges are chosen here and assigned through the audited service. An enterprise manager
    chooses among their organisation's staff and the expert pool (contests.enterprise)."""

    judge_users = forms.ModelMultipleChoiceField(
        label=_("评委"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("purpose", "theory_pass_mark", "practical_pass_mark"):  # left out: the model's default
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk:
            self.fields["judge_users"].initial = list(self.instance.judges.values_list("pk", flat=True))
        if self.for_user is not None and not is_organiser(self.for_user):
            judges = enterprise.staff_or_pool(training_organisation_ids(self.for_user))
            current = Q(pk__in=self.instance.judges.values("pk")) if self.instance.pk else Q(pk__in=[])
            self.fields["judge_users"].queryset = (
                get_user_model().objects.filter(Q(pk__in=judges.values("pk")) | current).order_by("username")
            )

    def clean(self):
        cleaned = super().clean()
        for name in ("purpose", "theory_pass_mark", "practical_pass_mark"):
            if name in self.fields and cleaned.get(name) in (None, ""):
                cleaned[name] = getattr(self.instance, name)  # the instance's value: the default when new
        changed = [n for n in ASSESSMENT_FIELDS if n in self.fields and cleaned.get(n) != getattr(self.instance, n)]
        if self.instance.pk and changed and assessment_locked(self.instance):
            names = "、".join(str(self.fields[name].label) for name in changed)
            raise ValidationError(_("本赛项已有场次开始，不能再修改：%(fields)s") % {"fields": names})
        contest = cleaned.get("contest")
        new = set(cleaned.get("judge_users") or []) - (set(self.instance.judges.all()) if self.instance.pk else set())
        for judge in new:
            try:
                if contest is not None:  # a 技术比武: the host's staff or the pool
                    enterprise.require_judge_candidate(Track(contest=contest), judge)
                if self.instance.pk:  # 回避: the same refusal as the service's, as a form error
                    recusal.assignment_check(track=self.instance, judge=judge)
            except ValidationError as exc:
                self.add_error("judge_users", exc)
        return cleaned

    def save(self, commit=True):
        track = super().save(commit=commit)
        if commit:
            wanted = set(self.cleaned_data.get("judge_users") or [])
            current = set(track.judges.all())
            for judge in wanted - current:
                services.judge_assign(track=track, judge=judge, by=self.for_user)
            for judge in current - wanted:
                services.judge_unassign(track=track, judge=judge, by=self.for_user)
        return track


class RoundAdminForm(ScopedChoicesForm):
    """Before the start everything may change. Once a round has started only its safe fields may
    (`services.round_locked_fields`: the title, the stage and, until the end, the freeze time); the
    others are shown disabled, so the form never posts them back — the time widget shows minutes
    only and would move a start time that has seconds. A value for a locked field posted anyway (a
    page opened before the start, a crafted request) is refused with the reason, and the change goes
    through `services.round_edit`, audited and broadcast like every change of a running round."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.editable = services.round_locked_fields(self.instance) if self.instance.pk else None
        self.posted_locked = []
        if self.editable is not None:
            for name, field in self.fields.items():
                if name not in self.editable:
                    if self.is_bound and name in self.data and self._posted_differs(name, field):
                        self.posted_locked.append(name)
                    field.disabled = True
                    field.help_text = _("比赛开始后不能修改")

    def _posted_differs(self, name: str, field) -> bool:
        """Whether a posted value for a locked field differs from the stored one (at the widget's precision)."""
        try:
            posted = field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
        except ValidationError:
            return True
        current = self.initial.get(name)
        if hasattr(posted, "replace") and hasattr(current, "replace") and hasattr(current, "second"):
            posted, current = posted.replace(second=0, microsecond=0), current.replace(second=0, microsecond=0)
        if hasattr(current, "pk"):
            current = current.pk
        if hasattr(posted, "pk"):
            posted = posted.pk
        return posted != current

    def clean(self):
        cleaned = super().clean()
        if self.posted_locked:
            names = "、".join(str(self.fields[n].label) for n in self.posted_locked)
            raise ValidationError(_("比赛开始后不能修改：%(fields)s。结束时间请在赛务控制台延时") % {"fields": names})
        return cleaned

    def save(self, commit=True):
        if self.editable is None:
            return super().save(commit=commit)
        changes = {name: self.cleaned_data[name] for name in self.changed_data if name in self.editable}
        if changes and commit:
            services.round_edit(round=self.instance, by=self.for_user, changes=changes)
            self.instance.refresh_from_db()
        return self.instance


def _round_of(instance) -> Round | None:
    if isinstance(instance, Task):
        return instance.round if instance.round_id else None
    if isinstance(instance, Criterion):
        return instance.task.round if instance.task_id else None
    return None


class LockedAfterStartForm(ScopedChoicesForm):
    """Papers, tasks and criteria are fixed once their round starts."""

    def clean(self):
        cleaned = super().clean()
        for rnd in {_round_of(self.instance), cleaned.get("round"), getattr(cleaned.get("task"), "round", None)}:
            if rnd is not None and rnd.status not in EDITABLE_STATUSES:
                raise ValidationError(_("该场次已开始，试卷、任务和评分细则不能再修改"))
        return cleaned


class RoundQuestionAdminForm(WagtailAdminModelForm):
    """A paper line; the views save it through contests.services.papers, which refuses (and audits) any
    change once the round's lobby is open."""

    def clean(self):
        cleaned = super().clean()
        question = cleaned.get("question")
        if question is not None and question.kind == "short":
            raise ValidationError({"question": _("简答题不能自动评分，不能用于在线理论考试")})
        return cleaned


# ------------------------------------------------------------------ viewsets


class ContestViewSet(OrganiserViewSet):
    model = Contest
    icon = "trophy"
    menu_label = _("大赛")
    list_display = ["name", "level", "year", "host_organisation", "organiser"]
    list_filter = ["level", "year"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("slug"),
            FieldRowPanel([FieldPanel("level"), FieldPanel("year")]),
            FieldPanel("host_organisation"),
            FieldPanel("organiser"),
            FieldPanel("recusal_by_province"),
            FieldPanel("description"),
        ],
        base_form_class=ContestAdminForm,
    )


class TrackViewSet(OrganiserViewSet):
    model = Track
    icon = "list-ul"
    menu_label = _("赛项")
    list_display = ["name", Column("contest", label=_("大赛")), "kind", "purpose", "theory_weight", "practical_weight"]
    filterset_class = admin_scope.TrackFilterSet
    search_fields = ["name"]
    list_select_related = ["contest"]

    edit_handler = ObjectList(
        [
            FieldPanel("contest"),
            FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("team_size_max"), FieldPanel("sort_order")]),
            FieldRowPanel([FieldPanel("theory_weight"), FieldPanel("practical_weight")], heading=_("成绩权重")),
            MultiFieldPanel(
                [
                    FieldPanel("award_mode"),
                    FieldRowPanel(
                        [
                            FieldPanel("award_first"),
                            FieldPanel("award_second"),
                            FieldPanel("award_third"),
                            FieldPanel("award_merit"),
                        ]
                    ),
                ],
                heading=_("奖项设置（按名次填人数，按比例填百分比）"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("purpose"),
                    FieldRowPanel([FieldPanel("occupation"), FieldPanel("skill_level")]),
                    FieldRowPanel([FieldPanel("theory_pass_mark"), FieldPanel("practical_pass_mark")]),
                ],
                heading=_("职业技能等级认定（按合格线评定，不排名次、不设奖项）"),
            ),
            FieldPanel("judge_users"),
        ],
        base_form_class=TrackAdminForm,
    )


class RoundViewSet(OrganiserViewSet):
    model = Round
    icon = "time"
    menu_label = _("场次")
    list_display = ["__str__", Column("track", label=_("赛项")), "stage", "starts_at", "status"]
    filterset_class = admin_scope.RoundFilterSet
    list_select_related = ["track"]
    edit_handler = ObjectList(
        [
            FieldPanel("track"),
            FieldRowPanel([FieldPanel("stage"), FieldPanel("title")]),
            FieldRowPanel([FieldPanel("has_theory"), FieldPanel("has_practical")]),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("freeze_minutes")]),
            FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
            FieldPanel("one_device"),
            FieldRowPanel([FieldPanel("theory_live"), FieldPanel("practical_live")], heading=_("成绩公开方式")),
        ],
        base_form_class=RoundAdminForm,
    )


class RoundQuestionViewSet(OrganiserViewSet):
    model = RoundQuestion
    add_view_class = papers_admin.PaperLineCreateView
    edit_view_class = papers_admin.PaperLineEditView
    delete_view_class = papers_admin.PaperLineDeleteView
    icon = "help"
    menu_label = _("理论试卷")
    list_display = ["order", Column("question", label=_("试题")), Column("round", label=_("场次")), "score"]
    list_filter = ["round"]
    list_select_related = ["question", "round__track"]
    edit_handler = ObjectList(
        [
            FieldPanel("round"),
            FieldPanel("question", widget=question_chooser_viewset.widget_class),
            FieldRowPanel([FieldPanel("order"), FieldPanel("score")]),
        ],
        base_form_class=RoundQuestionAdminForm,
    )


class TaskViewSet(OrganiserViewSet):
    model = Task
    icon = "tasks"
    menu_label = _("实操任务")
    list_display = ["title", Column("round", label=_("场次")), "max_score", "order"]
    filterset_class = admin_scope.TaskFilterSet
    list_select_related = ["round__track"]
    edit_handler = ObjectList(
        [FieldPanel("round"), FieldPanel("title"), FieldRowPanel([FieldPanel("max_score"), FieldPanel("order")])],
        base_form_class=LockedAfterStartForm,
    )


class CriterionViewSet(OrganiserViewSet):
    model = Criterion
    icon = "list-ol"
    menu_label = _("评分细则")
    list_display = ["title", Column("task", label=_("任务")), "kind", "max_score", "aggregation"]
    filterset_class = admin_scope.CriterionFilterSet
    list_select_related = ["task"]
    edit_handler = ObjectList(
        [
            FieldPanel("task"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("max_score"), FieldPanel("order")]),
            FieldRowPanel([FieldPanel("aggregation"), FieldPanel("spread_threshold")]),
        ],
        base_form_class=LockedAfterStartForm,
    )


class AuditLogViewSet(OrganiserViewSet):
    model = AuditLog
    icon = "history"
    menu_label = _("操作日志")
    list_display = [
        "created_at",
        Column("sentence", label=_("操作"), accessor=lambda log: describe([log])[0][1]),
        "action",
        Column("round", label=_("场次")),
    ]
    filterset_class = admin_scope.AuditLogFilterSet
    list_select_related = ["actor", "round__track"]
    form_fields = ["action"]


class ContestMenuItem(SubmenuMenuItem):
    """技能大赛 for organisers; 技术比武 for an enterprise's training managers, who run only theirs."""

    def render_component(self, request):
        component = super().render_component(request)
        if not is_organiser(request.user):
            component.label = _("技术比武")
        return component


class ContestAdminGroup(ViewSetGroup):
    menu_label = _("技能大赛")
    menu_name = "contest-admin"
    menu_icon = "trophy"
    menu_order = 210
    items = (
        ContestViewSet("contests_contest", url_prefix="contests/contests"),
        TrackViewSet("contests_track", url_prefix="contests/tracks"),
        RoundViewSet("contests_round", url_prefix="contests/rounds"),
        RoundQuestionViewSet("contests_roundquestion", url_prefix="contests/papers"),
        TaskViewSet("contests_task", url_prefix="contests/tasks"),
        CriterionViewSet("contests_criterion", url_prefix="contests/criteria"),
        AuditLogViewSet("contests_auditlog", url_prefix="contests/audit"),
    )

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.__class__ = ContestMenuItem
        return item


@hooks.register("register_admin_viewset")
def register_contest_admin():
    return ContestAdminGroup()
