"""The one place that reads the environment.

Every variable is listed in `.env.example`. A malformed value stops start-up with
a message that names the variable.
"""

import os
from pathlib import Path

import environ

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
# Tests must not pick up a developer's .env (a DATABASE_URL there would point the suite elsewhere).
if _env_file.exists() and not os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".test"):
    environ.Env.read_env(_env_file)


def _wrap(reader):
    def read(name, *args, **kwargs):
        try:
            return reader(name, *args, **kwargs)
        except ImproperlyConfigured:
            raise
        except Exception as exc:  # a value that does not parse
            raise ImproperlyConfigured(f"Environment variable {name} is invalid: {exc}") from exc

    return read


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _strict_bool(name, default=False):
    """django-environ reads any unknown word as False; a typo must not silently turn DEBUG off or on."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected true/false, 1/0, yes/no or on/off, got {raw!r}")


str_ = _wrap(env.str)
bool_ = _wrap(_strict_bool)
int_ = _wrap(env.int)
list_ = _wrap(env.list)


def db_url(name: str = "DATABASE_URL") -> dict | None:
    """Parse DATABASE_URL, or None when unset (embedded SQLite)."""
    if not env.str(name, default=""):
        return None
    try:
        config = env.db_url(name)
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {exc}") from exc
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: expected postgres://user@host:port/dbname")
    return config
