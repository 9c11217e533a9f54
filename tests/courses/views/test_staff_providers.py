"""Providers in the admin: renaming one, and 机构人员 (organisers add accounts to its staff and take them off)."""

import pytest

from django.urls import reverse

from accounts.roles import PROVIDER_STAFF_GROUP
from courses import services
from courses.models import ProviderMembership, ProviderPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_url(provider):
    return reverse("courses_provider:staff", args=[provider.pk])


def groups(user):
    return set(user.groups.values_list("name", flat=True))


def test_organiser_adds_an_account_by_user_name_and_it_can_author_the_providers_courses(
    client, organiser, provider_a, learner
):
    client.force_login(organiser)
    edit = client.get(reverse("courses_provider:edit", args=[provider_a.pk])).content.decode()
    assert staff_url(provider_a) in edit  # the 机构人员 button on the provider's edit page
    assert staff_url(provider_a) in client.get(reverse("courses_provider:index")).content.decode()  # and in the list
    response = client.post(staff_url(provider_a), {"account": " learner "}, follow=True)
    assert "已将 张三（learner） 加入本机构" in response.content.decode()
    assert ProviderMembership.objects.filter(provider=provider_a, user=learner).exists()
    assert groups(learner) == {provider_a.group.name, PROVIDER_STAFF_GROUP}
    client.force_login(learner)
    assert client.get(reverse("courses_course:add")).status_code == 200


def test_an_account_is_found_by_its_mobile_number_unless_several_share_it(client, organiser, provider_a):
    one = UserFactory(username="wang", phone="13800000001")
    UserFactory(username="li", phone="13800000002")
    UserFactory(username="zhao", phone="13800000002")
    client.force_login(organiser)
    client.post(staff_url(provider_a), {"account": "13800000001"})
    assert list(provider_a.memberships.values_list("user", flat=True)) == [one.pk]
    body = client.post(staff_url(provider_a), {"account": "13800000002"}).content.decode()
    assert "这个手机号码属于多个账号，请改用用户名" in body
    assert provider_a.memberships.count() == 1


@pytest.mark.parametrize("account", ["nobody", "", "retired"])
def test_unknown_or_inactive_accounts_are_refused_with_a_message_and_nothing_is_written(
    client, organiser, provider_a, account
):
    UserFactory(username="retired", is_active=False)
    client.force_login(organiser)
    response = client.post(staff_url(provider_a), {"account": account})
    assert response.status_code == 200
    body = response.content.decode()
    assert "没有找到这个账号" in body or "必需字段" in body
    assert not ProviderMembership.objects.exists()


def test_adding_a_member_twice_says_so_and_keeps_one_membership(client, organiser, staff_a, provider_a):
    client.force_login(organiser)
    response = client.post(staff_url(provider_a), {"account": "staff_a"}, follow=True)
    assert "已是本机构人员" in response.content.decode()
    assert provider_a.memberships.filter(user=staff_a).count() == 1


def test_removing_takes_the_providers_group_and_the_staff_role_only_when_no_provider_is_left(
    client, organiser, staff_a, provider_a, provider_b
):
    services.provider_member_add(provider=provider_b, user=staff_a)
    client.force_login(organiser)
    page = client.get(staff_url(provider_a)).content.decode()
    assert "甲机构编辑" in page and "staff_a" in page
    client.post(staff_url(provider_a), {"remove": staff_a.pk})
    assert groups(staff_a) == {provider_b.group.name, PROVIDER_STAFF_GROUP}
    client.post(staff_url(provider_b), {"remove": staff_a.pk})
    assert groups(staff_a) == set()
    assert not ProviderMembership.objects.filter(user=staff_a).exists()
    client.force_login(staff_a)
    assert client.get(reverse("courses_course:add")).status_code == 302  # no longer in the admin's course area


def test_only_organisers_reach_the_staff_page(client, staff_a, provider_a, learner):
    for user in (staff_a, learner):
        client.force_login(user)
        assert client.get(staff_url(provider_a)).status_code in (302, 403)
        client.post(staff_url(provider_a), {"account": "learner"})
        client.post(staff_url(provider_a), {"remove": staff_a.pk})
    assert list(ProviderMembership.objects.values_list("user__username", flat=True)) == ["staff_a"]
    client.force_login(staff_a)
    edit = client.get(reverse("courses_provider:edit", args=[provider_a.pk])).content.decode()
    assert staff_url(provider_a) not in edit


def test_renaming_a_provider_renames_its_catalogue_page_and_media_collection_but_keeps_the_url(
    client, organiser, provider_a
):
    page = ProviderPage.objects.get(provider=provider_a)
    url = page.url
    client.force_login(organiser)
    response = client.post(
        reverse("courses_provider:edit", args=[provider_a.pk]),
        {
            "name": "甲智能制造培训中心",
            "short_name": "甲中心",
            "slug": provider_a.slug,
            "website": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    provider_a.refresh_from_db()
    assert (page.title, page.draft_title, page.url) == ("甲智能制造培训中心", "甲智能制造培训中心", url)
    assert provider_a.collection.name == "甲智能制造培训中心"
    assert "甲智能制造培训中心" in client.get(url).content.decode()


@pytest.mark.parametrize("remove", ["abc", "", "99999"])
def test_removing_an_unknown_account_is_not_found_and_changes_nothing(client, organiser, staff_a, provider_a, remove):
    client.force_login(organiser)
    assert client.post(staff_url(provider_a), {"remove": remove}).status_code == 404
    assert provider_a.memberships.filter(user=staff_a).exists()
