"""WebSocket route of tracked study (config/asgi.py wraps it in the origin check and the session auth)."""

from django.urls import path

from .consumers import StudyConsumer

websocket_urlpatterns = [
    path("ws/study/<int:lesson_id>/", StudyConsumer.as_asgi()),
]
