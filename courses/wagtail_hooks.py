"""Admin wiring for the course records: the 课程管理 menu, its viewsets and the 课程数据 report.

Course pages are edited in the page explorer (confined to the provider's subtree); the records here,
each through a viewset scoped by the provider permission policies of courses.permissions.
"""

import django_filters
from wagtailmedia.widgets import AdminVideoChooser

from django import forms
from django.urls import path, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.roles import is_organiser, is_provider_staff

from .forms import (
    ChapterAdminForm,
    CourseAdminForm,
    FeaturedCourseAdminForm,
    LessonAdminForm,
    QuestionAdminForm,
    QuizAdminForm,
    QuizQuestionAdminForm,
)
from .imports import views as import_views
from .models import (
    Category,
    Chapter,
    Course,
    Delivery,
    FeaturedCourse,
    Lesson,
    Provider,
    Question,
    QuestionKind,
    Quiz,
    SkillLevel,
)
from .permissions import register_policies, scoped_to_user
from .views import changes as change_views
from .views import ratings as rating_views
from .views import reports, staff

# Before any viewset asks the registry (which would create a fallback policy instead).
register_policies()


# ------------------------------------------------------------------ filters


def _user(request):
    return getattr(request, "user", None)


def _providers(request):
    return scoped_to_user(Provider.objects.all(), _user(request), "pk")


def _courses(request):
    return scoped_to_user(Course.objects.all(), _user(request), "provider")


class ScopedFilterSet(WagtailFilterSet):
    """Filter choices come from the user's providers; the provider filter is for organisers only."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        if not is_organiser(_user(request)):
            self.filters.pop("provider", None)


class CourseFilterSet(ScopedFilterSet):
    provider = django_filters.ModelChoiceFilter(label=_("培训机构"), queryset=_providers)
    category = django_filters.ModelChoiceFilter(label=_("行业分类"), queryset=Category.objects.all())
    level = django_filters.ChoiceFilter(label=_("技能等级"), choices=SkillLevel.choices)
    delivery = django_filters.ChoiceFilter(label=_("授课方式"), choices=Delivery.choices)

    class Meta:
        model = Course
        fields = ["provider", "category", "level", "delivery"]


class CourseChildFilterSet(ScopedFilterSet):
    course = django_filters.ModelChoiceFilter(label=_("课程"), queryset=_courses)


class ChapterFilterSet(CourseChildFilterSet):
    class Meta:
        model = Chapter
        fields = ["course"]


class LessonFilterSet(CourseChildFilterSet):
    is_required = django_filters.BooleanFilter(label=_("必修"))

    class Meta:
        model = Lesson
        fields = ["course", "is_required"]


class QuizFilterSet(CourseChildFilterSet):
    class Meta:
        model = Quiz
        fields = ["course"]


class QuestionFilterSet(ScopedFilterSet):
    provider = django_filters.ModelChoiceFilter(label=_("培训机构"), queryset=_providers)
    kind = django_filters.ChoiceFilter(label=_("题型"), choices=QuestionKind.choices)
    difficulty = django_filters.ChoiceFilter(label=_("难度"), choices=[(i, str(i)) for i in range(1, 6)])

    class Meta:
        model = Question
        fields = ["provider", "kind", "difficulty"]


# ------------------------------------------------------------------ viewsets


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view is scoped by the model's permission policy."""

    index_view_class = staff.ScopedIndexView
    add_view_class = staff.ScopedCreateView
    edit_view_class = staff.ScopedEditView
    delete_view_class = staff.ScopedDeleteView
    history_view_class = staff.ScopedHistoryView
    usage_view_class = staff.ScopedUsageView
    inspect_view_class = staff.ScopedInspectView
    copy_view_enabled = False  # a copy would carry none of the record's chapters, lessons or questions
    sort_order_field = None
    list_select_related = ()

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=self.list_select_related, **kwargs)


class QuestionChooserViewSet(ChooserViewSet):
    model = Question
    icon = "help"
    choose_one_text = _("选择试题")
    choose_another_text = _("更换试题")
    edit_item_text = _("编辑试题")
    register_widget = False  # used explicitly in the quiz form only
    choose_view_class = staff.QuestionChooseView
    choose_results_view_class = staff.QuestionChooseResultsView
    chosen_view_class = staff.QuestionChosenView
    chosen_multiple_view_class = staff.QuestionChosenMultipleView


question_chooser_viewset = QuestionChooserViewSet("courses_question_chooser", url_prefix="courses/question-chooser")


class ScopedInlinePanel(InlinePanel):
    """An InlinePanel whose child forms receive the editing user (for scoped choices)."""

    def __init__(self, *args, form_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_class = form_class

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "form_class": self.form_class}

    def get_form_options(self):
        options = super().get_form_options()
        formset = options["formsets"][self.relation_name]
        formset["form"] = self.form_class
        formset["inherit_kwargs"] = ["for_user"]
        return options


class CourseViewSet(ScopedModelViewSet):
    model = Course
    icon = "folder-open-1"
    menu_name = "courses"
    menu_label = _("课程")
    add_view_class = staff.CourseCreateView
    edit_view_class = staff.CourseEditView
    list_display = ["title", "code", "provider", "category", "level", "hours"]
    list_select_related = ("provider", "category")
    filterset_class = CourseFilterSet
    search_fields = ["title", "code", "instructors"]
    ordering = ["provider__name", "code"]
    list_export = ["provider.name", "code", "title", "category.name", "get_level_display", "hours"]
    export_headings = {
        "provider.name": _("培训机构"),
        "category.name": _("行业分类"),
        "get_level_display": _("技能等级"),
    }
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("provider"),
                    FieldRowPanel([FieldPanel("code"), FieldPanel("title")]),
                    FieldRowPanel([FieldPanel("category"), FieldPanel("level")]),
                    FieldRowPanel([FieldPanel("hours"), FieldPanel("delivery")]),
                    FieldPanel("instructors"),
                    FieldPanel("summary"),
                    FieldPanel("cover"),
                ],
                heading=_("基本信息"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("pass_mark"),
                    FieldPanel("sequential"),
                    FieldPanel("final_quiz"),
                    FieldRowPanel([FieldPanel("study_strict"), FieldPanel("video_completion_percent")]),
                ],
                heading=_("学习规则"),
            ),
            MultiFieldPanel(
                [FieldPanel("requires_identity")],
                heading=_("结业证书"),
            ),
        ],
        base_form_class=CourseAdminForm,
    )


class ChapterViewSet(ScopedModelViewSet):
    model = Chapter
    icon = "list-ol"
    menu_name = "chapters"
    menu_label = _("章节")
    list_display = ["title", Column("course", label=_("课程"), sort_key="course__title"), "sort_order"]
    list_select_related = ("course",)
    filterset_class = ChapterFilterSet
    search_fields = ["title", "course__title"]
    ordering = ["course__code", "sort_order", "id"]
    edit_handler = ObjectList(
        [FieldPanel("course", heading=_("课程")), FieldPanel("title"), FieldPanel("sort_order")],
        base_form_class=ChapterAdminForm,
    )


class LessonViewSet(ScopedModelViewSet):
    model = Lesson
    icon = "doc-full"
    menu_name = "lessons"
    menu_label = _("课时")
    list_display = [
        "title",
        Column("course", label=_("课程"), sort_key="course__title"),
        "chapter",
        "sort_order",
        BooleanColumn("is_required", label=_("必修")),
        "quiz",
    ]
    list_select_related = ("course", "chapter", "quiz")
    filterset_class = LessonFilterSet
    search_fields = ["title", "course__title", "chapter__title"]
    ordering = ["course__code", "chapter__sort_order", "sort_order", "id"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("chapter"),
                    FieldPanel("title"),
                    FieldRowPanel([FieldPanel("sort_order"), FieldPanel("minutes")]),
                ],
                heading=_("课时"),
            ),
            FieldPanel("body"),
            MultiFieldPanel(
                [FieldPanel("video", widget=AdminVideoChooser), FieldPanel("video_url")], heading=_("视频")
            ),
            FieldPanel(
                "documents",
                widget=forms.CheckboxSelectMultiple,
                help_text=_("先在“文档”中上传到本机构的文件夹，再在这里勾选"),
            ),
            MultiFieldPanel(
                [FieldPanel("quiz"), FieldPanel("is_required"), FieldPanel("min_minutes")], heading=_("测验与要求")
            ),
        ],
        base_form_class=LessonAdminForm,
    )


class QuizViewSet(ScopedModelViewSet):
    model = Quiz
    icon = "tasks"
    menu_name = "quizzes"
    menu_label = _("测验")
    list_display = [
        "title",
        Column("course", label=_("课程"), sort_key="course__title"),
        "pass_mark",
        "attempts_allowed",
        "time_limit_minutes",
    ]
    list_select_related = ("course",)
    filterset_class = QuizFilterSet
    search_fields = ["title", "course__title"]
    ordering = ["course__code", "id"]
    edit_handler = ObjectList(
        [
            FieldPanel("course", heading=_("课程")),
            FieldPanel("title"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("shuffle"), FieldPanel("shuffle_options")]),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("attempt_delay_minutes")]),
                    FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("review")]),
                ],
                heading=_("作答规则"),
                help_text=_(
                    "留空的项使用平台默认值；课程的结业测验默认更严格：3 次机会、间隔 10 分钟、通过或用完次数后才显示答案"
                ),
            ),
            ScopedInlinePanel(
                "quiz_questions",
                form_class=QuizQuestionAdminForm,
                label=_("题目"),
                heading=_("固定题目"),
                panels=[FieldPanel("question", widget=question_chooser_viewset.widget_class)],
            ),
            InlinePanel(
                "draw_rules",
                label=_("随机抽题规则"),
                heading=_("随机抽题"),
                help_text=_(
                    "每次作答从本机构题库中按条件随机抽题（不与固定题目重复），例如：知识点 A 难度 1–3 抽 5 道"
                ),
                panels=[
                    FieldRowPanel([FieldPanel("count"), FieldPanel("kind")]),
                    FieldRowPanel([FieldPanel("category"), FieldPanel("knowledge_point")]),
                    FieldRowPanel([FieldPanel("difficulty_min"), FieldPanel("difficulty_max")]),
                ],
            ),
        ],
        base_form_class=QuizAdminForm,
    )


class QuestionViewSet(ScopedModelViewSet):
    model = Question
    delete_view_class = staff.QuestionDeleteView
    icon = "help"
    menu_name = "questions"
    menu_label = _("题库")
    list_display = [
        "stem",
        "kind",
        Column("provider", label=_("培训机构"), accessor="provider.name", sort_key="provider__name"),
        "category",
        "knowledge_point",
        "difficulty",
        "score",
    ]
    list_select_related = ("provider",)
    filterset_class = QuestionFilterSet
    search_fields = ["stem", "category", "knowledge_point", "external_id"]
    ordering = ["-id"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("provider", heading=_("培训机构")), FieldPanel("kind")]),
            FieldPanel("stem"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel(f"option_{a}"), FieldPanel(f"option_{b}")])
                    for a, b in ("ab", "cd", "ef", "gh")
                ],
                heading=_("选项（单选、多选题）"),
                help_text=_("从A开始连续填写，2到8个选项"),
            ),
            FieldPanel("answer"),
            FieldPanel("explanation"),
            FieldRowPanel([FieldPanel("score"), FieldPanel("difficulty")]),
            FieldRowPanel([FieldPanel("category"), FieldPanel("knowledge_point"), FieldPanel("external_id")]),
        ],
        base_form_class=QuestionAdminForm,
    )


class CategoryViewSet(ScopedModelViewSet):
    model = Category
    icon = "tag"
    menu_name = "categories"
    menu_label = _("行业分类")
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]


class FeaturedCourseViewSet(ScopedModelViewSet):
    """精品课程: organisers select courses for a period (courses/models/curation.py); the home page,
    the catalogue's filter and the badges on cards and course pages read the current ones."""

    model = FeaturedCourse
    icon = "pick"
    menu_name = "featured-courses"
    menu_label = _("精品课程")
    add_view_class = staff.FeaturedCourseCreateView
    list_display = [
        Column("course", label=_("课程"), sort_key="course__title"),
        "title",
        "starts_on",
        "ends_on",
        "position",
        BooleanColumn("is_current", label=_("展示中")),
        Column("selected_by", label=_("遴选人")),
    ]
    list_select_related = ("course", "selected_by")
    search_fields = ["title", "citation", "course__title", "course__code"]
    ordering = ["position", "-starts_on", "pk"]
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("title"),
            FieldPanel("citation"),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on"), FieldPanel("position")]),
        ],
        base_form_class=FeaturedCourseAdminForm,
    )


class ProviderViewSet(ScopedModelViewSet):
    model = Provider
    icon = "group"
    menu_name = "providers"
    menu_label = _("培训机构")
    index_view_class = staff.ProviderIndexView
    add_view_class = staff.ProviderCreateView
    edit_view_class = staff.ProviderEditView
    list_display = ["name", "short_name", "slug", "website", BooleanColumn("trusted", label=_("免审核发布"))]
    search_fields = ["name", "short_name"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("short_name")]),
        FieldPanel("slug"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("trusted"),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/staff/", staff.ProviderStaffView.as_view(), name="staff"),
        ]


class CourseStatsViewSet(ViewSet):
    """The 课程数据 report, as a viewset so it sits in the 课程管理 menu."""

    icon = "table"
    menu_name = "course-stats"
    menu_label = _("课程数据")

    def get_urlpatterns(self):
        kwargs = {
            "index_url_name": self.get_url_name("index"),
            "index_results_url_name": self.get_url_name("results"),
        }
        return [
            path("", staff.CourseStatsView.as_view(**kwargs), name="index"),
            path("results/", staff.CourseStatsView.as_view(results_only=True, **kwargs), name="results"),
            path("<int:course_id>/learners/", reports.CourseLearnersView.as_view(), name="learners"),
            path(
                "<int:course_id>/learners/results/",
                reports.CourseLearnersView.as_view(results_only=True),
                name="learners_results",
            ),
            path("<int:course_id>/learners/<int:pk>/", reports.EnrolmentLessonsView.as_view(), name="enrolment"),
            path(
                "<int:course_id>/learners/<int:pk>/results/",
                reports.EnrolmentLessonsView.as_view(results_only=True),
                name="enrolment_results",
            ),
        ]

    @cached_property
    def menu_item_class(self):
        class CourseStatsMenuItem(MenuItem):
            def is_shown(self, request):
                return is_organiser(request.user) or is_provider_staff(request.user)

        return CourseStatsMenuItem


class _StaffMenuViewSet(ViewSet):
    """A menu entry shown to provider staff and organisers only."""

    @cached_property
    def menu_item_class(self):
        class StaffMenuItem(MenuItem):
            def is_shown(self, request):
                return is_organiser(request.user) or is_provider_staff(request.user)

        return StaffMenuItem


class ImportViewSet(_StaffMenuViewSet):
    """批量导入: upload, preview, confirm; the job list and the templates (courses/imports/views.py)."""

    icon = "upload"
    menu_name = "course-import"
    menu_label = _("批量导入")

    def get_urlpatterns(self):
        return [
            path("", import_views.ImportIndexView.as_view(), name="index"),
            path("new/", import_views.ImportCreateView.as_view(), name="new"),
            path("<int:pk>/", import_views.ImportJobView.as_view(), name="job"),
            path("<int:pk>/progress/", import_views.import_job_progress, name="progress"),
            path("<int:pk>/file/", import_views.import_job_file, name="file"),
            path("<int:pk>/confirm/", import_views.import_job_confirm_view, name="confirm"),
            path("<int:pk>/retry/", import_views.import_job_retry_view, name="retry"),
            path("templates/<str:kind>.<str:ext>", import_views.template_download, name="template"),
        ]


class ExportViewSet(_StaffMenuViewSet):
    icon = "download"
    menu_name = "course-export"
    menu_label = _("批量导出")

    def get_urlpatterns(self):
        return [path("", import_views.ExportView.as_view(), name="index")]


class RatingsViewSet(_StaffMenuViewSet):
    """课程评价: hide a rating with a reason or show it again (courses/views/ratings.py)."""

    icon = "pick"
    menu_name = "course-ratings"
    menu_label = _("课程评价")

    def get_urlpatterns(self):
        return [
            path("", rating_views.RatingListView.as_view(), name="index"),
            path("results/", rating_views.RatingListView.as_view(results_only=True), name="results"),
            path("<int:pk>/", rating_views.RatingModerateView.as_view(), name="moderate"),
        ]


class ChangesViewSet(_StaffMenuViewSet):
    icon = "tasks"
    menu_name = "course-changes"
    menu_label = _("课程修改审核")  # changes to live courses waiting for an organiser (courses/views/changes.py)

    def get_urlpatterns(self):
        return [
            path("", change_views.ChangeListView.as_view(), name="index"),
            path("<int:pk>/", change_views.ChangeDetailView.as_view(), name="detail"),
        ]


class CourseAdminGroup(ViewSetGroup):
    menu_label = _("课程管理")
    menu_name = "course-admin"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        CourseViewSet("courses_course", url_prefix="courses/courses"),
        ChapterViewSet("courses_chapter", url_prefix="courses/chapters"),
        LessonViewSet("courses_lesson", url_prefix="courses/lessons"),
        QuizViewSet("courses_quiz", url_prefix="courses/quizzes"),
        QuestionViewSet("courses_question", url_prefix="courses/questions"),
        ChangesViewSet("course_changes", url_prefix="courses/changes"),
        CourseStatsViewSet("course_stats", url_prefix="courses/stats"),
        RatingsViewSet("course_ratings", url_prefix="courses/ratings"),
        ImportViewSet("courses_import", url_prefix="courses/import"),
        ExportViewSet("courses_export", url_prefix="courses/export"),
        FeaturedCourseViewSet("courses_featured", url_prefix="courses/featured"),
        CategoryViewSet("courses_category", url_prefix="courses/categories"),
        ProviderViewSet("courses_provider", url_prefix="courses/providers"),
    )


class MarkingMenuItem(MenuItem):
    """阅卷 (courses/views/marking.py) is a site page; the admin menu points provider staff to it."""

    def is_shown(self, request):
        return is_organiser(request.user) or is_provider_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_marking_menu_item():
    return MarkingMenuItem(
        _("阅卷"), reverse_lazy("courses:marking"), name="course-marking", icon_name="edit", order=210
    )


@hooks.register("register_admin_viewset")
def register_course_admin():
    return [CourseAdminGroup(), question_chooser_viewset]
