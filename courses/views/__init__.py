"""Course views by who uses them.

learner  the learning pages: dashboard, enrolment, lessons, 我的学时
media    lesson videos, streamed with byte ranges to who may watch them (or handed to nginx)
quizzes  the learner's quiz pages: start, resume, autosave, submit, the attempt's review
marking  阅卷: provider staff mark the 简答 answers of their providers' quizzes
staff    the Wagtail admin views for provider staff and organisers, scoped to their providers

The import and export pages live with the rest of import, in ``courses.imports.views``.
"""
