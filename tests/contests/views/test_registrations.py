"""The organiser's registration pages at scale (contests/views/registrations.py): closed to everyone
else, crafted requests, the filtered bulk decision, the export's masking and formula cells, the
entry-rule page and the list upload."""

import io

import pytest
from openpyxl import load_workbook

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import organiser_group
from contests.models import AuditLog, Registration, RegistrationImport, TrackEligibility
from tests.contests.eligibility_data import verified_person
from tests.contests.factories import ContestFactory, RegistrationFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track():
    return TrackFactory(contest__name="甲大赛")


@pytest.fixture
def plain_organiser(db):
    """An organiser (the 组织者 group) who is not staff: ID numbers reach them masked."""
    user = UserFactory(username="org2", real_name="组委会乙")
    user.groups.add(organiser_group())
    return user


def review_url(track):
    return reverse("contests:review_registrations", args=[track.pk])


@pytest.mark.parametrize(
    "name", ["review_registrations", "export_registrations", "import_registrations", "import_template", "eligibility"]
)
def test_the_pages_are_closed_to_contestants_and_other_contests_owners(client, track, learner, name):
    other_owner = ContestFactory(name="乙大赛").organiser  # owns another contest, not an organiser here
    url = reverse(f"contests:{name}", args=[track.pk])
    assert client.get(url).status_code == 302
    for user in (learner, other_owner):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"decision": "approve", "scope": "filtered"}).status_code == 403


def test_a_contestant_posting_a_bulk_decision_changes_nothing(client, track, learner):
    mine = RegistrationFactory(track=track, user=learner)
    client.force_login(learner)
    response = client.post(review_url(track), {"decision": "approve", "scope": "selected", "registration": [mine.pk]})
    assert response.status_code == 403
    assert Registration.objects.get(pk=mine.pk).status == "pending"


def test_crafted_ids_of_another_track_or_contest_are_skipped_untouched(client, track, organiser):
    own = RegistrationFactory(track=track)
    foreign = RegistrationFactory(track=TrackFactory())
    client.force_login(organiser)
    response = client.post(
        review_url(track),
        {"decision": "approve", "scope": "selected", "registration": [own.pk, foreign.pk, "abc", "9" * 40]},
    )
    assert response.status_code == 200
    assert 'data-done="1"' in response.text and 'data-skipped="1"' in response.text
    assert Registration.objects.get(pk=foreign.pk).status == "pending"
    assert Registration.objects.get(pk=own.pk).status == "approved"
    assert "乙大赛" not in response.text


def test_an_unknown_track_is_a_404(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("contests:review_registrations", args=[10**9])).status_code == 404


def test_all_matching_the_filter_are_decided_and_no_others(client, track, organiser):
    jiangsu = [RegistrationFactory(track=track, province="32") for _ in range(3)]
    guangdong = RegistrationFactory(track=track, province="44")
    client.force_login(organiser)
    url = review_url(track) + "?province=32"
    page = client.get(url)
    assert page.status_code == 200 and f'data-registration="{guangdong.pk}"' not in page.text
    response = client.post(url, {"decision": "reject", "scope": "filtered", "note": "名额已满"})
    assert 'data-done="3"' in response.text
    assert set(Registration.objects.filter(status="rejected").values_list("pk", flat=True)) == {r.pk for r in jiangsu}
    assert Registration.objects.get(pk=guangdong.pk).status == "pending"


def test_an_ineligible_registration_cannot_be_approved_through_a_crafted_request(client, track, organiser):
    """The form never offers it, but a POST naming it anyway meets the same rule (single and bulk)."""
    young = RegistrationFactory(track=track, user=verified_person("20100101"))
    TrackEligibility.objects.create(track=track, min_age=18)
    client.force_login(organiser)
    response = client.post(review_url(track), {"decision": "approve", "scope": "selected", "registration": [young.pk]})
    assert "年龄不符合条件" in response.text and 'data-done="0"' in response.text
    client.post(reverse("contests:registrations", args=[track.pk]), {"registration": young.pk, "action": "approve"})
    assert Registration.objects.get(pk=young.pk).status == "pending"


def test_a_reason_is_bounded_and_a_bad_decision_is_refused(client, track, organiser):
    row = RegistrationFactory(track=track)
    client.force_login(organiser)
    assert client.post(review_url(track), {"decision": "delete", "registration": [row.pk]}).status_code == 400
    assert (
        client.post(
            review_url(track), {"decision": "reject", "scope": "selected", "registration": [row.pk], "note": "x" * 5000}
        ).status_code
        == 400
    )
    assert Registration.objects.get(pk=row.pk).status == "pending"


def _sheet(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_the_export_masks_id_numbers_for_non_staff_and_neutralises_formulas(client, track, organiser, plain_organiser):
    person = verified_person("19900101", real_name="=cmd|' /C calc'!A0")
    RegistrationFactory(track=track, user=person, organisation="+SUM(A1)", province="32")
    RegistrationFactory(track=track, province="44", organisation="@evil")
    client.force_login(plain_organiser)
    rows = _sheet(client.get(reverse("contests:export_registrations", args=[track.pk]) + "?province=32"))
    assert len(rows) == 2  # the header and the one row of 江苏
    cells = rows[1]
    assert person.id_number not in cells and "110105********" + person.id_number[-4:] in cells
    assert "'=cmd|' /C calc'!A0" in cells and "'+SUM(A1)" in cells
    assert not any(isinstance(c, str) and c[:1] in "=+-@" for c in cells)
    client.force_login(organiser)  # staff: the number in full
    assert person.id_number in _sheet(client.get(reverse("contests:export_registrations", args=[track.pk])))[1]


def test_the_entry_rules_are_edited_on_the_tracks_page_and_audited(client, track, organiser):
    client.force_login(organiser)
    url = reverse("contests:eligibility", args=[track.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"min_age": "40", "max_age": "20"})
    assert bad.status_code == 400 and not TrackEligibility.objects.exists()
    client.post(url, {"min_age": "18", "max_age": "35", "min_skill_level": "3", "occupations": "电工、钳工"})
    rules = TrackEligibility.objects.get(track=track)
    assert (rules.min_age, rules.max_age, rules.min_skill_level, rules.occupations) == (18, 35, 3, "电工、钳工")
    assert AuditLog.objects.filter(action="track.eligibility").count() == 1


def test_uploading_a_list_then_confirming_it(client, track, organiser):
    UserFactory(username="a1", real_name="甲")
    client.force_login(organiser)
    data = "用户名,姓名,工作单位,省份\na1,甲,甲公司,江苏\nghost,某,甲公司,江苏\n".encode("gbk")
    response = client.post(
        reverse("contests:import_registrations", args=[track.pk]),
        {"file": SimpleUploadedFile("名单.csv", data), "approve": "on"},
    )
    upload = RegistrationImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "contests:import_preview", args=[upload.track_id, upload.pk]
    )
    preview = client.get(response.url)
    assert "找不到用户名为“ghost”的账号" in preview.text
    fingerprint = preview.context["plan"].fingerprint
    refused = client.post(response.url, {"fingerprint": fingerprint})
    assert refused.status_code == 400 and not Registration.objects.exists()
    client.post(response.url, {"fingerprint": fingerprint, "accept_partial": "on"})
    assert Registration.objects.get().source == "imported"
    assert client.post(response.url, {"fingerprint": fingerprint, "accept_partial": "on"}).status_code == 200
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (5 * 1024 * 1024 + 10), "文件太大"),
        (b"\x00\x81\xff\xfe" * 1000, ""),
    ],
)
def test_a_huge_or_unreadable_file_is_refused_without_a_500(client, track, organiser, content, message):
    client.force_login(organiser)
    response = client.post(
        reverse("contests:import_registrations", args=[track.pk]), {"file": SimpleUploadedFile("list.csv", content)}
    )
    assert response.status_code == 400 and message in response.text
    assert not RegistrationImport.objects.exists()


def test_the_registration_form_shows_the_rules_and_takes_the_occupation(client, track, learner):
    TrackEligibility.objects.create(track=track, occupations="电工、钳工")
    client.force_login(learner)
    url = reverse("contests:register", args=[track.pk])
    assert "职业（工种）限电工、钳工" in client.get(url).text
    refused = client.post(url, {"organisation": "甲公司", "province": "32", "occupation": "车工"})
    assert "“车工”不符合条件" in refused.text and not Registration.objects.exists()
    client.post(url, {"organisation": "甲公司", "province": "32", "occupation": "钳工"})
    assert Registration.objects.get().occupation == "钳工"


def test_the_bulk_page_offers_the_scope_as_radio_buttons(client, track, organiser):
    """The choice between the ticked rows and every row matching the filters is a pair of radio buttons
    (a Select widget's choices rendered one by one would be bare <option>s, and no scope could be sent)."""
    client.force_login(organiser)
    body = client.get(review_url(track)).content.decode()
    assert body.count('type="radio" name="scope"') == 2
    assert 'value="selected"' in body and 'value="filtered"' in body and '<option value="filtered"' not in body
