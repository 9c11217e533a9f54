from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("public/", views.public, name="public"),
    path("api/overview.json", views.overview_json, name="overview_json"),
    path("api/<slug:figure>.json", views.figure_json, name="figure_json"),
    path("export/<slug:figure>.xlsx", views.figure_xlsx, name="figure_xlsx"),
    path("report/<str:month>.pdf", views.report_pdf, name="report_pdf"),
]
