"""config.gather: calls waiting together are served together, and one failing item fails only itself."""

import asyncio
import time

import pytest
from asgiref.sync import async_to_sync

from config.gather import gathered

# the gatherer serves through database_sync_to_async, which tidies the database connections first
pytestmark = pytest.mark.django_db


def test_calls_made_while_a_batch_is_served_wait_for_the_next_batch_together():
    batches = []

    def serve(items):
        batches.append(list(items))
        time.sleep(0.2)  # the database thread busy with this batch
        return [item * 10 for item in items]

    async def scenario():
        first = [asyncio.ensure_future(gathered("test.together", serve, n)) for n in (1, 2)]
        await asyncio.sleep(0.05)  # the first batch is being served
        later = [asyncio.ensure_future(gathered("test.together", serve, n)) for n in (3, 4, 5)]
        return await asyncio.gather(*first, *later)

    assert async_to_sync(scenario)() == [10, 20, 30, 40, 50]
    assert batches == [[1, 2], [3, 4, 5]]


def test_a_failing_item_fails_only_its_own_caller():
    def serve(items):
        if "poison" in items:
            raise ValueError("poison")
        return [item.upper() for item in items]

    async def scenario():
        calls = [gathered("test.poison", serve, item) for item in ("a", "b", "poison", "c")]
        return await asyncio.gather(*calls, return_exceptions=True)

    a, b, poison, c = async_to_sync(scenario)()
    assert (a, b, c) == ("A", "B", "C")
    assert isinstance(poison, ValueError)


def test_a_serve_that_returns_an_exception_raises_it_for_that_item_only():
    def serve(items):
        return [LookupError(item) if item < 0 else item for item in items]

    async def scenario():
        return await asyncio.gather(*(gathered("test.refuse", serve, n) for n in (1, -1, 2)), return_exceptions=True)

    one, refused, two = async_to_sync(scenario)()
    assert (one, two) == (1, 2) and isinstance(refused, LookupError)


def test_a_batch_is_at_most_max_batch_items():
    sizes = []

    def serve(items):
        sizes.append(len(items))
        return list(items)

    async def scenario():
        return await asyncio.gather(*(gathered("test.max", serve, n, max_batch=3) for n in range(10)))

    assert async_to_sync(scenario)() == list(range(10))
    assert max(sizes) == 3 and sum(sizes) == 10
