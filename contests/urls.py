from django.urls import path

from . import views

app_name = "contests"

urlpatterns = [
    path("", views.contest_list, name="list"),
    path("tracks/<int:track_id>/register/", views.register, name="register"),
    path("tracks/<int:track_id>/registrations/", views.registrations, name="registrations"),
    path("rounds/<int:round_id>/console/", views.round_console, name="console"),
    path("rounds/<int:round_id>/control/", views.round_control, name="control"),
    path("rounds/<int:round_id>/judge/", views.judge_console, name="judge"),
    path("rounds/<int:round_id>/board/", views.board, name="board"),
    path("rounds/<int:round_id>/board.json", views.board_json, name="board_json"),
    path("rounds/<int:round_id>/results/", views.results, name="results"),
    path("<slug:slug>/", views.contest_detail, name="detail"),
]

# Live rounds (part B): JSON for board clients.
from . import api  # noqa: E402

urlpatterns += [
    path("rounds/<int:round_id>/scoreboard.json", api.scoreboard_json, name="scoreboard_json"),
    path("rounds/<int:round_id>/events.json", api.events_json, name="events_json"),
]

# Live rounds (part B): the contestant console, the live scoreboard and the venue display.
from . import live_views  # noqa: E402

urlpatterns += [
    path("rounds/<int:round_id>/contestant/", live_views.contestant_console, name="contestant"),
    path("rounds/<int:round_id>/scoreboard/", live_views.scoreboard, name="scoreboard"),
    path("rounds/<int:round_id>/display/", live_views.display, name="display"),
]
