"""The invitation page a worker opens: log in or sign up first, then accept once; wrong accounts
and used links are refused."""

import pytest

from django.urls import reverse

from tests.conftest import PASSWORD
from tests.training.conftest import entry, id_number, verified_user
from training.models import RosterEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(employer_a):
    return entry(employer_a, "王小明", phone="13800138000", number=id_number(1))


def link(entry_):
    return reverse("training:invitation", args=[entry_.invitation_token])


def test_a_visitor_is_asked_to_log_in_and_comes_back(client, invited):
    page = client.get(link(invited))
    html = page.content.decode()
    assert page.status_code == 200 and "苏州精工机电有限公司" in html
    assert f"/accounts/login/?next={link(invited)}" in html and "/accounts/signup/?next=" in html
    assert id_number(1) not in html  # masked
    post = client.post(link(invited))
    assert post.status_code == 302 and "/accounts/login/" in post["Location"]
    invited.refresh_from_db()
    assert invited.user is None


def test_signing_up_from_the_link_then_accepting(client, invited):
    signup = client.post(
        reverse("accounts:signup"),
        {
            "username": "wangxm",
            "email": "wxm@example.cn",
            "real_name": "王小明",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": link(invited),
        },
    )
    assert signup.status_code == 302 and signup["Location"] == link(invited)
    accepted = client.post(link(invited))
    assert accepted.status_code == 302 and accepted["Location"] == reverse("courses:dashboard")
    invited.refresh_from_db()
    assert invited.user.username == "wangxm" and invited.status == "active"


def test_a_link_works_once(client, invited, learner, other_learner):
    url = link(invited)
    client.force_login(learner)
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404  # accepting twice
    client.force_login(other_learner)
    assert client.get(url).status_code == 404  # reused by someone else
    assert client.post(url).status_code == 404
    assert RosterEntry.objects.get().user == learner


def test_a_wrong_account_is_refused_and_nothing_changes(client, invited):
    stranger = verified_user("stranger", "王小明", id_number(5))
    client.force_login(stranger)
    response = client.post(link(invited))
    assert response.status_code == 400 and "不一致" in response.content.decode()
    invited.refresh_from_db()
    assert invited.user is None and invited.invitation_token


def test_a_forged_or_huge_token_is_a_404(client, learner):
    client.force_login(learner)
    assert client.get(reverse("training:invitation", args=["forged"])).status_code == 404
    assert client.post(reverse("training:invitation", args=["x" * 5000])).status_code == 404
