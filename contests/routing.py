"""WebSocket routes of live rounds (config/asgi.py wraps them in the origin check and the session auth)."""

from django.urls import path

from .consumers import ContestantConsumer, JudgeConsumer, ScoreboardConsumer
from .consumers_practice import DeviceCheckConsumer, PracticeConsumer

websocket_urlpatterns = [
    path("ws/rounds/<int:round_id>/contestant/", ContestantConsumer.as_asgi()),
    path("ws/rounds/<int:round_id>/board/", ScoreboardConsumer.as_asgi()),
    path("ws/rounds/<int:round_id>/judge/", JudgeConsumer.as_asgi()),
    path("ws/rounds/<int:round_id>/check/", DeviceCheckConsumer.as_asgi()),
    path("ws/tracks/<int:track_id>/practice/<int:practice_id>/", PracticeConsumer.as_asgi()),
]
