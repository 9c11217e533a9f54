from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The front door: leads to the catalogue, 我的学习, contests and certificate checks."""

    headline = models.CharField(_("主标题"), max_length=100, blank=True)
    intro = models.TextField(_("导语"), max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        from courses.models import Category, Course, CourseCatalogPage

        context = super().get_context(request, *args, **kwargs)
        catalogue = CourseCatalogPage.objects.live().first()
        context["catalogue"] = catalogue
        context["categories"] = Category.objects.all()
        latest = Course.objects.published().select_related("provider", "page").order_by("-page__first_published_at")[:6]
        for course in latest:
            course.url = course.page.get_url(request)
        context["latest_courses"] = latest
        return context


class StandardPage(Page):
    """A plain content page (about, help, terms)."""

    body = RichTextField(_("正文"), blank=True)
    content_panels = [*Page.content_panels, FieldPanel("body")]

    class Meta:
        verbose_name = _("普通页面")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Footer and contact details editable by organisers."""

    organiser_name = models.CharField(_("主办单位"), max_length=100, default="全国工业和信息化技术技能人才培养工程")
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    icp_number = models.CharField(_("ICP备案号"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("站点设置")
