import html

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from courses.selectors import catalogue_context, course_page_context


class CourseCatalogPage(Page):
    """The catalogue at /courses/: filters, sorting, search and paging over every live course."""

    intro = models.CharField(_("导语"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.ProviderPage"]
    max_count = 1

    class Meta:
        verbose_name = _("课程目录")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(request, catalogue=self))
        return context


class ProviderPage(Page):
    """A provider's home under the catalogue; its subtree is what the provider's staff may edit."""

    provider = models.OneToOneField(
        "courses.Provider", on_delete=models.PROTECT, related_name="page", verbose_name=_("培训机构")
    )
    body = RichTextField(_("介绍"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("provider"), FieldPanel("body")]
    parent_page_types = ["courses.CourseCatalogPage"]
    subpage_types = ["courses.CoursePage", "courses.LearningPathPage"]

    class Meta:
        verbose_name = _("培训机构主页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(request, catalogue=self, provider=self.provider))
        return context


class CoursePageForm(WagtailAdminPageForm):
    """Offers only courses of the provider the page sits under."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provider_id = self._provider_id()
        if "course" in self.fields and provider_id:
            self.fields["course"].queryset = self.fields["course"].queryset.filter(provider_id=provider_id)

    def _provider_id(self):
        parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
        parent = parent.specific if parent else None
        return getattr(parent, "provider_id", None)

    def clean_course(self):
        course = self.cleaned_data.get("course")
        provider_id = self._provider_id()
        if course and provider_id and course.provider_id != provider_id:
            raise ValidationError(_("只能选择本机构的课程"))
        return course


class CoursePage(Page):
    """A course's public page. The learning record lives on `course`, never here."""

    course = models.OneToOneField(
        "courses.Course", on_delete=models.PROTECT, related_name="page", verbose_name=_("课程")
    )
    body = RichTextField(_("详细介绍"), blank=True)

    content_panels = [FieldPanel("course"), FieldPanel("body")]
    promote_panels = [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description")]
    base_form_class = CoursePageForm
    parent_page_types = ["courses.ProviderPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("课程页面")

    def full_clean(self, *args, **kwargs):
        # The page shows the course's own title; the slug defaults to its code.
        if self.course_id:
            self.title = self.course.title
            self.draft_title = self.course.title
            if not self.slug:
                self.slug = slugify(self.course.code) or f"course-{self.course_id}"
        super().full_clean(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(course_page_context(request, self.course_id))
        context["summary_in_body"] = summary_repeated(context["course"].summary, self.body)
        return context


def summary_repeated(summary: str, body: str) -> bool:
    """Does the page's 详细介绍 already say the course's 简介? Then the page prints it once, in the body
    (pages whose body began by copying the summary printed it twice)."""
    summary = " ".join((summary or "").split())
    return bool(summary) and summary in " ".join(html.unescape(strip_tags(body or "")).split())
