"""The structural site tree: home page and course catalogue (not demo data)."""

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.models import Page, Site

from .models import HomePage


@transaction.atomic
def site_ensure():
    """Create the home page at / and the catalogue at /courses/ once; safe to re-run."""
    from accounts.roles import organiser_group
    from courses.models import CourseCatalogPage
    from courses.services import provider_staff_group

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's install leaves a placeholder welcome page; replace it.
        for page in root.get_children().exclude(content_type__model="homepage"):
            if page.slug == "home":
                page.delete()
        home = HomePage(
            title=_("首页"),
            slug="home",
            headline="工业和信息化技术技能人才网上学习平台",
            intro="面向工业和信息化领域技术技能人才的在线学习、技能竞赛与证书服务。",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="技能人才学习平台"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    catalogue = CourseCatalogPage.objects.first()
    if catalogue is None:
        catalogue = CourseCatalogPage(title=_("课程目录"), slug="courses", intro=_("找到适合您的技能课程"))
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()
    organiser_group()
    provider_staff_group()
    return home, catalogue
