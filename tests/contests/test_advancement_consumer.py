"""The contestant socket of a round with an advancement (晋级): only the advanced may connect."""

import pytest

from contests import services
from contests.services import advancement
from tests.contests.finals import final_round, later_round
from tests.contests.live import _wagtail_roots_after_module, contestant, db, run, session_cookie, wagtail_roots  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


def test_only_advanced_contestants_connect_to_the_later_round(organiser):
    rnd, regs = final_round(organiser=organiser, rows=[{"total": 90}, {"total": 40}])
    final = later_round(rnd)
    advancement.advancement_confirm(
        from_round=rnd, to_round_id=final.pk, scope="overall", quota=1, tie_rule="shared", by=organiser
    )
    services.round_open_lobby(round=final, by=organiser, now=rnd.starts_at)
    advanced, left_out = session_cookie(regs[0].user), session_cookie(regs[1].user)

    async def scenario():
        sock = contestant(final.pk, left_out)
        assert await sock.connect()
        assert await sock.receive() == {
            "type": "error",
            "code": "forbidden",
            "message": "您不是本场次审核通过的选手",
        }
        assert await sock.closed_with() == 4403
        await sock.close()
        sock = contestant(final.pk, advanced)
        assert await sock.connect()
        assert (await sock.receive())["type"] == "hello"
        await sock.close()

    run(scenario)
