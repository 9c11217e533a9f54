"""Included at the site root (config/urls.py): /verify/… is public, /certificates/… needs a login."""

from django.urls import path

from . import manage_views as manage
from . import views

app_name = "certificates"

urlpatterns = [
    # public verification
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>.json", views.verify_json, name="verify_json"),
    path("verify/<str:code>/", views.verify, name="verify"),
    # 我的证书
    path("certificates/", views.mine, name="mine"),
    path("certificates/<int:pk>/pdf/", views.download, name="download"),
    # organisers
    path("certificates/manage/", manage.certificate_list, name="manage_list"),
    path("certificates/manage/zip/", manage.certificate_zip, name="manage_zip"),
    path("certificates/manage/<int:pk>/", manage.certificate_detail, name="manage_detail"),
    path("certificates/manage/<int:pk>/revoke/", manage.certificate_revoke, name="manage_revoke"),
    path("certificates/manage/<int:pk>/rerender/", manage.certificate_rerender, name="manage_rerender"),
    path("certificates/manage/skill-level/", manage.issue_skill_level, name="issue_skill_level"),
    path("certificates/manage/awards/", manage.issue_awards, name="issue_awards"),
    path("certificates/manage/jobs/<int:pk>/", manage.job_detail, name="job"),
    path("certificates/manage/jobs/<int:pk>.json", manage.job_progress, name="job_progress"),
    path("certificates/manage/templates/", manage.template_list, name="templates"),
    path("certificates/manage/templates/<str:kind>/", manage.template_edit, name="template_edit"),
    path("certificates/manage/templates/<str:kind>/preview.png", manage.template_preview, name="template_preview"),
]
