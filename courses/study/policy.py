"""What the rules of tracked study are for one lesson, and whether a lesson may be completed yet.

Reads only: `courses.services.lesson_complete` asks `completion_refusal` before marking a lesson
done, and the study services build a lesson's `Rules` here once per socket.
"""

import math
import random

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from courses.models import Lesson, LessonStudy

from .crediting import TEXT, UNTRACKED, VIDEO, Rules, is_complete, remaining_seconds, share
from .state import state_of


def lesson_duration(lesson: Lesson) -> float | None:
    """Seconds of the lesson's video on the platform, as the server measured it; None when the lesson
    has none or its length is unknown. (The media library's model carries `duration`.)"""
    video = lesson.video if lesson.video_id else None
    duration = getattr(video, "duration", None) if video is not None else None
    try:
        duration = float(duration) if duration is not None else None
    except (TypeError, ValueError):
        return None
    return duration if duration and math.isfinite(duration) and duration > 0 else None


def text_length(lesson: Lesson) -> int:
    """Characters of the lesson's text, without markup or spaces."""
    return len("".join(strip_tags(lesson.body or "").split()))


def min_seconds(lesson: Lesson) -> int:
    """Minimum study time of a text lesson: the provider's, or its length at the reading speed."""
    if lesson.min_minutes is not None:
        return int(lesson.min_minutes) * 60
    chars = text_length(lesson)
    if not chars:
        return 0
    speed = max(1, settings.STUDY_READING_CHARS_PER_MINUTE)
    return max(settings.STUDY_TEXT_MIN_SECONDS_FLOOR, math.ceil(chars * 60 / speed))


def lesson_kind(lesson: Lesson) -> str:
    if lesson_duration(lesson):
        return VIDEO
    if lesson.video_url and not lesson.video_id and lesson.min_minutes is None:
        return UNTRACKED  # an outside video cannot be tracked: 不计学时
    return TEXT


def lesson_rules(lesson: Lesson) -> Rules:
    """The rules for `lesson` (its course loaded or loadable)."""
    kind = lesson_kind(lesson)
    course = lesson.course
    percent = course.video_completion_percent or settings.STUDY_VIDEO_COMPLETION_PERCENT
    return Rules(
        kind=kind,
        duration=(lesson_duration(lesson) or 0.0) if kind == VIDEO else 0.0,
        strict=course.study_strict,
        cap=float(settings.STUDY_BEAT_CAP_SECONDS),
        tolerance=float(settings.STUDY_TOLERANCE_SECONDS),
        completion_share=min(100, max(1, percent)) / 100,
        min_seconds=min_seconds(lesson) if kind == TEXT else 0,
    )


def idle_delay() -> float:
    """Seconds until the next idle check: a random moment in the configured range."""
    low = settings.STUDY_IDLE_CHECK_MIN_SECONDS
    high = max(low, settings.STUDY_IDLE_CHECK_MAX_SECONDS)
    return random.SystemRandom().uniform(low, high)


def study_summary(study: LessonStudy | None, rules: Rules) -> dict:
    """What the page shows of a lesson's study (also the state part of the socket's hello)."""
    state = state_of(study, None) if study is not None else None
    watched = study.watched if study is not None else []
    watched_seconds = state.watched_seconds if state else 0.0
    return {
        "kind": rules.kind,
        "strict": rules.strict,
        "duration": rules.duration,
        "position": state.position if state else 0.0,
        "furthest": state.furthest if state else 0.0,
        "watched": watched,
        "watched_share": round(share(watched_seconds, rules.duration), 4),
        "completion_share": rules.completion_share,
        "effective_seconds": state.effective_seconds if state else 0,
        "min_seconds": rules.min_seconds,
        "remaining_seconds": remaining_seconds(state, rules) if state else rules.min_seconds,
    }


def completion_refusal(*, enrolment, lesson: Lesson) -> str | None:
    """Why `lesson` may not be completed yet by hand (a message), or None."""
    rules = lesson_rules(lesson)
    if rules.kind == UNTRACKED or (rules.kind == TEXT and rules.min_seconds == 0):
        return None
    study = LessonStudy.objects.filter(enrolment=enrolment, lesson=lesson).first()
    if study is not None and is_complete(state_of(study, None), rules):
        return None
    if rules.kind == VIDEO:
        percent = round(rules.completion_share * 100)
        return _("请观看至少 %(percent)s%% 的视频，课时将自动完成") % {"percent": percent}
    left = rules.min_seconds - (study.effective_seconds if study else 0)
    minutes = max(1, math.ceil(left / 60))
    return _("本课时的最短学习时间未满，还需学习约 %(minutes)s 分钟") % {"minutes": minutes}


def study_page_context(*, enrolment, lesson: Lesson) -> dict:
    """What the lesson page needs to show and run tracked study (read only: the socket opens it)."""
    rules = lesson_rules(lesson)
    study = LessonStudy.objects.filter(enrolment=enrolment, lesson=lesson).first()
    summary = study_summary(study, rules)
    return {
        "kind": rules.kind,
        "tracked": rules.kind != UNTRACKED,
        "summary": summary,
        "percent": round(summary["watched_share"] * 100) if rules.kind == VIDEO else _text_percent(summary),
        "completion_percent": round(rules.completion_share * 100),
        "min_minutes": math.ceil(rules.min_seconds / 60),
        "remaining_minutes": math.ceil(summary["remaining_seconds"] / 60),
        "config": {
            "lesson": lesson.pk,
            "socket": f"/ws/study/{lesson.pk}/",
            "beacon": reverse("courses:study_beat", args=[lesson.pk]),
            "interval": settings.STUDY_HEARTBEAT_SECONDS,
            **summary,
        },
    }


def _text_percent(summary: dict) -> int:
    total = summary["min_seconds"]
    return 100 if not total else round(100 * (total - summary["remaining_seconds"]) / total)
