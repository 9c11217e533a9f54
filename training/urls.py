from django.urls import path

from .views import reports

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

urlpatterns: list = [*report_urlpatterns]
