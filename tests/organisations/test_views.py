import pytest

from django.core.cache import cache
from django.urls import reverse

from organisations import services
from organisations.models import Employment, Organisation, OrganisationStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEARCH = "organisations:search"


def _names(response):
    return [row["name"] for row in response.json()["results"]]


def test_search_needs_a_login(client, org_a):
    assert client.get(reverse(SEARCH), {"q": "精工"}).status_code == 302


def test_search_finds_by_name_short_name_and_credit_code(client, org_a, org_b):
    client.force_login(UserFactory())
    assert _names(client.get(reverse(SEARCH), {"q": "精工"})) == [org_a.name]
    assert _names(client.get(reverse(SEARCH), {"q": "云帆"})) == [org_b.name]
    assert _names(client.get(reverse(SEARCH), {"q": org_a.credit_code[:10].lower()})) == [org_a.name]
    assert _names(client.get(reverse(SEARCH), {"q": "  "})) == []


def test_search_returns_at_most_20(client):
    for i in range(30):
        services.organisation_create(kind="school", name=f"测试学院{i:02d}")
    client.force_login(UserFactory())
    assert len(_names(client.get(reverse(SEARCH), {"q": "测试学院"}))) == 20


def test_search_shows_no_one_elses_proposed_or_rejected_organisations(client, organiser):
    proposer, other = UserFactory(), UserFactory()
    proposed = services.organisation_propose(user=proposer, kind="school", name="待审学院甲")
    rejected = services.organisation_propose(user=proposer, kind="school", name="待审学院乙")
    services.organisation_review(organisation=rejected, reviewer=organiser, approve=False, note="重复")
    client.force_login(other)
    assert _names(client.get(reverse(SEARCH), {"q": "待审学院"})) == []
    client.force_login(proposer)
    response = client.get(reverse(SEARCH), {"q": "待审学院"})
    assert _names(response) == [proposed.name] and response.json()["results"][0]["pending"] is True


def test_a_huge_query_is_cut_not_an_error(client, org_a):
    client.force_login(UserFactory())
    response = client.get(reverse(SEARCH), {"q": "精" * 100_000})
    assert response.status_code == 200 and _names(response) == []
    assert client.get(reverse("organisations:employer"), {"q": "x" * 10_000}).status_code == 200


def test_search_is_rate_limited(client, org_a):
    client.force_login(UserFactory())
    from organisations import views

    cache.clear()  # other tests' searches by a user of the same id count within the minute
    try:
        statuses = [client.get(reverse(SEARCH), {"q": "精工"}).status_code for _ in range(views.SEARCH_PER_MINUTE + 1)]
        assert set(statuses[:-1]) == {200} and statuses[-1] == 429
    finally:
        cache.clear()


def test_declare_without_js_and_the_profile_shows_it(client, org_a):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("organisations:employer"), {"q": "精工"})
    assert org_a.name in page.content.decode()
    response = client.post(reverse("organisations:employer"), {"action": "declare", "organisation": org_a.pk})
    assert response.status_code == 302
    assert Employment.objects.get(user=user).organisation == org_a
    assert org_a.name in client.get(reverse("accounts:profile")).content.decode()


def test_declaring_a_forged_or_someone_elses_proposal_is_404(client):
    proposal = services.organisation_propose(user=UserFactory(), kind="school", name="别人的学院")
    client.force_login(UserFactory())
    for value in (proposal.pk, "abc", "-1", "9" * 30):
        response = client.post(reverse("organisations:employer"), {"action": "declare", "organisation": value})
        assert response.status_code == 404
    assert Employment.objects.count() == 1


def test_propose_from_the_page_shows_pending(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organisations:employer"),
        {"action": "propose", "kind": "school", "name": "新设职业学院", "credit_code": "", "region": "3205"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="新设职业学院")
    assert organisation.status == OrganisationStatus.PROPOSED and organisation.city_id == "3205"
    assert "待审核" in client.get(reverse("accounts:profile")).content.decode()


def test_propose_with_a_bad_credit_code_or_region_is_400(client):
    client.force_login(UserFactory())
    bad = {
        "action": "propose",
        "kind": "employer",
        "name": "某公司",
        "credit_code": "91320505MA1N7K2Q30",
        "region": "3205",
    }
    assert client.post(reverse("organisations:employer"), bad).status_code == 400
    assert (
        client.post(reverse("organisations:employer"), {**bad, "kind": "school", "region": "9999"}).status_code == 400
    )
    assert not Organisation.objects.filter(name="某公司").exists()


def test_review_crafted_posts(client, org_b, manager_a, manager_b, organiser):
    org_b.status = OrganisationStatus.PROPOSED
    org_b.save()
    url = reverse("organisations:review_decide", args=[org_b.pk])
    for user in (UserFactory(), manager_a):
        client.force_login(user)
        assert client.post(url, {"decision": "approve"}).status_code == 403
    assert Organisation.objects.get(pk=org_b.pk).status == OrganisationStatus.PROPOSED
    client.force_login(UserFactory())
    assert client.get(reverse("organisations:review")).status_code == 403
    client.force_login(manager_b)
    assert org_b.name in client.get(reverse("organisations:review")).content.decode()
    client.post(url, {"decision": "reject", "note": ""})
    assert Organisation.objects.get(pk=org_b.pk).status == OrganisationStatus.PROPOSED  # a reason is required
    client.post(url, {"decision": "approve"})
    assert Organisation.objects.get(pk=org_b.pk).status == OrganisationStatus.ACTIVE
    assert client.post(url, {"decision": "reject", "note": "晚了"}).status_code == 404  # replay


def test_admin_registry_is_for_organisers_only(client, org_a, staff_a, organiser):
    url = reverse("organisations_organisation:edit", args=[org_a.pk])
    client.force_login(staff_a)
    assert client.get(url).status_code in (302, 403)
    client.force_login(organiser)
    assert client.get(url).status_code == 200
    listing = client.get(reverse("organisations_organisation:index"), {"province": "32", "kind": "employer"})
    assert org_a.name in listing.content.decode()


def test_review_refuses_with_the_sites_403_page_and_logs_no_traceback(client, caplog, org_b):
    org_b.status = OrganisationStatus.PROPOSED
    org_b.save()
    client.force_login(UserFactory())
    with caplog.at_level("WARNING", logger="django.request"):
        pages = [
            client.get(reverse("organisations:review")),
            client.post(reverse("organisations:review_decide", args=[org_b.pk]), {"decision": "approve"}),
        ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 403
        assert "<title>无法完成操作 · " in body and "只有组织者和单位管理员可以审核单位" in body
        assert "没有权限访问此页面" not in body
    assert [r for r in caplog.records if r.exc_info] == []
    assert Organisation.objects.get(pk=org_b.pk).status == OrganisationStatus.PROPOSED


def test_region_choices_and_search_name_provinces_in_english(client, org_a, settings):
    client.force_login(UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("organisations:employer"), {"q": "精工"}).content.decode()
    assert '<optgroup label="Beijing">' in body and ">Beijing (any city)</option>" in body
    assert ">Jiangsu 苏州市</option>" in body
    assert "不指定城市" not in body and "（" not in body
    assert "苏州精工智能装备有限公司 (精工智能)" in body and "Jiangsu 苏州市" in body
    found = client.get(reverse(SEARCH), {"q": "精工"}).json()["results"][0]
    assert (found["label"], found["region"]) == ("苏州精工智能装备有限公司 (精工智能)", "Jiangsu 苏州市")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(reverse("organisations:employer")).content.decode()
    assert ">北京市（不指定城市）</option>" in body and ">江苏省 苏州市</option>" in body
