"""Local development and `make run`: debug on, a throwaway secret, media served."""

from config import env as E

from .base import *  # noqa: F403

DEBUG = E.bool_("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"  # noqa: F405
SERVE_MEDIA = True
ALLOWED_HOSTS = ["*"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# A development signing key, created on first use and never committed (.keys/ is git-ignored).
CERTIFICATE_SIGNING_KEY_FILE = CERTIFICATE_SIGNING_KEY_FILE or BASE_DIR / ".keys" / "certificate-signing-key.pem"  # noqa: F405
