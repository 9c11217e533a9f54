#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # A developer's tool: unset means development (makemigrations, shells, tests of a checkout).
    # What serves the site, config/asgi.py, defaults to production and refuses to start unconfigured.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
