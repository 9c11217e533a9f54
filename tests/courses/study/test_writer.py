"""The heartbeat writer's batches: spaced under load, a lone beat stored at once."""

import asyncio
import time
from types import SimpleNamespace

import pytest

from courses.study import writer
from courses.study.services import BeatResult


@pytest.fixture
def batches(monkeypatch):
    """(size, moment) of each batch the writer takes; stored as ok without a database."""
    started = []

    def recording(beats):
        started.append((len(beats), time.monotonic()))
        return [BeatResult(seq=beat.claim.seq) for beat in beats]

    monkeypatch.setattr(writer, "store_in_thread", recording)
    return started


def _beats(n: int) -> list:
    return [SimpleNamespace(claim=SimpleNamespace(seq=seq)) for seq in range(1, n + 1)]


def test_under_load_batches_are_spaced_and_a_lone_beat_is_stored_at_once(settings, batches):
    settings.STUDY_BEAT_GATHER_MS = 500
    beats = _beats(6)

    async def scenario():
        w = writer.StudyWriter.get()
        asked = time.monotonic()
        pending = [asyncio.ensure_future(w.save(beats[0]))]
        for beat in beats[1:]:  # arriving one by one while the first is stored and the gap runs
            await asyncio.sleep(0.02)
            pending.append(asyncio.ensure_future(w.save(beat)))
        return asked, await asyncio.gather(*pending)

    asked, results = asyncio.run(scenario())
    assert [r.seq for r in results] == [1, 2, 3, 4, 5, 6] and {r.code for r in results} == {"ok"}
    assert [size for size, _at in batches] == [1, 5]  # the lone first one, then all that came in the gap
    assert batches[0][1] - asked < 0.4  # not held back
    assert batches[1][1] - batches[0][1] >= 0.5 - 0.01


def test_a_full_batch_is_not_held_back(settings, monkeypatch, batches):
    settings.STUDY_BEAT_GATHER_MS = 1000
    monkeypatch.setattr(writer, "MAX_BATCH", 3)
    beats = _beats(7)

    async def scenario():
        w = writer.StudyWriter.get()
        first = asyncio.ensure_future(w.save(beats[0]))
        await asyncio.sleep(0.05)  # the first is stored; six wait, two full batches of three
        rest = [asyncio.ensure_future(w.save(beat)) for beat in beats[1:]]
        return await asyncio.gather(first, *rest)

    t0 = time.monotonic()
    results = asyncio.run(scenario())
    assert len(results) == 7
    assert [size for size, _at in batches] == [1, 3, 3]
    assert time.monotonic() - t0 < 0.9  # neither full batch waited for the 1 s spacing
