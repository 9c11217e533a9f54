"""The advancement and nomination pages through the Django test client: previews, confirmations, the
end-to-end nomination flow from an enterprise 技术比武 to a national track, and crafted requests."""

import pytest

from django.urls import reverse

from contests import services
from contests.models import (
    Advancement,
    Entry,
    Nomination,
    NominationStatus,
    Qualifier,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from contests.services import advancement
from notifications.models import Notification, NotificationKind
from organisations.models import Organisation, OrganisationKind
from tests.contests.factories import TrackFactory
from tests.contests.finals import final_round, later_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------ advancement


@pytest.fixture
def prelim(organiser):
    return final_round(
        organiser=organiser,
        rows=[
            {"name": "冠军", "total": 95},
            {"name": "并列甲", "total": 80, "at": 30},
            {"name": "并列乙", "total": 80, "at": 10},
            {"name": "落选", "total": 50},
        ],
    )


def test_organiser_previews_with_the_rule_and_confirms(client, organiser, prelim, django_capture_on_commit_callbacks):
    rnd, regs = prelim
    final = later_round(rnd)
    client.force_login(organiser)
    url = reverse("contests:advance", args=[rnd.pk])
    page = body(client.get(url, {"to_round": final.pk, "scope": "overall", "quota": 2, "tie_rule": "shared"}))
    assert "同分并列：与第 N 名总分相同者全部晋级" in page
    assert "并列甲" in page and "并列乙" in page and "落选" not in page.split('id="preview"')[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to_round": final.pk, "scope": "overall", "quota": 2, "tie_rule": "shared"})
    assert response.status_code == 302
    advancement = Advancement.objects.get()
    assert advancement.picks.count() == 3
    assert Notification.objects.filter(kind=NotificationKind.ADVANCED).count() == 3
    assert "已确认" in body(client.get(url))
    # a replayed confirmation changes nothing
    client.post(url, {"to_round": final.pk, "scope": "overall", "quota": 1, "tie_rule": "shared"})
    assert Advancement.objects.count() == 1 and advancement.picks.count() == 3
    # the final's console admits the advanced only
    services.round_open_lobby(round=final, by=organiser, now=rnd.starts_at)
    client.force_login(regs[3].user)
    assert client.get(reverse("contests:contestant", args=[final.pk])).status_code == 403
    client.force_login(regs[1].user)
    assert client.get(reverse("contests:contestant", args=[final.pk])).status_code == 200


def test_the_countdown_before_the_lobby_shows_only_to_the_advanced(client, organiser, prelim):
    rnd, regs = prelim
    final = later_round(rnd)
    advancement.advancement_confirm(
        from_round=rnd, to_round_id=final.pk, scope="overall", quota=1, tie_rule="shared", by=organiser
    )
    client.force_login(regs[0].user)
    assert client.get(reverse("contests:contestant", args=[final.pk])).status_code == 200
    client.force_login(regs[3].user)
    assert client.get(reverse("contests:contestant", args=[final.pk])).status_code == 403


@pytest.mark.parametrize(
    "data,message",
    [
        ({"quota": "0"}, "1 至 10000"),
        ({"quota": "999999999999999999999"}, "1 至 10000"),
        ({"quota": "-2"}, "1 至 10000"),
        ({"scope": "<script>"}, "晋级范围"),
        ({"tie_rule": "coin"}, "同分规则"),
        ({"to_round": "abc"}, "尚在筹备中"),
    ],
)
def test_crafted_confirmations_are_refused_with_a_message(client, organiser, prelim, data, message):
    rnd, _regs = prelim
    final = later_round(rnd)
    client.force_login(organiser)
    post = {"to_round": final.pk, "scope": "overall", "quota": 2, "tie_rule": "shared", **data}
    response = client.post(reverse("contests:advance", args=[rnd.pk]), post, follow=True)
    assert response.status_code == 200
    assert message in body(response)
    assert not Advancement.objects.exists()


def test_a_round_without_final_results_shows_why(client, organiser, prelim):
    rnd, _regs = prelim
    rnd.status = "published"
    rnd.save(update_fields=["status"])
    client.force_login(organiser)
    page = body(client.get(reverse("contests:advance", args=[rnd.pk]), {"to_round": later_round(rnd).pk}))
    assert "只有成绩已确认" in page


def test_contestants_and_judges_cannot_open_or_post_the_advancement_page(client, prelim, learner):
    rnd, regs = prelim
    final = later_round(rnd)
    for user in (learner, regs[0].user):
        client.force_login(user)
        url = reverse("contests:advance", args=[rnd.pk])
        assert client.get(url).status_code == 403
        post = {"to_round": final.pk, "scope": "overall", "quota": 2, "tie_rule": "shared"}
        assert client.post(url, post).status_code == 403
    assert not Advancement.objects.exists()
    assert client.get(reverse("contests:advance", args=[10**9])).status_code == 403  # not a page for them at all


# ------------------------------------------------------------------ nominations, end to end


def test_enterprise_qualifier_nominates_to_a_national_track_end_to_end(
    client, organiser, django_capture_on_commit_callbacks
):
    plant = Organisation.objects.create(kind=OrganisationKind.EMPLOYER, name="徐工集团")
    qualifier_track = TrackFactory(
        contest__organiser=organiser, contest__level="enterprise", contest__host_organisation=plant, name="焊工比武"
    )
    national = TrackFactory(contest__organiser=organiser, contest__level="national", name="焊工")
    rnd, regs = final_round(
        organiser=organiser,
        track=qualifier_track,
        rows=[
            {"name": "王焊", "total": 92, "org": "徐工集团焊接车间", "province": "32"},
            {"name": "赵焊", "total": 88, "org": "徐工集团结构件厂", "province": "32"},
            {"name": "钱焊", "total": 60, "org": "徐工集团", "province": "32"},
        ],
    )
    client.force_login(organiser)
    # 1. the qualifier's organiser declares the track a qualifier (a crafted same-level target is refused)
    same_level = TrackFactory(contest__organiser=organiser, contest__level="enterprise")
    url = reverse("contests:qualifier", args=[qualifier_track.pk])
    page = body(client.post(url, {"target_track": same_level.pk, "quota_scope": "organiser", "quota": 2}, follow=True))
    assert "级别更高" in page and not Qualifier.objects.exists()
    client.post(url, {"target_track": national.pk, "quota_scope": "organiser", "quota": 2})
    assert Qualifier.objects.get().target_track == national
    # 2. preview and confirm; a crafted POST beyond the quota writes nothing
    nominate = reverse("contests:nominate", args=[rnd.pk])
    page = body(client.get(nominate))
    assert "王焊" in page and "赵焊" in page and "钱焊" not in page
    page = body(client.post(nominate, {"registration": [r.pk for r in regs]}, follow=True))
    assert "超出推荐名额" in page and not Nomination.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(nominate, {"registration": [regs[0].pk, regs[1].pk]})
    wang, zhao = Nomination.objects.order_by("place")
    notice = Notification.objects.get(recipient=regs[0].user, kind=NotificationKind.NOMINATED)
    assert notice.url == reverse("contests:nomination_register", args=[wang.pk])
    # 3. the nominee opens the invitation: pre-filled; someone else gets nothing
    register = reverse("contests:nomination_register", args=[wang.pk])
    client.force_login(regs[2].user)
    assert client.get(register).status_code == 404
    assert client.post(register).status_code == 404
    assert not Registration.objects.filter(track=national).exists()
    client.force_login(regs[0].user)
    page = body(client.get(register))
    assert "徐工集团焊接车间" in page and "江苏省" in page
    client.post(register)
    registration = Registration.objects.get(track=national)
    assert (registration.user, registration.source, registration.organisation, registration.province) == (
        regs[0].user,
        RegistrationSource.NOMINATED,
        "徐工集团焊接车间",
        "32",
    )
    client.force_login(regs[1].user)
    client.post(reverse("contests:nomination_register", args=[zhao.pk]))
    # 4. the national organiser sees the nominations by source, province and status, and decides
    client.force_login(organiser)
    listing = reverse("contests:nominations", args=[national.pk])
    page = body(client.get(listing, {"source": Qualifier.objects.get().pk, "province": "32", "status": "registered"}))
    assert "王焊" in page and "赵焊" in page and "焊工比武" in page
    assert "王焊" not in body(client.get(listing, {"status": "accepted"}))
    other = TrackFactory(contest__organiser=organiser, contest__level="national")
    forged = client.post(reverse("contests:nominations", args=[other.pk]), {"nomination": wang.pk, "action": "accept"})
    assert forged.status_code == 404
    client.post(listing, {"nomination": wang.pk, "action": "accept"})
    client.post(listing, {"nomination": zhao.pk, "action": "return", "reason": "未满足参赛年限"})
    wang.refresh_from_db()
    zhao.refresh_from_db()
    assert wang.status == NominationStatus.ACCEPTED and wang.registration.status == RegistrationStatus.APPROVED
    assert zhao.status == NominationStatus.RETURNED and zhao.registration.status == RegistrationStatus.REJECTED
    # 5. the returned nominee sees the reason
    client.force_login(regs[1].user)
    assert "未满足参赛年限" in body(client.get(reverse("contests:nomination_register", args=[zhao.pk])))


def test_nomination_pages_are_for_organisers_only(client, learner, organiser):
    track = TrackFactory(contest__organiser=organiser, contest__level="industry")
    national = TrackFactory(contest__organiser=organiser, contest__level="national")
    client.force_login(learner)
    for url in (reverse("contests:qualifier", args=[track.pk]), reverse("contests:nominations", args=[national.pk])):
        assert client.get(url).status_code == 403
    post = {"target_track": national.pk, "quota_scope": "province", "quota": 5}
    assert client.post(reverse("contests:qualifier", args=[track.pk]), post).status_code == 403
    assert not Qualifier.objects.exists()


def test_a_nomination_id_that_does_not_exist_or_is_garbage(client):
    client.force_login(UserFactory())
    assert client.get(reverse("contests:nomination_register", args=[10**12])).status_code == 404
    assert Entry.objects.count() == 0


def test_the_advancement_preview_reads_in_english(client, organiser, prelim, settings):
    rnd, _regs = prelim
    final = later_round(rnd)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(organiser)
    params = {"to_round": final.pk, "scope": "province", "quota": 1, "tie_rule": "broken"}
    page = body(client.get(reverse("contests:advance", args=[rnd.pk]), params))
    assert "Advancement rule:" in page and "Top N of each province (N = 1)" in page
    assert "Confirm the advancement list" in page


def test_industry_qualifier_to_national_with_a_province_quota(client, organiser):
    industry = TrackFactory(contest__organiser=organiser, contest__level="industry", name="行业电工")
    national = TrackFactory(contest__organiser=organiser, contest__level="national", name="电工")
    rnd, regs = final_round(
        organiser=organiser,
        track=industry,
        rows=[
            {"name": "苏一", "total": 90, "province": "32"},
            {"name": "苏二", "total": 85, "province": "32"},
            {"name": "粤一", "total": 70, "province": "44"},
        ],
    )
    client.force_login(organiser)
    client.post(
        reverse("contests:qualifier", args=[industry.pk]),
        {"target_track": national.pk, "quota_scope": "province", "quota": 1},
    )
    page = body(client.get(reverse("contests:nominate", args=[rnd.pk])))
    assert "苏一" in page and "粤一" in page and "苏二" not in page
    client.post(reverse("contests:nominate", args=[rnd.pk]), {"registration": [regs[0].pk, regs[2].pk]})
    assert sorted(Nomination.objects.values_list("quota_group", flat=True)) == ["province:32", "province:44"]
    # the province is used up: a crafted POST for the second 江苏 contestant writes nothing
    client.post(reverse("contests:nominate", args=[rnd.pk]), {"registration": [regs[1].pk]})
    assert Nomination.objects.count() == 2
    nomination = Nomination.objects.get(user=regs[2].user)
    client.force_login(regs[2].user)
    client.post(reverse("contests:nomination_register", args=[nomination.pk]))
    client.force_login(organiser)
    listing = reverse("contests:nominations", args=[national.pk])
    assert "粤一" in body(client.get(listing, {"province": "44"}))
    assert "粤一" not in body(client.get(listing, {"province": "32"}))
    client.post(listing, {"nomination": nomination.pk, "action": "accept"})
    registration = Registration.objects.get(track=national, user=regs[2].user)
    assert (registration.status, registration.province, registration.source) == ("approved", "44", "nominated")
