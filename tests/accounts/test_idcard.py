import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.idcard import age_on, birth_date, check_digit, mask, validate_id_number

VALID = "11010519491231002X"  # the GB 11643 worked example


def test_valid_number_passes():
    validate_id_number(VALID)
    validate_id_number(VALID.lower())


@pytest.mark.parametrize(
    "value",
    ["110105194912310021", "11010519491331002X", "1101051949123100", "A1010519491231002X", "01010519491231002X"],
)
def test_invalid_numbers_fail(value):
    with pytest.raises(ValidationError):
        validate_id_number(value)


def test_check_digit():
    assert check_digit(VALID[:17]) == "X"


def test_mask_keeps_region_and_last_four():
    assert mask("110105194912310021") == "110105********0021"
    assert mask("") == ""


@pytest.mark.django_db
def test_profile_rejects_bad_id_number_and_keeps_the_old_one(client, learner):
    learner.id_number = VALID
    learner.save()
    client.force_login(learner)
    response = client.post(
        reverse("accounts:profile"), {"real_name": "张三", "email": "a@example.cn", "id_number": "110105194912310021"}
    )
    assert response.status_code == 400
    assert "校验位" in response.content.decode()
    learner.refresh_from_db()
    assert learner.id_number == VALID


@pytest.mark.django_db
def test_profile_saves_and_normalises(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("accounts:profile"),
        {"real_name": "张三", "email": "zs@example.cn", "phone": "13800138000", "id_number": "11010519491231002x"},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.id_number == VALID


@pytest.mark.django_db
def test_id_number_is_shown_in_full_only_to_owner_and_staff(learner, other_learner, organiser):
    learner.id_number = VALID
    assert learner.id_number_for(learner) == VALID
    assert learner.id_number_for(organiser) == VALID
    assert learner.id_number_for(other_learner) == "110105********002X"
    assert learner.id_number_for(None) == "110105********002X"


@pytest.mark.django_db
def test_over_long_fields_are_rejected(client, learner):
    client.force_login(learner)
    response = client.post(reverse("accounts:profile"), {"real_name": "名" * 51, "email": "zs@example.cn"})
    assert response.status_code == 400
    learner.refresh_from_db()
    assert learner.real_name == "张三"


@pytest.mark.django_db
def test_signup_login_logout_and_password_reset(client, mailoutbox):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "wang",
            "real_name": "王五",
            "email": "wang@example.cn",
            "password1": "Xk9-long-pass",
            "password2": "Xk9-long-pass",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("courses:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("courses:dashboard")).status_code == 302
    assert (
        client.post(reverse("accounts:login"), {"username": "wang@example.cn", "password": "Xk9-long-pass"}).status_code
        == 302
    )
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:password_reset"), {"email": "wang@example.cn"})
    assert len(mailoutbox) == 1 and "/accounts/password/reset/" in mailoutbox[0].body


def test_birth_date_is_read_from_a_valid_number_only():
    assert birth_date(VALID) == dt.date(1949, 12, 31)
    assert birth_date(VALID.lower().replace("x", "0")) is None  # wrong check digit
    assert birth_date("") is None
    assert age_on(dt.date(1949, 12, 31), dt.date(2026, 12, 30)) == 76
    assert age_on(dt.date(1949, 12, 31), dt.date(2026, 12, 31)) == 77
