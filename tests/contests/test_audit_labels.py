"""Every audit action code written anywhere in the project has a sentence; the sentences name who and what."""

import ast
from pathlib import Path

import pytest

from django.utils import timezone

from contests import services
from contests.audit_labels import ACTIONS, describe
from contests.models import AuditLog, ReviewPart, ReviewRequest

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"audit", "round_transition", "round_changed"}  # the functions that write an audit line


def codes_in_source() -> dict[str, str]:
    """action code → where it is written, from every call of an audit writer in the project's code."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "node_modules"} or "migrations" in parts:
            continue
        text = path.read_text(encoding="utf-8")
        if not WRITERS & set(text.replace("(", " ").split()) and "audit(" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in WRITERS:
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                    found[keyword.value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_action_code_in_the_code_has_a_sentence():
    codes = codes_in_source()
    assert {"round.start", "score.submit", "registration.approve", "round.freeze"} <= set(codes)
    missing = {code: where for code, where in codes.items() if code not in ACTIONS}
    assert not missing, f"add these to contests/audit_labels.py ACTIONS: {missing}"


def test_every_sentence_names_the_actor_and_formats():
    for code, template in ACTIONS.items():
        text = str(template) % {"actor": "甲", "object": "乙", "duration": "5 分钟"}
        assert "甲" in text and "乙" in text, code


@pytest.mark.django_db
def test_the_log_of_a_round_reads_as_sentences(running_round, organiser, entry, judge, clock):
    services.round_extend(round=running_round, by=organiser, seconds=300, entry=entry)
    services.round_freeze(round=running_round, by=organiser)
    lines = [text for _log, text in describe(AuditLog.objects.filter(round=running_round).select_related("actor"))]
    name, title = organiser.display_name, str(running_round)
    assert lines[:3] == [
        f"{name} 对 {title} 手动封榜",
        f"{name} 为选手 {entry.board_row.name} 单独延时 5 分钟",
        f"{name} 开始了比赛 {title}",
    ]
    assert not any(code in " ".join(lines) for code in ACTIONS)


@pytest.mark.django_db
def test_an_unknown_code_is_shown_as_stored(organiser, clock):
    log = AuditLog.objects.create(actor=organiser, action="future.thing", object_type="x", created_at=timezone.now())
    assert describe([log])[0][1].endswith("future.thing")


@pytest.mark.django_db
def test_seat_draws_and_review_requests_are_named_in_words(running_round, organiser, entry, clock):
    """A seat draw reads as its round, a review request as its contestant and subject (no `seatdraw #1`)."""
    services.entries_check_in(round=running_round, entry_ids=[entry.pk], by=organiser)
    services.seat_draw_commit(round=running_round, by=organiser)
    services.seat_draw_run(round=running_round, by=organiser)
    review = ReviewRequest.objects.create(
        entry=entry, part=ReviewPart.THEORY, reason="请核对", filed_by=entry.registration.user, filed_at=timezone.now()
    )
    AuditLog.objects.create(
        actor=entry.registration.user,
        action="review.file",
        object_type="reviewrequest",
        object_id=review.pk,
        round=running_round,
        created_at=timezone.now(),
    )
    lines = " ".join(text for _log, text in describe(AuditLog.objects.filter(round=running_round)))
    title = str(running_round)
    assert f"{organiser.display_name} 为 {title} 抽签确定了座位号" in lines
    assert f"{organiser.display_name} 公布了 {title} 抽签种子的承诺值" in lines
    assert f"提交了成绩复核申请 {entry.board_row.name}·理论考试" in lines
    assert "#" not in lines
