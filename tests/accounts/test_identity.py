"""Who a person is: user names that cannot pose as an ID or mobile number, real names compared as
written, and ID numbers an organiser verifies (one verified account per number)."""

import importlib

import pytest

from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.identity import looks_like_identifier, names_match, user_by_verified_id
from tests.conftest import PASSWORD
from tests.factories import UserFactory

VICTIM_ID = "11010519491231002X"
ID_SHAPED = ["11010519491231002X", "11010519491231002x", "110105491231002", "１１０１０５１９４９１２３１００２Ｘ"]
PHONE_SHAPED = ["13800138000", "+8613800138000", "8613800138000", "138-0013-8000", "１３８００１３８０００"]


def _signup(client, username):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": username,
            "real_name": "张伟",
            "email": "newworker@example.cn",
            "password1": "Sign-up-Password-2026",
            "password2": "Sign-up-Password-2026",
        },
    )


@pytest.mark.parametrize("username", ID_SHAPED + PHONE_SHAPED)
def test_sign_up_refuses_user_names_shaped_like_an_id_or_mobile_number(client, db, username):
    response = _signup(client, username)

    assert response.status_code == 200
    assert "用户名不能是身份证号或手机号码的形式" in response.content.decode()
    assert not apps.get_model("accounts", "User").objects.filter(email="newworker@example.cn").exists()


@pytest.mark.parametrize("username", ["zhangwei", "worker2026", "12345678", "1380013800", "li.13800138000x"])
def test_sign_up_accepts_ordinary_user_names(client, db, username):
    assert _signup(client, username).status_code == 302


def test_identifier_shapes():
    assert all(looks_like_identifier(name) for name in ID_SHAPED + PHONE_SHAPED)
    assert not any(looks_like_identifier(name) for name in ["zhang3", "2026", "12345678901", "23800138000"])


def test_an_existing_account_with_such_a_name_keeps_working(client, organiser):
    old = UserFactory(username="13900139000", real_name="王五")
    assert client.login(username="13900139000", password=PASSWORD)
    assert client.post(reverse("accounts:profile"), {"real_name": "王五", "email": old.email}).status_code == 302
    client.force_login(organiser)
    data = {"username": old.username, "email": old.email, "real_name": "王五", "is_active": "on"}
    assert client.post(reverse("wagtailusers_users:edit", args=[old.pk]), data).status_code == 302


def _admin_user_data(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "real_name": user.real_name,
        "id_number": user.id_number,
        "password1": "",
        "password2": "",
        "is_active": "on",
    }
    return {**data, **changes}


def test_the_user_admin_refuses_new_identifier_shaped_user_names(client, organiser, learner):
    client.force_login(organiser)
    create = {
        "username": "13800138000",
        "email": "x@example.cn",
        "real_name": "赵六",
        "password1": "Admin-made-Password-2026",
        "password2": "Admin-made-Password-2026",
    }
    response = client.post(reverse("wagtailusers_users:add"), create)
    assert response.status_code == 200 and "username" in response.context["form"].errors
    rename = _admin_user_data(learner, username=VICTIM_ID)
    response = client.post(reverse("wagtailusers_users:edit", args=[learner.pk]), rename)
    assert response.status_code == 200 and "username" in response.context["form"].errors
    learner.refresh_from_db()
    assert learner.username == "learner"


def test_an_organiser_verifies_an_id_number_in_the_user_admin(client, organiser, learner):
    client.force_login(organiser)
    url = reverse("wagtailusers_users:edit", args=[learner.pk])
    assert 'name="id_verified"' in client.get(url).content.decode()

    response = client.post(url, _admin_user_data(learner, id_number=VICTIM_ID.lower(), id_verified="on"))

    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.id_number, learner.id_verified, learner.id_verified_by) == (VICTIM_ID, True, organiser)
    assert user_by_verified_id(VICTIM_ID.lower()) == learner


def test_a_verified_id_number_belongs_to_one_account(client, organiser, learner, other_learner):
    for user in (learner, other_learner):
        user.id_number = VICTIM_ID
        user.save()
    client.force_login(organiser)
    client.post(reverse("wagtailusers_users:edit", args=[learner.pk]), _admin_user_data(learner, id_verified="on"))

    response = client.post(
        reverse("wagtailusers_users:edit", args=[other_learner.pk]), _admin_user_data(other_learner, id_verified="on")
    )

    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    other_learner.refresh_from_db()
    learner.refresh_from_db()
    assert learner.id_verified and not other_learner.id_verified
    other_learner.id_verified_at = learner.id_verified_at
    with pytest.raises(IntegrityError), transaction.atomic():
        other_learner.save()


def test_changing_the_number_in_the_admin_unverifies_it_unless_ticked_again(client, organiser, learner):
    client.force_login(organiser)
    url = reverse("wagtailusers_users:edit", args=[learner.pk])
    client.post(url, _admin_user_data(learner, id_number=VICTIM_ID, id_verified="on"))
    learner.refresh_from_db()

    client.post(url, _admin_user_data(learner, real_name="张三丰"))

    learner.refresh_from_db()
    assert not learner.id_verified and learner.id_verified_by is None


def test_an_editor_who_is_not_an_organiser_cannot_verify(client, learner):
    from django.contrib.auth.models import Permission

    editor = UserFactory(username="hr_editor", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "access_admin"]))
    learner.id_number = VICTIM_ID
    learner.save()
    client.force_login(editor)

    client.post(reverse("wagtailusers_users:edit", args=[learner.pk]), _admin_user_data(learner, id_verified="on"))

    learner.refresh_from_db()
    assert not learner.id_verified


def test_the_owner_cannot_change_a_verified_name_or_number(client, organiser, learner):
    client.force_login(organiser)
    client.post(
        reverse("wagtailusers_users:edit", args=[learner.pk]),
        _admin_user_data(learner, id_number=VICTIM_ID, id_verified="on"),
    )
    client.force_login(learner)
    data = {"real_name": "李鬼", "id_number": "110105194912310021", "email": learner.email}

    response = client.post(reverse("accounts:profile"), data)

    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.real_name, learner.id_number, learner.id_verified) == ("张三", VICTIM_ID, True)


def test_unverified_numbers_identify_nobody(db):
    UserFactory(username="claims_it", id_number=VICTIM_ID)
    assert user_by_verified_id(VICTIM_ID) is None


@pytest.mark.parametrize(
    ("typed", "real"),
    [("张 三", "张三"), ("张\u3000三", "张三"), ("阿依古丽•买买提", "阿依古丽·买买提"), ("ＬＩ Ｌｅｉ", "Li Lei")],
)
def test_real_names_match_as_people_write_them(typed, real):
    assert names_match(typed, real)


def test_different_or_empty_names_do_not_match():
    assert not names_match("张三", "张山") and not names_match("", "") and not names_match("张三", "")


def test_the_migration_reports_shared_id_numbers_instead_of_failing(db, capsys):
    UserFactory(username="first_holder", id_number=VICTIM_ID)
    UserFactory(username="second_holder", id_number=VICTIM_ID)
    UserFactory(username="alone", id_number="110105194912310021")
    migration = importlib.import_module("accounts.migrations.0002_verified_id_number")

    migration.report_duplicate_id_numbers(apps, None)

    out = capsys.readouterr().out
    assert "110105********002X: first_holder" in out and "second_holder" in out
    assert "0021" not in out and VICTIM_ID not in out
