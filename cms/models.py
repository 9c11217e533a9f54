from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The front door: leads to the catalogue, 我的学习, contests and certificate checks.

    Its template gets the catalogue's part (精品课程 first, categories, newest courses) from the `catalogue_showcase`
    template tag of `courses`, so cms, the base every app builds on, imports no domain app.
    """

    headline = models.CharField(_("主标题"), max_length=100, blank=True)
    intro = models.TextField(_("导语"), max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")


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

    @classmethod
    def for_request(cls, request):
        """Wagtail's, with the request's Site and these settings from the cache (cms/sites.py)."""
        from .sites import site_and_settings

        attr = cls.get_cache_attr_name()
        if hasattr(request, attr):
            return getattr(request, attr)
        found = site_and_settings(request, cls)
        if found is None or found[1] is None:
            return super().for_request(request)
        site, settings = found
        if not hasattr(request, "_wagtail_site"):
            request._wagtail_site = site
        settings._request = request  # as Wagtail's: page links in the settings resolve for this request
        setattr(request, attr, settings)
        return settings
