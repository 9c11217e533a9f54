"""Importing and exporting courses and question banks: everything about it lives in this package.

parsers/   no Django: bytes → tables (``tables``), tables or text → records and row issues
           (``answers`` question-bank rows, ``courses`` course rows, ``gift``, ``aiken``)
reading    file → parsed records: sends each table or text to its parser
questions  plan rows against the provider's bank; write in bulk
courses    plan rows against the provider's courses, chapters and lessons; write in bulk
plan       the shape both planners return (one entry per row, what to write)
pages      catalogue pages for new courses, in bulk
jobs       the services behind the pages and the background tasks (create, preview, confirm, apply)
tasks      the django-tasks wrappers of preview and apply
views      the admin pages: upload, preview, confirm, templates, export
resources  the template columns (django-import-export Resources) and the export files
moodle     GIFT and Aiken export
templates  the downloadable XLSX and CSV templates
retention  deleting old uploads (``manage.py prune_imports``)

The numerical-answer notation the templates use is ``courses.numerical``, shared with grading.
See docs/import.md for the templates, the matching rules and why the bulk path is our own.
"""
