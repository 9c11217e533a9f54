"""Course views by who uses them.

learner  the learning pages: dashboard, enrolment, lessons, quizzes and their results
media    lesson videos, streamed with byte ranges to who may watch them (or handed to nginx)
staff    the Wagtail admin views for provider staff and organisers, scoped to their providers

The import and export pages live with the rest of import, in ``courses.imports.views``.
"""
