"""Bank questions another app holds, without courses importing that app.

A contest paper (contests) uses bank questions: their answers and explanations must never show in a
quiz review (a course quiz must not be a way to read a contest's key), and a question a paper uses
cannot be deleted. The holding app registers its answers in its AppConfig.ready():

    holds.register(secret=questions_on_papers, delete_refusal=question_delete_refusal)

`secret(question_ids) -> set of ids` and `delete_refusal(question) -> message or None`.
"""

from collections.abc import Callable, Iterable

_secret: list[Callable[[Iterable[int]], set[int]]] = []
_delete_refusal: list[Callable[[object], str | None]] = []


def register(*, secret=None, delete_refusal=None) -> None:
    if secret is not None and secret not in _secret:
        _secret.append(secret)
    if delete_refusal is not None and delete_refusal not in _delete_refusal:
        _delete_refusal.append(delete_refusal)


def secret_question_ids(question_ids: Iterable[int]) -> set[int]:
    """The questions among these whose answers no learner may see (one query per holder)."""
    ids = list(question_ids)
    found: set[int] = set()
    for finder in _secret:
        if ids:
            found |= finder(ids)
    return found


def question_delete_refusal(question) -> str | None:
    """Why this bank question cannot be deleted, or None."""
    for finder in _delete_refusal:
        message = finder(question)
        if message:
            return message
    return None
