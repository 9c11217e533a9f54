"""Mobile and ID numbers as people type them: spaces, dashes, +86 and full-width digits are accepted
everywhere a number is asked for (sign-up, profile, the admin's user form, provider staff by number),
and stored in one form (accounts/phones.py, accounts/idcard.py)."""

import pytest

from django.urls import reverse

from accounts.idcard import normalise
from accounts.phones import is_mobile, mask_phone, normalise_phone
from courses.models import ProviderMembership
from tests.factories import UserFactory

ID = "11010519491231002X"
TYPED_PHONES = ["138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "(+86) 138.0013.8000", "１３８００１３８０００"]
TYPED_IDS = [
    "110105 19491231 002x",
    "110105-19491231-002X",
    "１１０１０５１９４９１２３１００２Ｘ",
    " 11010519491231002x ",
]


@pytest.mark.parametrize("typed", TYPED_PHONES)
def test_typed_mobile_numbers_become_eleven_digits(typed):
    assert normalise_phone(typed) == "13800138000" and is_mobile(normalise_phone(typed))


@pytest.mark.parametrize("typed", ["12345", "1380013800", "23800138000", "138 0013 800a", "+1 415 555 0100"])
def test_what_is_not_a_mobile_number_stays_refused(typed):
    assert not is_mobile(normalise_phone(typed))


@pytest.mark.parametrize("typed", TYPED_IDS)
def test_typed_id_numbers_become_eighteen_characters(typed):
    assert normalise(typed) == ID


@pytest.mark.django_db
@pytest.mark.parametrize(("phone", "id_number"), list(zip(TYPED_PHONES[:4], TYPED_IDS, strict=True)))
def test_the_profile_accepts_numbers_as_typed(client, learner, phone, id_number):
    client.force_login(learner)
    data = {"real_name": "张三", "email": "zs@example.cn", "phone": phone, "id_number": id_number}
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    learner.refresh_from_db()
    assert (learner.phone, learner.id_number) == ("13800138000", ID)


@pytest.mark.django_db
def test_the_profile_still_refuses_a_wrong_number_and_an_over_long_one(client, learner):
    client.force_login(learner)
    for phone in ("138 0013 800", "1" * 31):
        response = client.post(reverse("accounts:profile"), {"real_name": "张三", "email": "a@b.cn", "phone": phone})
        assert response.status_code == 400
    learner.refresh_from_db()
    assert learner.phone == ""


@pytest.mark.django_db
def test_sign_up_with_identity_accepts_numbers_as_typed(client, settings):
    settings.CERTIFICATE_REQUIRES_IDENTITY = True
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "wang",
            "real_name": "王五",
            "email": "wang@example.cn",
            "phone": "+86 138-0013-8000",
            "id_number": "110105 19491231 002x",
            "password1": "Xk9-long-pass",
            "password2": "Xk9-long-pass",
        },
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.filter(username="wang", phone="13800138000", id_number=ID).exists()


@pytest.mark.django_db
def test_the_user_admin_accepts_numbers_as_typed(client, organiser, learner):
    client.force_login(organiser)
    data = {
        "username": learner.username,
        "email": learner.email,
        "real_name": "张三",
        "phone": "+86 138 0013 8000",
        "id_number": "110105-19491231-002x",
        "is_active": "on",
    }
    assert client.post(reverse("wagtailusers_users:edit", args=[learner.pk]), data).status_code == 302
    learner.refresh_from_db()
    assert (learner.phone, learner.id_number) == ("13800138000", ID)


@pytest.mark.django_db
def test_provider_staff_are_found_by_a_number_typed_with_spaces(client, organiser, provider_a):
    wang = UserFactory(username="wang", phone="13800000001")
    client.force_login(organiser)
    client.post(reverse("courses_provider:staff", args=[provider_a.pk]), {"account": "+86 138 0000 0001"})
    assert list(ProviderMembership.objects.values_list("user", flat=True)) == [wang.pk]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("17171426766", "171****6766"), ("13800138000", "138****8000"), ("1234567", "*******"), ("123", "***"), ("", "")],
)
def test_a_masked_number_keeps_the_first_three_and_the_last_four_digits(value, shown):
    assert mask_phone(value) == shown
