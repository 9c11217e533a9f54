from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("证书")

    def ready(self):
        from accounts.signals import profile_saved

        from . import checks  # noqa: F401 - registers the start-up checks
        from .tasks import on_profile_saved

        # A complete profile releases the certificates that waited for it (holds.py).
        profile_saved.connect(on_profile_saved, dispatch_uid="certificates.holds_release")
