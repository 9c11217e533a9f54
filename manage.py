#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Unset means production: a forgotten variable must not serve DEBUG pages with a known secret.
    # `make` targets set config.settings.dev; so does `export DJANGO_SETTINGS_MODULE=config.settings.dev`.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
