"""Log-in throttling and where sign-up sends a new account: attacks on the front door."""

import datetime as dt

import pytest
import time_machine

from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "Right-Password-2026"


@pytest.fixture
def account(db):
    user = UserFactory(username="worker7", email="worker7@example.cn")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password, *, url="accounts:login", ip="203.0.113.5"):
    return client.post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail(client, username, times, **kwargs):
    """Wrong passwords; the one that reaches the limit is already answered with the lock-out page."""
    return [_login(client, username, "wrong-password", **kwargs).status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_from_that_address(client, account):
    assert _fail(client, "worker7", 5) == [200, 200, 200, 200, 429]

    response = _login(client, "worker7", PASSWORD)

    assert response.status_code == 429
    assert "登录尝试过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock(client, account):
    assert _fail(client, "worker7", 4) == [200] * 4
    assert _login(client, "worker7", PASSWORD).status_code == 302


def test_the_count_follows_the_account_whatever_it_is_typed_as(client, account):
    _fail(client, "Worker7 ", 2)
    _fail(client, "worker7@example.cn", 3)
    assert _login(client, "WORKER7", PASSWORD).status_code == 429


def test_a_lock_does_not_shut_out_colleagues_behind_the_same_address(client, account):
    colleague = UserFactory(username="worker8")
    colleague.set_password(PASSWORD)
    colleague.save()
    _fail(client, "worker7", 5)

    assert _login(client, "worker8", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, account):
    _fail(client, "worker7", 5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert _login(client, "worker7", PASSWORD).status_code == 302


def test_the_admin_log_in_is_throttled_too(client, account):
    for _ in range(5):
        _login(client, "worker7", "wrong-password", url="wagtailadmin_login")
    assert _login(client, "worker7", PASSWORD, url="wagtailadmin_login").status_code == 429


def test_the_lock_out_page_is_translated(client, account):
    client.cookies["django_language"] = "en"
    _fail(client, "worker7", 5)
    body = _login(client, "worker7", PASSWORD).content.decode()
    assert "Too many log-in attempts" in body


# ------------------------------------------------------------ sign-up redirect


def _signup(client, next_url):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": "newworker",
            "real_name": "张伟",
            "email": "newworker@example.cn",
            "password1": "Sign-up-Password-2026",
            "password2": "Sign-up-Password-2026",
            "next": next_url,
        },
    )


@pytest.mark.parametrize(
    "next_url",
    ["/\\evil.com", "//evil.com", "https://evil.com/", "\\\\evil.com", "/\\/evil.com", "javascript:alert(1)"],
)
def test_sign_up_never_redirects_off_site(client, db, next_url):
    response = _signup(client, next_url)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("courses:dashboard")


def test_sign_up_returns_to_the_page_it_came_from(client, db):
    response = _signup(client, "/contests/")
    assert response["Location"] == "/contests/"
