"""The structural site tree: the home page and the default Site (not demo data).

Each domain app ensures its own pages under the home page (`courses.services.catalogue_page_ensure`).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.models import Collection, Page, Site, Task, Workflow

from accounts.roles import organiser_group

from .models import HomePage


@transaction.atomic
def site_ensure() -> HomePage:
    """Create the home page at / and the default Site once, and the organiser group; safe to re-run."""
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
    organiser_group()
    wagtail_defaults_name()
    return home


def wagtail_defaults_name() -> None:
    """Chinese names for what Wagtail's install names in English and editors read in the admin
    ("浏览: Root", "提交给Moderators approval"); a name someone has changed is left alone."""
    Page.objects.filter(depth=1, title="Root").update(title=_("根目录"), draft_title=_("根目录"))
    Collection.objects.filter(depth=1, name="Root").update(name=_("根目录"))
    Workflow.objects.filter(name="Moderators approval").update(name=_("审核"))
    Task.objects.filter(name="Moderators approval").update(name=_("审核"))
