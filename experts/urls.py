from django.urls import path

from .views import assignment, imports, pool

app_name = "experts"

urlpatterns = [
    path("", pool.expert_list, name="list"),
    path("<int:pk>/", pool.expert_detail, name="detail"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/template.<str:ext>", imports.import_template, name="import_template"),
    path("import/<int:pk>/", imports.import_preview, name="import_preview"),
    path("import/<int:pk>/errors.xlsx", imports.import_errors, name="import_errors"),
    path("tracks/<int:track_id>/judges/", assignment.track_judges, name="track_judges"),
]
