"""Database sessions that bring the signed-in user along: the session row and its user in one query.

Every signed-in page reads its session, then its user (with what the header shows about them,
`signed_in_users`): two round trips to the database before the view starts. This store
remembers, per process, which user each session key named at its last read (a hint, not a
credential) and reads the session row as a column of that user's query. The user found is used only
when the session read in that same statement names them; everything else Django checks (the
session's backend, the user may log in, the session hash against the password) runs as before. A
session not seen in this process yet, or whose hint is wrong, costs the two queries as ever.

SESSION_ENGINE = "accounts.sessions"; `SignedInMiddleware` replaces Django's AuthenticationMiddleware
so that the backend's `get_user` can take the user the session brought (`preloaded_user`).
"""

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Expression, Subquery
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

HINTS_MAX = 50_000
_hints: dict[str, str] = {}  # session key → the user id its data named at its last read here

# The session whose user is being looked up, while `auth.get_user` runs for a request.
_signing_in: ContextVar = ContextVar("signing_in", default=None)


# What other apps show about the signed-in person on every page, read in the user's own query:
# attribute name → a function of the user model giving its expression. Apps add theirs in ready()
# (the notification bell's unread count), so this base app names none of them.
SIGNED_IN_ANNOTATIONS: dict[str, Callable[[type], Expression]] = {}


def signed_in_users():
    """The users as each request loads its signed-in one: with the role answers and the annotations
    above, one query for what every page's header shows."""
    from .roles import with_roles

    model = get_user_model()
    extra = {name: build(model) for name, build in SIGNED_IN_ANNOTATIONS.items()}
    return with_roles(model._default_manager.all()).annotate(**extra)


class SessionStore(DBStore):
    signed_in_user = None  # the user read with the session row, once its data has named them
    _read_with = None  # the user read with the session row, before its data is decoded

    def _get_session_from_db(self):
        hint = _hints.get(self.session_key) if self.session_key else None
        if hint is None:
            return super()._get_session_from_db()
        user = _read_with_session(self.session_key, hint)
        if user is None:  # the hinted user is gone: read the session alone
            _hints.pop(self.session_key, None)
            return super()._get_session_from_db()
        data = user.__dict__.pop("_session_data")
        if data is None:  # no such session, or it has expired
            _hints.pop(self.session_key, None)
            self._session_key = None
            return None
        self._read_with = user
        return self.model(session_key=self.session_key, session_data=data)

    def load(self):
        self._read_with = None
        data = super().load()
        user_id = data.get(SESSION_KEY)
        read_with = self._read_with
        self.signed_in_user = read_with if read_with is not None and str(read_with.pk) == str(user_id) else None
        if self.session_key and user_id is not None:
            if len(_hints) >= HINTS_MAX:
                _hints.clear()
            _hints[self.session_key] = str(user_id)
        return data


# The user's query with the session row as a column. Building it with the ORM (the role and badge
# annotations) cost more than the query itself; its SQL is the same for every request but for three
# parameters, so it is compiled once per process with marker values and the request's put in their
# places. Should the ORM ever write a marker other than once, the queryset is used each time.
_MARKERS = ("\x00session-key", -7_000_001, dt.datetime(2000, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC))
_compiled: list = []  # [(sql, params, (key, pk, time) indexes, annotation converters) or None], once computed


def _user_and_session(key: str, pk, now: dt.datetime):
    live = Session.objects.filter(session_key=key, expire_date__gt=now)
    return signed_in_users().filter(pk=pk).annotate(_session_data=Subquery(live.values("session_data")[:1]))


def _prepared(key: str, pk, now: dt.datetime) -> tuple:
    """The three values as the ORM passes them to the database driver."""
    user_pk = get_user_model()._meta.pk
    expire = Session._meta.get_field("expire_date")
    return key, user_pk.get_db_prep_value(user_pk.to_python(pk), connection), expire.get_db_prep_value(now, connection)


def _compile():
    query = _user_and_session(*_MARKERS).query
    sql, params = query.sql_with_params()
    params = list(params)
    places = []
    for marker in _prepared(*_MARKERS):
        found = [i for i, value in enumerate(params) if value == marker]
        if len(found) != 1:
            return None
        places.append(found[0])
    # A raw read converts the model's fields but not the annotations (SQLite's EXISTS gives 0 or 1,
    # and the role helpers tell "no role" from "not read" by `is False`): their converters, as the ORM's.
    converters = []
    for name, expression in query.annotations.items():
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if found:
            converters.append((name, expression, found))
    return sql, params, tuple(places), converters


def _read_with_session(key: str, pk):
    """The signed-in user `pk` (as `signed_in_users` reads them) with the session row's data as
    `_session_data` (None when the session is not live), or None when there is no such user."""
    if not _compiled:
        _compiled.append(_compile())
    compiled = _compiled[0]
    now = timezone.now()
    if compiled is None:
        return _user_and_session(key, pk, now).first()
    sql, params, places, converters = compiled
    params = list(params)
    for place, value in zip(places, _prepared(key, pk, now), strict=True):
        params[place] = value
    user = next(iter(get_user_model()._default_manager.raw(sql, params)), None)
    for name, expression, functions in converters if user is not None else ():
        value = getattr(user, name)
        for function in functions:
            value = function(value, expression, connection)
        setattr(user, name, value)
    return user


def preloaded_user(user_id):
    """The user the request's session was read with, if it is `user_id` (for the backend's get_user)."""
    session = _signing_in.get()
    user = getattr(session, "signed_in_user", None)
    return user if user is not None and str(user.pk) == str(user_id) else None


def _user_of(request):
    if not hasattr(request, "_cached_user"):
        token = _signing_in.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _signing_in.reset(token)
    return request._cached_user


class SignedInMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with the user the session was read with on offer to the
    backend while `auth.get_user` runs."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user_of(request))
