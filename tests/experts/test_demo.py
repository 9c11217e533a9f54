"""experts.demo: the pool, a chief judge per track, and the recusal case on the assignment page."""

import pytest

from accounts.demo import Report
from contests.demo import contest_demo_seed
from contests.models import Track, TrackJudge
from experts.demo import experts_demo_seed
from experts.models import Expert
from experts.selectors import expert_search, pool_candidates
from organisations.demo import organisations_demo_seed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_pool_has_chief_judges_and_a_recusal_case_and_a_second_run_adds_nothing(organiser, paper):
    UserFactory(username="learner1", real_name="王志强", organisation="昆山精密机械制造有限公司", id_number="")
    for n in range(2, 7):
        UserFactory(username=f"learner{n}", organisation=f"单位{n}", id_number="")
    contest_demo_seed(Report())
    organisations_demo_seed(Report())
    experts_demo_seed(Report())
    assert Expert.objects.count() == 10
    assert Expert.objects.with_qualification("national_judge").count() == 4
    chiefs = dict(TrackJudge.objects.filter(is_chief=True).values_list("track__slug", "judge__username"))
    assert chiefs == {"iiot-security": "judge1", "ic": "judge2", "ai-trainer": "judge3"}
    security = Track.objects.get(slug="iiot-security")
    [sun] = pool_candidates(security, expert_search(query="孙立新"))
    assert [c.detail for c in sun.conflicts] == ["与选手王志强同一单位（昆山精密机械制造有限公司）"]
    assert TrackJudge.objects.filter(track__slug="ic", judge__username="judge4").exists()
    before = (Expert.objects.count(), TrackJudge.objects.count())
    experts_demo_seed(Report())
    contest_demo_seed(Report())
    assert (Expert.objects.count(), TrackJudge.objects.count()) == before
