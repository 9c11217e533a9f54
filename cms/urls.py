"""The cms app's URLs, included at the site root under the `cms` namespace: Wagtail's reports scoped
to the provider (admin_reports.py), the web app manifest and /favicon.ico (views.py)."""

from django.urls import path

from . import admin_reports, views

app_name = "cms"

urlpatterns = [
    *admin_reports.urlpatterns,
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
]
