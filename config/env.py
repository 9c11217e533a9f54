"""The one place that reads the environment.

Every variable is listed in `.env.example`. A malformed value stops start-up with
a message that names the variable.
"""

from pathlib import Path

import environ

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
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


str_ = _wrap(env.str)
bool_ = _wrap(env.bool)
int_ = _wrap(env.int)
list_ = _wrap(env.list)


def db_url(name: str = "DATABASE_URL") -> dict | None:
    """Parse DATABASE_URL, or None when unset (embedded SQLite)."""
    if not env.str(name, default=""):
        return None
    try:
        return env.db_url(name)
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is invalid: {exc}") from exc
