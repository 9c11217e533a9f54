from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("", include("cms.urls")),  # Wagtail's reports, scoped (before the admin); manifest, favicon
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("learn/", include("courses.urls")),
    path("contests/", include("contests.urls")),
    path("experts/", include("experts.urls")),
    path("organisations/", include("organisations.urls")),
    path("training/", include("training.urls")),
    path("notifications/", include("notifications.urls")),
    path("stats/", include("stats.urls")),
    path("", include("certificates.urls")),  # /verify/… (public) and /certificates/… (我的证书, organisers)
]

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# Wagtail serves the page tree (home, /courses/ catalogue, course pages) last.
urlpatterns += [path("", include(wagtail_urls))]
