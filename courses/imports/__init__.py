"""Importing courses and question banks: the Django side of ``courses.imports.parsers``'s parsers.

reading    file → parsed records and per-row issues (XLSX, CSV, JSON, GIFT, Aiken)
questions  plan rows against the provider's bank; write in bulk
courses    plan rows against the provider's courses, chapters and lessons; write in bulk
pages      catalogue pages for new courses, in bulk
jobs       the services behind the pages and the background tasks (preview, confirm, apply)

See docs/import.md for the templates, the matching rules and why the bulk path is our own.
"""
