"""One socket cannot hurt the others: ids no database holds, deep nesting, garbage floods and sockets
that end badly are dealt with on that socket alone, and whatever ends a socket releases what it held."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect as websockets_connect
from websockets.exceptions import ConnectionClosed

from config.live_server import MAX_FRAME_BYTES
from contests import console, events, fanout, services
from contests.hub import Hub
from contests.models import TheoryAnswer
from tests.contests.helpers import cid
from tests.contests.live import _wagtail_roots_after_module, board, contestant, run, session_cookie, wagtail_roots  # noqa: F401
from tests.contests.servers import Daphne, database_for_servers
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


def live_state(round_id: int) -> dict:
    """What this process holds for a round's sockets: counts, subscriptions, running loops."""
    hub = Hub.get()
    return {
        "watchers": fanout.watchers(hub).get(round_id, 0),
        "own rows": fanout.mine_entries(hub).get(round_id, {}),
        "subscriptions": sorted(key for key, subs in hub.subscribers.items() if subs),
        "loops": len(round_loops()),
    }


def round_loops() -> list[asyncio.Task]:
    """The safety ticks and deadline watches running in this process."""
    return [t for t in Hub.get().tasks if not t.done() and t.get_coro().__name__ in ("safety_ticks", "watch")]


NOTHING = {"watchers": 0, "own rows": {}, "subscriptions": [], "loops": 0}


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


# ------------------------------------------------------------------ ids at the edge


def test_an_answer_with_an_id_no_database_holds_is_refused_and_the_others_are_stored(
    running_round, entry, other_entry, learner, other_learner, paper
):
    mine, theirs = session_cookie(learner), session_cookie(other_learner)

    async def scenario():
        attacker, other = contestant(running_round.pk, mine), contestant(running_round.pk, theirs)
        assert await attacker.connect() and await other.connect()
        await attacker.receive()
        await other.receive()
        poison, fine = cid(), cid()
        await attacker.send(type="answer.save", client_id=poison, question_id=10**30, answer=True)
        await other.send(type="answer.save", client_id=fine, question_id=paper[1].pk, answer=True)
        assert await attacker.receive() == {
            "type": "answer.rejected",
            "client_id": poison,
            "question_id": 10**30,
            "code": "invalid",
            "message": "题目编号无效",
        }
        ack = await other.receive()
        assert (ack["type"], ack["client_id"]) == ("answer.ack", fine)
        for question_id in (2**63, 0, -5):
            await attacker.send(type="answer.save", client_id=cid(), question_id=question_id, answer=True)
            assert (await attacker.receive())["message"] == "题目编号无效"
        long_id = "-".join(["a"] * 3000)  # uuid.UUID would accept it once the hyphens are dropped
        await attacker.send(type="answer.save", client_id=long_id, question_id=paper[1].pk, answer=True)
        refused = await attacker.receive()
        assert (refused["code"], refused["message"]) == ("invalid", "答案编号无效")
        await attacker.send(type="answer.save", client_id=cid(), question_id=2**63 - 1, answer=True)
        assert (await attacker.receive())["code"] == "unknown_question"
        assert {m["type"] for m in await attacker.drain(quiet=0.3)} <= {"scoreboard.mine"}
        await attacker.close()
        await other.close()

    run(scenario)
    assert list(TheoryAnswer.objects.values_list("entry_id", flat=True)) == [other_entry.pk]


def test_ids_out_of_range_in_a_resume_or_a_socket_path_are_refused(running_round, learner):
    session = session_cookie(learner)

    async def scenario():
        screen = board(running_round.pk, view="all")
        assert await screen.connect()
        await screen.receive()
        await screen.send(type="resume", last_seq=10**30)
        assert await screen.receive() == {"type": "error", "code": "bad_request", "message": "缺少有效的 last_seq"}
        await screen.close()
        nowhere = board(10**30)
        assert await nowhere.connect()
        assert (await nowhere.receive())["code"] == "not_found"
        assert await nowhere.closed_with() == 4404
        await nowhere.close()
        stranger = contestant(10**30, session)
        assert await stranger.connect()
        assert (await stranger.receive())["code"] == "forbidden"
        assert await stranger.closed_with() == 4403
        await stranger.close()

    run(scenario)


# ------------------------------------------------------------------ what a frame may be


def test_a_deeply_nested_frame_is_refused_and_the_socket_goes_on(running_round, entry, learner):
    """3,000 `[` used to raise RecursionError in the handler: the socket died without `disconnect`,
    and the round's watchers and loops ran on for good."""
    session = session_cookie(learner)

    async def scenario():
        console_sock, screen = contestant(running_round.pk, session), board(running_round.pk, view="all")
        assert await console_sock.connect() and await screen.connect()
        await console_sock.receive()
        await screen.receive()
        loops = round_loops()
        assert len(loops) == 2
        for sock in (console_sock, screen):
            await sock.comm.send_to(text_data="[" * 3000)
            assert await sock.receive() == {
                "type": "error",
                "code": "bad_request",
                "message": "消息嵌套层数过多，未处理",
            }
            await sock.comm.send_to(text_data='{"type":"ping","t":' + "[" * 9 + "]" * 9 + "}")
            assert (await sock.receive())["code"] == "bad_request"
            await sock.comm.send_to(text_data=json.dumps({"type": "ping", "t": "[[[[[[[[[[[[ in a string"}))
            assert (await sock.receive())["type"] == "pong"
        await console_sock.close()
        await screen.close()
        await settle()
        assert live_state(running_round.pk) == NOTHING
        assert all(task.done() for task in loops)

    run(scenario)


def test_oversized_and_non_finite_frames_get_a_clear_error(running_round, entry, learner):
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive()
        await sock.comm.send_to(text_data=json.dumps({"type": "ping", "t": "x" * 16_000}))
        assert await sock.receive() == {"type": "error", "code": "bad_request", "message": "消息过长，未处理"}
        for text in ('{"type":"ping","t":NaN}', '{"type":"ping","t":1e999}', '{"type":"ping","t":' + "9" * 5000 + "}"):
            await sock.comm.send_to(text_data=text)
            assert await sock.receive() == {"type": "error", "code": "bad_request", "message": "无法识别的消息"}
        await sock.comm.send_to(bytes_data=b'{"type":"ping"}')
        assert (await sock.receive())["code"] == "bad_request"
        await sock.close()

    run(scenario)


def test_every_frame_spends_the_rate_budget_so_a_garbage_flood_is_rate_limited(running_round, entry, learner):
    session = session_cookie(learner)
    garbage = ["not json", json.dumps({"type": "ping", "t": "x" * 16_000}), json.dumps({"type": "nonsense"})]

    async def scenario():
        for sock in (contestant(running_round.pk, session), board(running_round.pk)):
            assert await sock.connect()
            await sock.receive()
            for n in range(40):
                await sock.comm.send_to(text_data=garbage[n % 3])
            replies = [await sock.receive() for _ in range(40)]
            assert {r["code"] for r in replies[:20]} == {"bad_request", "unknown_type"}
            limited = [r for r in replies[20:] if r["code"] == "rate_limited"]
            assert len(limited) >= 18
            assert limited[0]["message"] == "操作过于频繁，请稍后再试" and limited[0]["retry_after_ms"] > 0
            await sock.close()

    run(scenario)


# ------------------------------------------------------------------ errors stay on their socket


def test_an_error_while_handling_a_frame_is_answered_on_that_socket_alone(running_round, entry, learner, monkeypatch):
    session = session_cookie(learner)
    real_pong = events.pong

    def broken_pong(t):
        if t == "boom":
            raise RuntimeError("a bug in one handler")
        return real_pong(t)

    monkeypatch.setattr(events, "pong", broken_pong)

    async def scenario():
        sock, watcher = contestant(running_round.pk, session), board(running_round.pk)
        assert await sock.connect() and await watcher.connect()
        await sock.receive()
        await watcher.receive()
        await sock.send(type="ping", t="boom")
        assert await sock.receive() == {
            "type": "error",
            "code": "server_error",
            "message": "服务器处理这条消息时出错，请稍后重试",
        }
        await sock.send(type="ping", t=1)
        assert (await sock.receive())["type"] == "pong"
        assert await watcher.nothing()
        await sock.close()
        await watcher.close()
        await settle()
        assert live_state(running_round.pk) == NOTHING

    run(scenario)


# ------------------------------------------------------------------ every exit path releases the socket


@pytest.mark.parametrize("ending", ["error in connect", "cancelled", "closed during connect", "taken over"])
def test_whatever_ends_a_socket_its_subscriptions_and_the_rounds_loops_are_released(
    running_round, entry, learner, monkeypatch, ending
):
    session = session_cookie(learner)
    real_hello = console.console_hello

    async def scenario():
        gate = asyncio.Event()

        async def hello(entry_id, round_id):
            if ending == "error in connect":
                raise RuntimeError("the hello could not be read")
            if ending == "closed during connect":
                await gate.wait()
            return await real_hello(entry_id, round_id)

        monkeypatch.setattr(console, "console_hello", hello)
        screen = board(running_round.pk)
        assert await screen.connect()
        await screen.receive()
        loops = round_loops()
        sock = contestant(running_round.pk, session)
        assert await sock.connect()  # accepted before the hello is read
        if ending == "error in connect":
            with pytest.raises(RuntimeError):
                await sock.comm.wait()
        elif ending == "cancelled":  # as Daphne does to an application that outlives its socket
            await sock.receive()
            sock.comm.future.cancel()
            with pytest.raises(asyncio.CancelledError):
                await sock.comm.future
        elif ending == "closed during connect":
            await sock.comm.send_input({"type": "websocket.disconnect", "code": 1001})
            gate.set()
            await sock.comm.wait()
        else:  # a second console of the same contestant: the server closes the first
            await sock.receive()
            second = contestant(running_round.pk, session)
            assert await second.connect()
            await second.receive()
            assert (await sock.receive())["type"] == "session.taken_over"
            assert await sock.closed_with() == 4009
            await sock.close()
            await second.close()
        await settle()
        assert live_state(running_round.pk)["own rows"] == {}
        assert live_state(running_round.pk)["watchers"] == 1  # the board socket
        await screen.close()
        await settle()
        assert live_state(running_round.pk) == NOTHING
        assert all(task.done() for task in loops)

    run(scenario)


# ------------------------------------------------------------------ the server's protocol options (real Daphne)


def ws_connect(server: Daphne, path: str):
    return websockets_connect(
        f"{server.ws}{path}", origin=server.http, compression=None, proxy=None, open_timeout=20, max_size=2**22
    )


async def next_of_type(ws, kind: str, timeout: float = 10) -> dict:
    """The next frame of `kind`; board frames may come first (with Redis, another process's nudge)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = json.loads(await asyncio.wait_for(ws.recv(), max(remaining, 0.01)))
        if message.get("type") == kind:
            return message


async def closed_with(ws) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    return closed.value.rcvd.code


async def send_over_the_cap(ws, message) -> None:
    """Send a message over the cap and see the server close with 1009: after the send or, when the close
    arrives while the client is still writing (a busy machine), during it."""
    try:
        await ws.send(message)
    except ConnectionClosed as exc:
        assert exc.rcvd is not None and exc.rcvd.code == 1009
    else:
        assert await closed_with(ws) == 1009


def test_daphne_closes_a_socket_sending_more_than_the_cap_with_1009_and_still_sends_big_boards(
    running_round, organiser, tmp_path
):
    for n in range(120):  # long names: the board's snapshot is larger than any frame a client may send
        registration = services.registration_submit(
            user=UserFactory(username=f"big{n}", real_name=f"{n:03d}" + "长" * 47),
            track=running_round.track,
            organisation="很长的工作单位名称" * 11,
            province="32",
        )
        services.registration_approve(registration=registration, by=organiser)
    server = Daphne(database_for_servers(tmp_path), tmp_path / "daphne.log")
    path = f"/ws/rounds/{running_round.pk}/board/?view=all"

    async def scenario():
        async with ws_connect(server, path) as ws:
            text = await asyncio.wait_for(ws.recv(), 20)
            assert len(text.encode()) > MAX_FRAME_BYTES
            assert json.loads(text)["entries"] == 122
            await ws.send(json.dumps({"type": "ping", "t": "x" * 20_000}))  # under the cap: the app says why
            assert (await next_of_type(ws, "error"))["message"] == "消息过长，未处理"
            await send_over_the_cap(ws, "[" * (8 * 1024 * 1024))  # 8 MiB in one frame
        async with ws_connect(server, path) as ws:
            await asyncio.wait_for(ws.recv(), 20)
            await send_over_the_cap(ws, ["x" * 40_000, "x" * 40_000])  # one message in two frames, each under the cap
        async with ws_connect(server, path) as ws:  # the server serves on
            assert json.loads(await asyncio.wait_for(ws.recv(), 20))["type"] == "scoreboard.snapshot"
            await ws.send(json.dumps({"type": "ping", "t": 1}))
            assert (await next_of_type(ws, "pong"))["t"] == 1

    try:
        asyncio.run(scenario())
    finally:
        server.stop()
