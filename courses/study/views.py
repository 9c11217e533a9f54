"""The heartbeat beacon: the page's last beat on leaving (navigator.sendBeacon on pagehide), over HTTP.

It carries the socket's session and the same `beat` object as the socket (docs/study.md), goes
through the same service, and is answered with the same `beat.ack` (JSON). Only a page that opened
the lesson's socket holds a session, so enrolment and unlock were checked there.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Lesson, LessonStudy

from . import policy, services, wire

MAX_BODY = wire.MAX_CHARS + 512


def _refused(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"type": "error", "code": code, "message": message}, status=status)


@login_required
@require_POST
def beat_beacon(request, lesson_id: int):
    if len(request.body) > MAX_BODY:
        return _refused("bad_request", _("消息过长，未处理"), 400)
    study = (
        LessonStudy.objects.select_related("lesson__course", "lesson__video")
        .filter(learner=request.user, lesson_id=lesson_id)
        .first()
        if 0 < lesson_id <= services.ID_MAX
        else None
    )
    if study is None:
        return _refused("forbidden", _("请先报名该课程，再开始学习"), 403)
    session = request.POST.get("session", "")
    try:
        claim = wire.claim(wire.parse(request.POST.get("beat")))
    except wire.BadFrame as bad:
        return _refused(bad.code, bad.message, 400)
    lesson: Lesson = study.lesson
    beat = services.StudyBeat(
        study_id=study.pk,
        learner_id=request.user.pk,
        lesson_id=lesson.pk,
        course_id=lesson.course_id,
        session=session if isinstance(session, str) else "",
        rules=policy.lesson_rules(lesson),
        claim=claim,
    )
    (result,) = services.study_beats_store(beats=[beat])
    if result.code == "ok":
        return JsonResponse(wire.ack_payload(result))
    return _refused(result.code, result.message, 409)
