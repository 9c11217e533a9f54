"""Included at the site root (config/urls.py): /verify/… is public, /certificates/… needs a login."""

from django.urls import path

from certificates.views import learner, organiser, public

app_name = "certificates"

urlpatterns = [
    # public verification
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:code>.json", public.verify_json, name="verify_json"),
    path("verify/<str:code>/", public.verify, name="verify"),
    # 我的证书
    path("certificates/", learner.mine, name="mine"),
    path("certificates/<int:pk>/pdf/", learner.download, name="download"),
    path("certificates/study-hours/", learner.study_hours, name="study_hours"),
    # organisers
    path("certificates/manage/", organiser.certificate_list, name="manage_list"),
    path("certificates/manage/zip/", organiser.certificate_zip, name="manage_zip"),
    path("certificates/manage/<int:pk>/", organiser.certificate_detail, name="manage_detail"),
    path("certificates/manage/<int:pk>/revoke/", organiser.certificate_revoke, name="manage_revoke"),
    path("certificates/manage/<int:pk>/rerender/", organiser.certificate_rerender, name="manage_rerender"),
    path("certificates/manage/skill-level/", organiser.issue_skill_level, name="issue_skill_level"),
    path("certificates/manage/skill-level/lists/<int:pk>/", organiser.issue_preview, name="issue_preview"),
    path("certificates/manage/awards/", organiser.issue_awards, name="issue_awards"),
    path("certificates/manage/jobs/<int:pk>/", organiser.job_detail, name="job"),
    path("certificates/manage/jobs/<int:pk>.json", organiser.job_progress, name="job_progress"),
    path("certificates/manage/jobs/<int:pk>/resume/", organiser.job_resume, name="job_resume"),
    path("certificates/manage/templates/", organiser.template_list, name="templates"),
    path("certificates/manage/templates/<str:kind>/", organiser.template_edit, name="template_edit"),
    path("certificates/manage/templates/<str:kind>/preview/", organiser.template_preview, name="template_preview"),
    path(
        "certificates/manage/templates/previews/<str:result_id>/",
        organiser.template_preview_result,
        name="template_preview_result",
    ),
]
