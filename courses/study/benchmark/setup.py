"""The scratch courses of `manage.py bench_heartbeats --prepare DIR`: runs in a process whose database
is the scratch SQLite file. Rows are bulk-created where a service would make them one at a time
(users, sessions, enrolments); the sockets open the lessons' study themselves (`study_open`).

Each course has one chapter and one video lesson whose video is a row of the lesson's video model
with a known `duration` (no file: nothing plays it). While `Lesson.video` points at a model without a
`duration` (as Wagtail documents did before the media library), `policy.lesson_duration` finds none: the
lesson is then a text lesson with a minimum time, tracked by the same beats (active time on a
visible page), and the load sends positions as the page's share instead of video ranges.
Courses are not strict (`study_strict=False`): idle checks would stop a learner's clock, and answering
them is not what is measured.
"""

import datetime as dt
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from courses.models import Chapter, Course, Enrolment, Lesson, Provider
from courses.study import policy

UNUSABLE = "!"  # no password: the sessions below are made directly
VIDEO_SECONDS = 4 * 3600.0  # longer than any run: no lesson completes during the measurement


def _video(course: Course):
    """A row of the lesson's video model with a known duration, or None when that model has none."""
    model = Lesson._meta.get_field("video").related_model
    names = {f.name for f in model._meta.get_fields()}
    if "duration" not in names:
        return None
    video = model(title=f"{course.code} 视频", file=f"bench/{course.code}.webm", duration=VIDEO_SECONDS)
    if "type" in names:
        video.type = "video"
    model.objects.bulk_create([video])  # a row, not an upload: nothing probes a file that is not there
    return model.objects.get(title=video.title)


def prepare(*, learners: int, courses: int, out: Path, kind: str = "video") -> None:
    """`kind` "text": lessons without a video, with a minimum time, credited by the same beats."""
    call_command("migrate", verbosity=0)
    User = get_user_model()
    provider = Provider.objects.create(name="基准测试机构", slug="bench")
    lessons = []
    for c in range(courses):
        course = Course.objects.create(
            provider=provider, code=f"BEAT-{c:02d}", title=f"心跳基准课程{c:02d}", hours=8, study_strict=False
        )
        chapter = Chapter.objects.create(course=course, title="第一章", sort_order=1)
        video = _video(course) if kind == "video" else None
        lesson = Lesson.objects.create(
            course=course,
            chapter=chapter,
            title="视频课时",
            sort_order=1,
            body="<p>视频课时</p>",
            video=video,
            min_minutes=None if video is not None else 600,
        )
        lessons.append(Lesson.objects.select_related("course", "video").get(pk=lesson.pk))
    kinds = {policy.lesson_kind(lesson) for lesson in lessons}

    users = User.objects.bulk_create(
        [User(username=f"beat{i:05d}", real_name=f"学员{i:05d}", password=UNUSABLE) for i in range(learners)]
    )
    now = timezone.now()
    Enrolment.objects.bulk_create(
        [Enrolment(learner=u, course_id=lessons[i % courses].course_id) for i, u in enumerate(users)]
    )
    store = SessionStore()
    backend = "accounts.backends.UsernameOrEmailBackend"  # the one that loads users (get_user)
    sessions, entries = [], []
    for i, u in enumerate(users):
        key = secrets.token_hex(16)
        data = {SESSION_KEY: str(u.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: u.get_session_auth_hash()}
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=now + dt.timedelta(days=1))
        )
        entries.append({"learner": u.pk, "lesson": lessons[i % courses].pk, "session": key})
    Session.objects.bulk_create(sessions, batch_size=2000)
    setup = {
        "kind": kinds.pop() if len(kinds) == 1 else sorted(kinds),
        "duration": VIDEO_SECONDS,
        "tolerance": settings.STUDY_TOLERANCE_SECONDS,
        "cap": settings.STUDY_BEAT_CAP_SECONDS,
        "allowed_host": settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost",
        "entries": entries,
    }
    out.write_text(json.dumps(setup), encoding="utf-8")
