"""Learning paths (专题): pages that put courses in order around an occupation or a theme.

A path's steps point at `Course` records, never at course pages, and a learner's progress along a
path is read from their enrolments in those courses: editing, reverting or deleting a path page
never touches learner data, and a path created after someone finished its courses shows them as
completed (their certificate is then issued by the owed sweeper, certificates/paths.py).

Paths live under the index at /paths/ (organisers) or under a provider's page (that provider's staff,
whose Wagtail page permissions already stop at their subtree), where the steps may only be that
provider's courses.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from courses import paths


class PathKind(models.TextChoices):
    OCCUPATION = "occupation", _("职业")
    THEME = "theme", _("主题")


class LearningPathIndexPage(Page):
    """学习专题 at /paths/: every live path, with the signed-in learner's progress along each."""

    intro = models.CharField(_("导语"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.LearningPathPage"]
    max_count = 1

    class Meta:
        verbose_name = _("学习专题目录")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(paths.index_context(request, pages=LearningPathPage.objects.live().public()))
        return context


class LearningPathPageForm(WagtailAdminPageForm):
    """Under a provider's page only that provider's courses may be steps; a path needs at least one
    step, each course at most once, and at least one required step (the certificate asks for them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provider_id = self._provider_id()
        formset = self.formsets.get("steps")
        if provider_id and formset is not None:
            base = formset.form

            class ProviderStepForm(base):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    if "course" in self.fields:
                        self.fields["course"].queryset = self.fields["course"].queryset.filter(provider_id=provider_id)

            formset.form = ProviderStepForm

    def _provider_id(self):
        parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
        parent = parent.specific if parent else None
        return getattr(parent, "provider_id", None)

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("steps")
        if formset is None or not formset.is_valid():
            return cleaned
        kept = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("course")
        ]
        courses = [data["course"].pk for data in kept]
        provider_id = self._provider_id()
        if not kept:
            raise ValidationError(_("请至少添加一门课程"))
        if len(set(courses)) != len(courses):
            raise ValidationError(_("同一门课程只能在专题中出现一次"))
        if provider_id and any(data["course"].provider_id != provider_id for data in kept):
            raise ValidationError(_("只能选择本机构的课程"))
        if not any(data.get("required") for data in kept):
            raise ValidationError(_("请至少将一门课程设为必修：学完全部必修课程即可获得专题结业证书"))
        return cleaned


class LearningPathPage(Page):
    """A path (专题): courses in order around an occupation or a theme, with a completion certificate."""

    kind = models.CharField(_("专题类型"), max_length=12, choices=PathKind.choices, default=PathKind.OCCUPATION)
    theme = models.CharField(_("职业或主题"), max_length=60, blank=True, help_text=_("例如：数字技术工程师、企业微课"))
    intro = RichTextField(_("专题介绍"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("theme")]),
        FieldPanel("intro"),
        InlinePanel(
            "steps",
            label=_("课程"),
            heading=_("课程（按学习顺序）"),
            help_text=_("学完全部必修课程即可获得专题结业证书；选修课程只计入学习进度。"),
            min_num=1,
            panels=[FieldRowPanel([FieldPanel("course"), FieldPanel("required")])],
        ),
    ]
    base_form_class = LearningPathPageForm
    parent_page_types = ["courses.LearningPathIndexPage", "courses.ProviderPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("学习专题")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(paths.path_page_context(request, page=self))
        return context


class LearningPathStep(Orderable):
    """One course of a path, in order. Points at the course record, so learner data never hangs here."""

    page = ParentalKey(LearningPathPage, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="path_steps", verbose_name=_("课程")
    )
    required = models.BooleanField(_("必修"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("专题课程")
        verbose_name_plural = _("专题课程")

    def __str__(self):
        return f"{self.page_id}:{self.course_id}"
