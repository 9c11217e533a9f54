#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Unset means production, as for the served site (config/asgi.py): a forgotten variable on a server
    # must not run commands with DEBUG on and a known secret. `make` targets and pytest choose their own
    # settings; by hand in a checkout: export DJANGO_SETTINGS_MODULE=config.settings.dev
    chosen = "DJANGO_SETTINGS_MODULE" in os.environ
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, which refuse here when unconfigured
    except ImproperlyConfigured as exc:
        if chosen:
            raise
        sys.exit(
            f"{exc}\n\nmanage.py uses the production settings when DJANGO_SETTINGS_MODULE is unset. "
            "In a development checkout: export DJANGO_SETTINGS_MODULE=config.settings.dev "
            "(make run and make test set it themselves)."
        )
    execute_from_command_line(sys.argv)
