"""ASGI entry point served by Daphne: HTTP through Django, WebSockets through Channels."""

import os

# Unset means production: a forgotten variable must not serve DEBUG pages with a known secret.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django must be set up before anything imports models (routing does).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.live_server import cap_client_frames, cheap_handshakes, tuned  # noqa: E402
from config.socket_auth import GatheredAuthMiddlewareStack  # noqa: E402
from contests.routing import websocket_urlpatterns as contest_routes  # noqa: E402
from courses.study.routing import websocket_urlpatterns as study_routes  # noqa: E402

websocket_urlpatterns = [*contest_routes, *study_routes]

cap_client_frames()  # before Daphne builds its WebSocket factory
cheap_handshakes()  # and before it listens
application = tuned(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(GatheredAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    )
)
