"""The session user of a WebSocket, found for many sockets at once.

Channels' `AuthMiddleware` loads each socket's session and user with two statements in a database
thread of their own; at a round's start thousands of sockets connect within a second and that alone
filled the database thread. `GatheredAuthMiddleware` does what Django's `get_user` does (the session's
user id and backend, the backend's rules, the session hash checked against the user's password, a
session that fails the check flushed) for every socket waiting at that moment, with one statement for
their sessions and one for their users (config.gather). What a consumer finds in `scope["user"]` is
the same as before.
"""

import copy
from importlib import import_module

from channels.auth import AuthMiddleware, UserLazyObject
from channels.sessions import CookieMiddleware, SessionMiddleware

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from config.gather import gathered


def _sessions(keys: set[str]) -> dict[str, dict]:
    """Session key → its data, for the keys that name a live session."""
    engine = import_module(settings.SESSION_ENGINE)
    if issubclass(engine.SessionStore, DBStore):
        store = engine.SessionStore()
        rows = store.model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        return {key: store.decode(data) for key, data in rows.values_list("session_key", "session_data")}
    found = {}
    for key in keys:  # other engines (cache, signed cookies): their own load, one by one
        store = engine.SessionStore(key)
        data = store.load()
        if store.session_key:
            found[key] = data
    return found


def _verified(user, data: dict) -> bool:
    """The session was made for this user with their current password (Django's session hash)."""
    if not hasattr(user, "get_session_auth_hash"):
        return True
    session_hash = data.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(session_hash, user.get_session_auth_hash())


def users_for_sessions(keys: list[str | None]) -> list:
    """The user of each session key (AnonymousUser when there is none), as `channels.auth.get_user`
    finds it, with one statement for all the sessions and one per backend for their users."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    valid = {key for key in keys if key and store_class()._validate_session_key(key)}
    sessions = _sessions(valid) if valid else {}
    wanted: dict[str, dict[object, None]] = {}  # backend path → user ids
    claims: dict[str, tuple[str, object]] = {}  # session key → (backend path, user id)
    pk = get_user_model()._meta.pk
    for key, data in sessions.items():
        try:
            user_id, backend_path = pk.to_python(data[SESSION_KEY]), data[BACKEND_SESSION_KEY]
        except Exception:  # noqa: S112 - no user in it (or not one this site could have written): anonymous
            continue
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            claims[key] = (backend_path, user_id)
            wanted.setdefault(backend_path, {})[user_id] = None
    users: dict[tuple[str, object], object] = {}
    for backend_path, ids in wanted.items():
        backend = load_backend(backend_path)
        if hasattr(backend, "users_in_bulk"):  # accounts.backends: all at once, its own way
            for user_id, user in backend.users_in_bulk(ids).items():
                users[(backend_path, user_id)] = user
        elif type(backend).get_user is ModelBackend.get_user:  # the default manager by primary key: all at once
            found = get_user_model()._default_manager.in_bulk(list(ids))
            for user_id, user in found.items():
                if backend.user_can_authenticate(user):
                    users[(backend_path, user_id)] = user
        else:
            for user_id in ids:
                user = backend.get_user(user_id)
                if user is not None:
                    users[(backend_path, user_id)] = user
    out, flush, handed = [], set(), set()
    for key in keys:
        claim = claims.get(key)
        user = users.get(claim) if claim else None
        if user is not None and not _verified(user, sessions[key]):
            flush.add(key)  # a session of an older password (or forged): gone, as get_user does
            user = None
        if user is not None and id(user) in handed:  # two sockets of one user: each its own instance
            user = copy.copy(user)
        if user is not None:
            handed.add(id(user))
        out.append(user or AnonymousUser())
    for key in flush:
        store_class(key).flush()
    return out


async def user_for_session(session_key: str | None):
    if not session_key:
        return AnonymousUser()
    return await gathered("socket_auth.users", users_for_sessions, session_key)


class GatheredAuthMiddleware(AuthMiddleware):
    """`channels.auth.AuthMiddleware` with the user found in a gathered batch (`users_for_sessions`)."""

    async def resolve_scope(self, scope):
        if not isinstance(scope.get("user"), UserLazyObject):
            return  # an outer middleware resolved it
        scope["user"]._wrapped = await user_for_session(scope["cookies"].get(settings.SESSION_COOKIE_NAME))


def GatheredAuthMiddlewareStack(inner):  # noqa: N802 - named like channels' AuthMiddlewareStack
    return CookieMiddleware(SessionMiddleware(GatheredAuthMiddleware(inner)))
