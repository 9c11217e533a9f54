"""WebSocket routes for live contest rounds (filled in by the live-contest work)."""

websocket_urlpatterns: list = []
