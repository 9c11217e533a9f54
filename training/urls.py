from django.urls import path

from .views import applications, classes, invitations, manager, member, records, reports, review

app_name = "training"

# The employer's reports (training/views/reports.py): GET only.
report_urlpatterns = [
    path("reports/", reports.index, name="reports"),
    path("reports/classes/<int:class_id>/", reports.class_report, name="report_class"),
    path("reports/classes/<int:class_id>/export.xlsx", reports.class_export, name="report_class_xlsx"),
    path("reports/workers/<int:entry_id>/", reports.worker_report, name="report_worker"),
    path("reports/organisations/<int:organisation_id>/year/", reports.year_summary, name="report_year"),
    path("reports/organisations/<int:organisation_id>/year.xlsx", reports.year_export, name="report_year_xlsx"),
    path(
        "reports/organisations/<int:organisation_id>/export.xlsx",
        reports.enterprise_export,
        name="report_enterprise_xlsx",
    ),
]

urlpatterns = [
    path("", manager.index, name="index"),
    path("roster-template.<str:ext>", manager.roster_template, name="roster_template"),
    # an organisation's roster, imports and partner providers (its training managers, organisers)
    path("o/<int:org_id>/roster/", manager.roster, name="roster"),
    path("o/<int:org_id>/roster/add/", manager.roster_add, name="roster_add"),
    path("o/<int:org_id>/roster/<int:pk>/leave/", manager.roster_leave, name="roster_leave"),
    path("o/<int:org_id>/roster/invitations.xlsx", manager.roster_invitations, name="roster_invitations"),
    path("o/<int:org_id>/roster/import/", manager.roster_import, name="roster_import"),
    path("o/<int:org_id>/roster/import/<int:pk>/", manager.roster_import_preview, name="roster_import_preview"),
    path(
        "o/<int:org_id>/roster/import/<int:pk>/errors.xlsx", manager.roster_import_errors, name="roster_import_errors"
    ),
    path("o/<int:org_id>/partners/", manager.partners, name="partners"),
    path("o/<int:org_id>/partners/<int:pk>/withdraw/", manager.partner_withdraw, name="partner_withdraw"),
    # classes (also the staff of a provider the organisation granted)
    path("o/<int:org_id>/classes/", classes.classes, name="classes"),
    path("o/<int:org_id>/classes/new/", classes.class_create, name="class_create"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", classes.class_edit, name="class_edit"),
    path("classes/<int:pk>/open/", classes.class_open, name="class_open"),
    path("classes/<int:pk>/courses/add/", classes.class_course_add, name="class_course_add"),
    path(
        "classes/<int:pk>/courses/<int:class_course_id>/remove/",
        classes.class_course_remove,
        name="class_course_remove",
    ),
    path("classes/<int:pk>/members/", classes.class_members, name="class_members"),
    path("classes/<int:pk>/members/<int:member_id>/remove/", classes.class_member_remove, name="class_member_remove"),
    # the worker's side
    path("invitations/<str:invitation_token>/", invitations.invitation, name="invitation"),
    # 开班申请 and the class record (views/applications.py, review.py, records.py, member.py)
    path("classes/<int:pk>/application/", applications.application, name="application"),
    path("classes/<int:pk>/application/plan/", applications.plan_file, name="application_plan"),
    path("classes/<int:pk>/record/", records.record, name="class_record"),
    path("classes/<int:pk>/record/certificates/", records.record_issue, name="class_record_issue"),
    path("applications/", review.queue, name="application_queue"),
    path("applications/<int:pk>/", review.review, name="application_review"),
    path("my/classes/<int:pk>/", member.my_class, name="my_class"),
    path("my/classes/<int:pk>/sign-in/", member.sign_in, name="sign_in"),
    *report_urlpatterns,
]
