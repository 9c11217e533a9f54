"""Helpers for socket tests: sessions, communicators on the real ASGI app, and a record of every frame."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from django.conf import settings
from django.test import Client

from config.asgi import application

ORIGIN = (b"origin", b"http://testserver")


def wagtail_roots_ensure():
    """What Wagtail's migrations create (locale, root page, root collection): a transactional test's
    flush removes it, and `site_ensure()` needs it. (tests/browser/conftest.py does the same.)"""
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root"))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


@pytest.fixture(scope="module")
def _wagtail_roots_after_module(django_db_blocker):
    state = {"flushed": False}
    yield state
    if state["flushed"]:
        with django_db_blocker.unblock():
            wagtail_roots_ensure()


@pytest.fixture
def wagtail_roots(transactional_db, _wagtail_roots_after_module):
    """Use in every socket test module: `pytestmark = [..., pytest.mark.usefixtures("wagtail_roots")]`."""
    wagtail_roots_ensure()
    _wagtail_roots_after_module["flushed"] = True


def session_cookie(user) -> str:
    """A logged-in session for `user` (made before the event loop starts: it writes to the database)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def run(scenario):
    """Run an async scenario from a sync test; database calls inside go through `db()`."""
    return async_to_sync(scenario)()


def db(func, *args, **kwargs):
    return database_sync_to_async(func)(*args, **kwargs)


class Socket:
    """A WebsocketCommunicator that decodes frames and keeps every one it received in `log`."""

    def __init__(self, path: str, session: str | None = None, *, origin=ORIGIN):
        headers = [(b"host", b"testserver")]
        if origin:
            headers.append(origin)
        if session:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
        self.comm = WebsocketCommunicator(application, path, headers=headers)
        self.log: list[dict] = []

    async def connect(self):
        # The communicator's default 1 s is too short on a loaded CI machine; a refusal still comes at once.
        connected, _subprotocol = await self.comm.connect(timeout=5)
        return connected

    async def receive(self, timeout: float = 2) -> dict:
        message = json.loads(await self.comm.receive_from(timeout=timeout))
        self.log.append(message)
        return message

    async def receive_until(self, kind: str, timeout: float = 3) -> tuple[dict, list[dict]]:
        """Frames up to and including the first of type `kind` within `timeout` seconds in all (a
        steady stream of other frames must not keep a test waiting); returns it and the ones before."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        skipped = []
        while True:
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"no {kind!r} within {timeout} s; got {[m['type'] for m in skipped]}")
            message = await self.receive(left)
            if message["type"] == kind:
                return message, skipped
            skipped.append(message)

    async def drain(self, quiet: float = 0.6, limit: float = 10) -> list[dict]:
        """Every frame until none arrives for `quiet` seconds (at most `limit` seconds in all)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        out = []
        while not await self.comm.receive_nothing(timeout=quiet):
            assert loop.time() < deadline, f"frames kept coming for {limit} s: {[m['type'] for m in out][-20:]}"
            out.append(await self.receive())
        return out

    async def send(self, **message) -> None:
        await self.comm.send_to(text_data=json.dumps(message))

    async def closed_with(self) -> int:
        output = await self.comm.receive_output(timeout=2)
        assert output["type"] == "websocket.close", output
        return output.get("code")

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.comm.disconnect()


def contestant(round_id: int, session: str | None) -> Socket:
    return Socket(f"/ws/rounds/{round_id}/contestant/", session)


def board(round_id: int, session: str | None = None, view: str = "top") -> Socket:
    return Socket(f"/ws/rounds/{round_id}/board/?view={view}", session)
