from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("网站内容")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import Site

        from .models import SiteSettings
        from .sites import forget

        for model in (Site, SiteSettings):
            post_save.connect(forget, sender=model, dispatch_uid=f"cms-sites-{model.__name__}-save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"cms-sites-{model.__name__}-delete")
