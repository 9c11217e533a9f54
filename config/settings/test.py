"""pytest: fast hashing, tasks run inline, no manifest needed for static files."""

import base64
import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SERVE_MEDIA = True
MEDIA_ROOT = str(BASE_DIR / ".test-media")  # noqa: F405
# tests/conftest.py gives each test its own; a server started by a test (tests/contests/servers.py) is told the
# test's through the environment.
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT") or str(BASE_DIR / "var" / "test-private")  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# An ephemeral signing key per test run.
CERTIFICATE_SIGNING_KEY = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
CERTIFICATE_SIGNING_KEY_FILE = None
CERTIFICATE_BASE_URL = WAGTAILADMIN_BASE_URL

# Each pytest-xdist worker uses its own Redis database: a test's cache.clear() (FLUSHDB) then empties
# only its own worker's cache and channel layer. A server a test starts inherits the worker's name
# and REDIS_URL and lands on the same database.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _WORKER.startswith("gw"):  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)  # noqa: F405
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{int(_WORKER[2:]) + 1}"))
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"] = REDIS_URL  # noqa: F405
