"""Answer payloads as the console sends them, one-at-a-time shortcuts over the services, and reads
that several test modules share."""

import datetime as dt
import json
import uuid

from contests import selectors
from contests.models import Entry, Round
from contests.services import AnswerAck, AnswerRejected, AnswerSave, theory_answers_save
from courses.models import QuestionKind


def right(question):
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return list(question.answer)
    if question.kind == QuestionKind.TRUE_FALSE:
        return question.answer
    return [blank[0] for blank in question.answer]


def wrong(question):
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return [o for o in question.option_ids if o not in question.answer][:1]
    if question.kind == QuestionKind.TRUE_FALSE:
        return not question.answer
    return ["错误答案" for _blank in question.answer]


def half(question):
    """Partly right: the first blank of a fill-in question."""
    assert question.kind == QuestionKind.FILL
    return [question.answer[0][0]] + ["错误答案"] * (len(question.answer) - 1)


def cid() -> str:
    return str(uuid.uuid4())


def theory_answer_save(
    *,
    entry: Entry,
    question_id: int,
    client_id,
    answer,
    now: dt.datetime | None = None,
    epoch: int | None = None,
) -> AnswerAck:
    """Store (or change) one answer as a batch of one; raises AnswerRejected when it is refused."""
    save = AnswerSave(entry_id=entry.pk, question_id=question_id, client_id=client_id, answer=answer, epoch=epoch)
    (outcome,) = theory_answers_save(saves=[save], now=now)
    if isinstance(outcome, AnswerRejected):
        raise outcome
    return outcome


def round_deadline_for(entry: Entry, now: dt.datetime) -> dt.datetime:
    """The entry's deadline on the server clock: planned end + extensions + pauses (a current one too)."""
    return entry.deadline(now)


def answer(entry, question, payload=None):
    """Save one answer (the right one unless `payload` says otherwise)."""
    payload = right(question) if payload is None else payload
    theory_answer_save(entry=entry, question_id=question.pk, client_id=cid(), answer=payload)


def ranks(rnd, *, live):
    """(name, rank, total) of every row, in board order."""
    return [(r["name"], r["rank"], r["total"]) for r in selectors.board_ranked(Round.objects.get(pk=rnd.pk), live=live)]


def criterion_of(rnd, kind):
    return rnd.tasks.get().criteria.get(kind=kind)


def page_config(response) -> dict:
    """The JSON config a live page hands its script (`<script id="live-config">`)."""
    body = response.content.decode()
    start = body.index('<script id="live-config" type="application/json">') + len(
        '<script id="live-config" type="application/json">'
    )
    return json.loads(body[start : body.index("</script>", start)])


def results_publish(rnd: Round, *, by, now: dt.datetime | None = None) -> Round:
    """Confirm the award preview as it stands, then publish (what the organiser's preview page does)."""
    from contests import results, services

    services.round_awards_confirm(round=rnd, by=by, digest=results.awards_digest(rnd), now=now)
    return services.round_publish_results(round=rnd, by=by, now=now)
