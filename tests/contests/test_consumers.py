"""The contestant console socket through the real ASGI app: who may join, answers, resume, takeover, limits."""

import json

import pytest

from contests import selectors, services
from contests.models import AuditLog, Entry, Round, RoundStatus, TheoryAnswer, TheoryAnswerLog
from tests.contests.conftest import minutes
from tests.contests.factories import T0, RegistrationFactory, RoundFactory
from tests.contests.helpers import cid, results_publish, right, wrong
from tests.contests.live import _wagtail_roots_after_module, board, contestant, db, run, session_cookie, wagtail_roots  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]

NOW = T0.isoformat()


def clock_state(rnd, *, status="running", label="进行中", remaining_ms=90 * 60_000, deadline=None):
    deadline = deadline or T0 + minutes(90)
    return {
        "round": rnd.pk,
        "title": str(rnd),
        "status": status,
        "status_label": label,
        "server_time": NOW,
        "starts_at": NOW,
        "deadline": deadline.isoformat(),
        "remaining_ms": remaining_ms,
        "freeze_at": (deadline - minutes(30)).isoformat(),
    }


def own_row(entry, *, rank=1, theory="0.0", total="0.00"):
    reg = entry.registration
    return {
        "entry": entry.pk,
        "name": reg.display_name,
        "organisation": reg.organisation,
        "province": reg.province,
        "province_name": {"32": "江苏省", "44": "广东省"}[reg.province],
        "theory": theory,
        "practical": "0.00",
        "total": total,
        "tasks": {},
        "reached_at": NOW,
        "rank": rank,
    }


def save(question, answer, client_id=None):
    return {"type": "answer.save", "client_id": client_id or cid(), "question_id": question.pk, "answer": answer}


# ------------------------------------------------------------------ who may join


def test_anonymous_visitor_is_refused_with_4401(running_round):
    async def scenario():
        sock = contestant(running_round.pk, None)
        assert await sock.connect()
        assert await sock.receive() == {"type": "error", "code": "unauthenticated", "message": "请先登录"}
        assert await sock.closed_with() == 4401
        await sock.close()

    run(scenario)


def test_contestant_without_approval_is_refused_with_4403(running_round):
    pending = RegistrationFactory(track=running_round.track, user__username="pending")
    session = session_cookie(pending.user)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        assert await sock.receive() == {
            "type": "error",
            "code": "forbidden",
            "message": "您不是本场次审核通过的选手",
        }
        assert await sock.closed_with() == 4403
        await sock.close()

    run(scenario)


def test_approved_contestant_of_another_track_is_refused(running_round, organiser, learner, clock):
    other = services.round_open_lobby(round=RoundFactory(track__contest__organiser=organiser), by=organiser)
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(other.pk, session)
        assert await sock.connect()
        assert (await sock.receive())["code"] == "forbidden"
        assert await sock.closed_with() == 4403
        await sock.close()

    run(scenario)


# ------------------------------------------------------------------ hello, answers, acknowledgements


def test_hello_has_server_clock_paper_without_keys_and_own_row(running_round, entry, learner):
    session = session_cookie(learner)
    paper = selectors.theory_paper_for(Entry.objects.get(pk=entry.pk))
    me = own_row(entry)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        assert await sock.receive() == {
            "type": "hello",
            "entry": entry.pk,
            "epoch": 1,
            "state": clock_state(running_round),
            "paper": paper,
            "answers": {},
            "announcements": [],
            "mine": me,
        }
        assert await sock.nothing()
        await sock.close()

    run(scenario)
    assert [set(q) for q in paper["questions"]] == [
        {"id", "no", "kind", "kind_label", "stem", "score", "options", "blanks"}
    ] * 3
    assert all(set(o) == {"id", "label", "text"} for q in paper["questions"] for o in q["options"])


def test_answer_is_acknowledged_once_stored_and_a_resend_is_stored_once(running_round, entry, learner, paper):
    session = session_cookie(learner)
    client_id = cid()
    me = own_row(entry, theory="10.0", total="10.00")

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive()
        await sock.send(**save(paper[0], right(paper[0]), client_id))
        ack = await sock.receive()
        assert ack == {
            "type": "answer.ack",
            "client_id": client_id,
            "question_id": paper[0].pk,
            "revision": 1,
            "saved_at": NOW,
            "duplicate": False,
        }
        assert await db(TheoryAnswer.objects.filter(entry=entry, client_id=client_id).exists)
        await sock.send(**save(paper[0], right(paper[0]), client_id))  # the ack was lost: same id again
        assert await sock.receive() == {**ack, "duplicate": True}
        mine = await sock.receive()  # own row after the change, coalesced
        assert mine == {
            "type": "scoreboard.mine",
            "round": running_round.pk,
            "seq": mine["seq"],
            "row": me,
        }
        assert await sock.nothing()
        await sock.close()

    run(scenario)
    assert TheoryAnswerLog.objects.filter(client_id=client_id).count() == 1
    assert TheoryAnswer.objects.get(entry=entry, question=paper[0]).revision == 1


def test_answer_after_the_deadline_is_rejected_with_a_clear_message(running_round, entry, learner, paper, clock):
    session = session_cookie(learner)
    clock.move_to(T0 + minutes(90))
    client_id = cid()

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        hello = await sock.receive()
        assert hello["state"]["remaining_ms"] == 0
        await sock.send(**save(paper[1], True, client_id))
        rejected, before = await sock.receive_until("answer.rejected")
        assert rejected == {
            "type": "answer.rejected",
            "client_id": client_id,
            "question_id": paper[1].pk,
            "code": "deadline",
            "message": "作答时间已结束，答案未保存",
        }
        after = await sock.drain()
        # Meanwhile the server's clock ended the round (test_the_clock_ends_the_round...): only that news.
        assert {(m["type"], m["status"]) for m in before + after} <= {("round.state", "ended")}
        await sock.close()

    run(scenario)
    assert not TheoryAnswer.objects.filter(entry=entry).exists()


def test_the_clock_ends_the_round_once_the_last_contestant_is_out_of_time(
    running_round, organiser, entry, other_entry, learner, clock, settings
):
    settings.CONTEST_BOARD_SAFETY_SECONDS = 0.1  # how often a watching process looks at the clock
    services.round_extend(round=running_round, by=organiser, seconds=120, entry=other_entry)
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive_until("hello")
        clock.move_to(T0 + minutes(91))  # the round's own deadline has passed; other_entry has 2 more minutes
        assert await sock.nothing(0.5)
        status = (await db(Round.objects.get, pk=running_round.pk)).status
        clock.move_to(T0 + minutes(92))
        state, _ = await sock.receive_until("round.state")
        await sock.close()
        return status, state

    status, state = run(scenario)
    assert status == RoundStatus.RUNNING
    assert (state["status"], state["remaining_ms"]) == ("ended", 0)
    log = AuditLog.objects.get(round=running_round, action="round.end")
    assert log.actor is None and log.data["by_clock"] is True


def test_malformed_requests_get_errors_not_a_closed_socket(running_round, entry, learner, paper):
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive()
        await sock.comm.send_to(text_data="not json")
        assert await sock.receive() == {"type": "error", "code": "bad_request", "message": "无法识别的消息"}
        await sock.send(type="answer.delete")
        assert await sock.receive() == {"type": "error", "code": "unknown_type", "message": "未知的消息类型"}
        await sock.send(type="answer.save", client_id="x", question_id=str(paper[0].pk), answer=[])
        assert await sock.receive() == {
            "type": "answer.rejected",
            "client_id": "x",
            "question_id": None,
            "code": "invalid",
            "message": "答案格式不正确",
        }
        await sock.send(type="answer.save", client_id="not-a-uuid", question_id=paper[0].pk, answer=[])
        assert (await sock.receive())["code"] == "invalid"
        await sock.send(**save(paper[1], "yes"))
        rejected = await sock.receive()
        assert (rejected["type"], rejected["code"], rejected["message"]) == (
            "answer.rejected",
            "invalid",
            "判断题只能回答正确或错误",
        )
        await sock.send(type="ping", t=12.5)
        assert await sock.receive() == {"type": "pong", "t": 12.5, "server_time": NOW}
        assert await sock.nothing()
        await sock.close()

    run(scenario)
    assert not TheoryAnswer.objects.exists()


def test_lobby_console_gets_the_paper_when_the_round_starts(draft_round, organiser, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.get(registration__user=learner)
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(draft_round.pk, session)
        assert await sock.connect()
        hello = await sock.receive()
        assert hello["paper"] is None
        assert hello["state"] == clock_state(draft_round, status="lobby", label="候场")
        clock.move_to(T0 + minutes(2))
        await db(services.round_start, round=draft_round, by=organiser)
        later = (T0 + minutes(2)).isoformat()
        state = await sock.receive()
        assert state == {
            "type": "round.state",
            **clock_state(draft_round, deadline=T0 + minutes(92)),
            "server_time": later,
            "starts_at": later,
        }
        paper = await sock.receive()
        assert paper == {
            "type": "paper",
            "paper": await db(lambda: selectors.theory_paper_for(Entry.objects.get(pk=entry.pk))),
        }
        assert await sock.nothing()
        await sock.close()

    run(scenario)


def test_personal_extension_moves_only_that_console_and_announcements_reach_every_console(
    running_round, entry, organiser, learner, other_learner
):
    sessions = session_cookie(learner), session_cookie(other_learner)

    async def scenario():
        mine, theirs = contestant(running_round.pk, sessions[0]), contestant(running_round.pk, sessions[1])
        for sock in (mine, theirs):
            assert await sock.connect()
            await sock.receive()
        await db(services.round_extend, round=running_round, by=organiser, seconds=120, entry=entry)
        assert await mine.receive() == {
            "type": "round.state",
            **clock_state(running_round, deadline=T0 + minutes(92), remaining_ms=92 * 60_000),
            "freeze_at": (T0 + minutes(60)).isoformat(),
        }
        assert await theirs.nothing()
        note = await db(services.round_announce, round=running_round, by=organiser, text="请检查网络连接")
        expected = {
            "type": "announcement.posted",
            "announcement": {"id": note.pk, "text": "请检查网络连接", "created_at": NOW},
        }
        assert await mine.receive() == expected
        assert await theirs.receive() == expected
        for sock in (mine, theirs):
            assert await sock.nothing()
            await sock.close()

    run(scenario)


# ------------------------------------------------------------------ reconnect, takeover, rate limit


def test_reconnect_resumes_with_every_saved_answer_and_the_announcements(
    running_round, entry, organiser, learner, paper
):
    session = session_cookie(learner)
    ids = [cid(), cid()]
    me = own_row(entry, theory="5.0", total="5.00")

    async def scenario():
        first = contestant(running_round.pk, session)
        assert await first.connect()
        await first.receive()
        await first.send(**save(paper[0], wrong(paper[0]), ids[0]))
        await first.send(**save(paper[2], ["TCP", "错误"], ids[1]))
        acks = [m for m in await first.drain() if m["type"] == "answer.ack"]
        assert [a["client_id"] for a in acks] == ids
        await first.close()
        note = await db(services.round_announce, round=running_round, by=organiser, text="第二题有更正")

        again = contestant(running_round.pk, session)
        assert await again.connect()
        hello = await again.receive()
        assert hello["epoch"] == 2
        assert hello["answers"] == {
            str(paper[0].pk): {"answer": wrong(paper[0]), "client_id": ids[0], "revision": 1},
            str(paper[2].pk): {"answer": ["TCP", "错误"], "client_id": ids[1], "revision": 1},
        }
        assert hello["announcements"] == [{"id": note.pk, "text": "第二题有更正", "created_at": NOW}]
        assert hello["mine"] == me
        assert await again.nothing()
        await again.close()

    run(scenario)


def test_second_console_takes_over_and_the_first_is_told_why(running_round, entry, learner, paper):
    session = session_cookie(learner)

    async def scenario():
        first = contestant(running_round.pk, session)
        assert await first.connect()
        assert (await first.receive())["epoch"] == 1
        second = contestant(running_round.pk, session)
        assert await second.connect()
        assert (await second.receive())["epoch"] == 2
        assert await first.receive() == {
            "type": "session.taken_over",
            "reason": "您的账号已在其他页面或设备上进入本场比赛，本页面已停止作答。如需在此继续，请点击“在此页面继续”。",
        }
        assert await first.closed_with() == 4009
        await second.send(**save(paper[1], True))
        assert (await second.receive())["type"] == "answer.ack"
        await second.drain()
        await first.close()
        await second.close()

    run(scenario)


def test_a_superseded_console_cannot_save(running_round, entry, learner, paper, monkeypatch):
    """Even when the takeover notice is lost, the older console's save is refused and it is closed."""
    session = session_cookie(learner)
    monkeypatch.setattr("contests.events.session_taken_over", lambda *args: None)

    async def no_resync(hub):  # nor found by a relay rejoining (the test layer's relay may fail once)
        pass

    monkeypatch.setattr("contests.fanout.missed_takeovers", no_resync)
    client_id = cid()

    async def scenario():
        first = contestant(running_round.pk, session)
        assert await first.connect()
        await first.receive()
        await db(services.entry_connect, entry=entry)  # a newer console somewhere else
        assert await first.nothing()
        await first.send(**save(paper[1], True, client_id))
        assert await first.receive() == {
            "type": "answer.rejected",
            "client_id": client_id,
            "question_id": paper[1].pk,
            "code": "superseded",
            "message": "您的账号已在其他页面进入比赛，本页面的答案未保存",
        }
        assert (await first.receive())["type"] == "session.taken_over"
        assert await first.closed_with() == 4009
        await first.close()

    run(scenario)
    assert not TheoryAnswer.objects.filter(entry=entry).exists()


def test_rate_limit_answers_with_rate_limited_and_keeps_the_socket(running_round, entry, learner, paper):
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive()
        for n in range(25):
            await sock.send(type="ping", t=n)
        await sock.send(**save(paper[1], True, "b7e2c1a4-0000-4000-8000-000000000001"))
        replies = [await sock.receive() for _ in range(26)]
        assert [r["t"] for r in replies[:20]] == list(range(20))
        limited = [r for r in replies[20:25] if r["type"] == "error"]
        assert len(limited) >= 4
        for r in limited:
            assert r.pop("retry_after_ms") > 0
            assert r == {"type": "error", "code": "rate_limited", "message": "操作过于频繁，请稍后再试"}
        assert replies[25] == {
            "type": "answer.rejected",
            "client_id": "b7e2c1a4-0000-4000-8000-000000000001",
            "question_id": paper[1].pk,
            "code": "rate_limited",
            "message": "提交过于频繁，答案稍后会自动重新提交",
        }
        await sock.drain(quiet=0.2)
        await sock.close()

    run(scenario)
    assert not TheoryAnswer.objects.exists()


# ------------------------------------------------------------------ nothing secret on the wire


FORBIDDEN_KEYS = {"correct", "is_correct", "explanation", "answer_key", "accepted", "solution", "key"}


def walk(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}", k, v
            yield from walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")


def test_nothing_a_contestant_receives_holds_an_answer_key_or_anyone_elses_answers(
    draft_round, organiser, judge, learner, other_learner, paper, clock
):
    """A whole round from lobby to publication; every frame on the contestant's console and board is kept."""
    rnd = draft_round
    services.round_open_lobby(round=rnd, by=organiser)
    mine, theirs = session_cookie(learner), session_cookie(other_learner)
    single, tf, fill = paper
    wrong_option = wrong(single)[0]
    secrets = {"因为A正确", "传输控制协议", "IP", "李四的答案"}
    their_ids = [cid() for _ in range(3)]

    async def scenario():
        console = contestant(rnd.pk, mine)
        viewer = board(rnd.pk, mine, view="all")
        other = contestant(rnd.pk, theirs)
        for sock in (console, viewer, other):
            assert await sock.connect()
            await sock.receive()  # hello or snapshot, before the start
        await db(services.round_start, round=rnd, by=organiser)
        await console.receive_until("paper")
        await other.receive_until("paper")
        for q, a in ((single, [wrong_option]), (tf, not tf.answer), (fill, ["TCP", "错误答案"])):
            await console.send(**save(q, a))
        for q, a, i in ((single, right(single), 0), (tf, tf.answer, 1), (fill, ["李四的答案", "李四的答案"], 2)):
            await other.send(**save(q, a, their_ids[i]))
        await console.send(**save(tf, tf.answer))  # changed: now right
        await db(services.round_announce, round=rnd, by=organiser, text="距离结束还有30分钟")
        entry = await db(rnd.entries.get, registration__user=learner)
        criterion = await db(lambda: rnd.tasks.get().criteria.get(kind="measurement"))
        await db(services.judge_score_submit, judge=judge, entry=entry, criterion=criterion, value="30", confirm=True)
        await db(services.round_extend, round=rnd, by=organiser, seconds=60, entry=entry)
        await console.send(type="ping", t=1)
        await console.drain()
        await console.close()
        again = contestant(rnd.pk, mine)  # reconnect: hello with saved answers
        assert await again.connect()
        clock.move_to(T0 + minutes(70))  # frozen for the public
        await other.send(**save(single, wrong(single)))
        await db(services.round_end, round=rnd, by=organiser)
        while await db(services.round_reveal_next, round=rnd, by=organiser):
            pass
        await db(results_publish, rnd, by=organiser)
        await again.send(**save(single, right(single)))  # too late
        await again.drain()
        await viewer.drain()
        await other.drain()
        for sock in (again, viewer, other):
            await sock.close()
        return console.log + again.log + viewer.log

    frames = run(scenario)
    kinds = {f["type"] for f in frames}
    assert {
        "hello",
        "paper",
        "answer.ack",
        "answer.rejected",
        "round.state",
        "announcement.posted",
        "scoreboard.snapshot",
        "scoreboard.changed",
        "scoreboard.mine",
        "pong",
    } <= kinds
    for frame in frames:
        for path, key, value in walk(frame):
            assert key not in FORBIDDEN_KEYS, path
            assert not (isinstance(value, str) and value in secrets), (path, value)
        text = json.dumps(frame, ensure_ascii=False)
        assert not any(i in text for i in their_ids), frame
        assert "李四的答案" not in text and "因为A正确" not in text
    for frame in (f for f in frames if f["type"] in ("hello", "paper") and f.get("paper")):
        for q in frame["paper"]["questions"]:
            assert set(q) == {"id", "no", "kind", "kind_label", "stem", "score", "options", "blanks"}
            assert all(set(o) == {"id", "label", "text"} for o in q["options"])
    answers = next(f for f in frames if f["type"] == "hello" and f["answers"])["answers"]
    assert set(answers) == {str(q.pk) for q in paper}
    assert all(set(a) == {"answer", "client_id", "revision"} for a in answers.values())
