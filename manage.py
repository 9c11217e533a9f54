#!/usr/bin/env python
import os
import sys
from pathlib import Path

# What a deployment sets and a developer's checkout does not: where any of them is present (in the
# environment or in .env), manage.py runs with the production settings and their refusals.
PRODUCTION_VARIABLES = frozenset(
    {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "CERTIFICATE_SIGNING_KEY", "DATABASE_URL"}
)


ENV_FILE = Path(__file__).with_name(".env")


def default_settings(environ=os.environ, env_file: Path = ENV_FILE) -> str:
    """The settings module when DJANGO_SETTINGS_MODULE is unset.

    A worker or a shell on a server, whose environment carries the deployment's variables, gets the
    production settings, never DEBUG and a known secret against its database. A bare checkout, with
    none of them, is a developer's: `makemigrations --check` and the like run as they are.
    """
    names = set(environ)
    if env_file.exists():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            name, equals, _value = line.strip().removeprefix("export ").partition("=")
            if equals and not name.startswith("#"):
                names.add(name.strip())
    return "config.settings.production" if names & PRODUCTION_VARIABLES else "config.settings.dev"


if __name__ == "__main__":
    chosen = "DJANGO_SETTINGS_MODULE" in os.environ
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings())
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, which refuse here when unconfigured
    except ImproperlyConfigured as exc:
        if chosen:
            raise
        sys.exit(
            f"{exc}\n\nmanage.py uses the production settings when DJANGO_SETTINGS_MODULE is unset and the "
            f"environment carries a deployment's variables ({', '.join(sorted(PRODUCTION_VARIABLES))}). "
            "In a development checkout: export DJANGO_SETTINGS_MODULE=config.settings.dev."
        )
    execute_from_command_line(sys.argv)
