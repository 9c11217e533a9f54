"""The answer acknowledgement is written directly, and must read exactly as `dumps` would write it:
the console (static/js) parses it as JSON and compares its fields."""

import datetime as dt
import json
import uuid

import pytest

from contests import events
from contests.services import AnswerAck

SAVED = dt.datetime(2026, 12, 6, 9, 0, 0, 123456, tzinfo=dt.UTC)


def _reference(ack) -> str:
    return events.dumps(
        events.AnswerAck(
            type="answer.ack",
            client_id=ack.client_id,
            question_id=ack.question_id,
            revision=ack.revision,
            saved_at=ack.saved_at.isoformat(),
            duplicate=ack.duplicate,
        )
    )


@pytest.mark.parametrize(
    "ack",
    [
        AnswerAck(str(uuid.uuid4()), 7, 1, SAVED, False),
        AnswerAck(str(uuid.uuid4()), 2**63 - 1, 12, SAVED.replace(microsecond=0), True),
        AnswerAck('引号"与\\反斜杠\n', 1, 0, SAVED.astimezone(dt.timezone(dt.timedelta(hours=8))), False),
        AnswerAck(str(uuid.uuid4()), True, 1, SAVED, 0),  # odd types: the generic path
    ],
)
def test_the_ack_is_written_exactly_as_dumps_writes_it(ack):
    text = events.answer_ack(ack)
    assert text == _reference(ack)
    assert json.loads(text)["type"] == "answer.ack"
