"""The pool's pages: organisers only, except an expert's own page and their fellow judges' (masked
contacts); the assignment page shows 回避 with the reason and forged ids find nothing."""

import pytest

from contests.models import TrackJudge
from experts import services
from experts.models import Expert, ExpertConflict
from tests.experts.conftest import make_expert
from tests.experts.test_import import GOOD, xlsx
from tests.factories import UserFactory


@pytest.fixture
def pool(draft_round, organiser, company_a, company_c):
    """钱文博 (丙公司) judges the track beside `judge`; 孙立新 (甲公司, like 张三) must recuse; 冯雪梅 has no account."""
    qian = make_expert(
        "钱文博",
        company_c,
        username="qian",
        phone="13900001238",
        email="qian@example.com",
        qualifications="national_judge",
    )
    services.pool_assign(track=draft_round.track, expert=qian, by=organiser)
    sun = make_expert("孙立新", company_a, username="sun", phone="13900001239")
    feng = make_expert("冯雪梅", company_c, phone="13900001240")
    return {"qian": qian, "sun": sun, "feng": feng}


def url(name, *args):
    from django.urls import reverse

    return reverse(f"experts:{name}", args=args)


def test_the_assignment_page_shows_the_recusal_and_its_reason(client, organiser, draft_round, pool):
    client.force_login(organiser)
    page = client.get(url("track_judges", draft_round.track_id)).content.decode()
    assert f'data-expert="{pool["sun"].pk}" data-state="recused"' in page
    assert "与选手张三同一单位（甲公司）" in page
    assert f'data-expert="{pool["qian"].pk}" data-state="assigned"' in page
    assert f'data-expert="{pool["feng"].pk}" data-state="no-account"' in page
    available = client.get(url("track_judges", draft_round.track_id), {"available": "on"}).content.decode()
    assert "孙立新" not in available.split('id="candidates"')[1]


def test_search_and_filters(client, organiser, draft_round, pool):
    client.force_login(organiser)
    found = client.get(url("list"), {"q": "丙公司"}).content.decode()
    assert "钱文博" in found and "冯雪梅" in found and "孙立新" not in found
    judges = client.get(url("list"), {"qualification": "national_judge"}).content.decode()
    assert "钱文博" in judges and "冯雪梅" not in judges
    assert "钱文博" not in client.get(url("list"), {"province": "44"}).content.decode()


def test_organisers_assign_and_name_a_chief_judge(client, organiser, draft_round, pool, judge):
    client.force_login(organiser)
    page = url("track_judges", draft_round.track_id)
    response = client.post(page, {"action": "assign", "expert": pool["sun"].pk}, follow=True)
    assert "须回避" in response.content.decode()
    assert not TrackJudge.objects.filter(judge=pool["sun"].user).exists()
    client.post(page, {"action": "chief", "judge": pool["qian"].user_id})
    assert TrackJudge.objects.get(track=draft_round.track, is_chief=True).judge == pool["qian"].user
    client.post(page, {"action": "unassign", "judge": judge.pk})
    assert not TrackJudge.objects.filter(judge=judge).exists()


@pytest.mark.parametrize("forged", ["999999", "-1", "abc", "9" * 40, ""])
def test_forged_ids_find_nothing(client, organiser, draft_round, pool, forged):
    client.force_login(organiser)
    page = url("track_judges", draft_round.track_id)
    for data in ({"action": "assign", "expert": forged}, {"action": "chief", "judge": forged}):
        assert client.post(page, data).status_code == 404
    # a user who is not a judge of this track, by a real id
    assert client.post(page, {"action": "chief", "judge": pool["sun"].user_id}).status_code == 404
    assert client.get(url("track_judges", 10**30)).status_code == 404
    assert client.post(page, {"action": "explode"}).status_code == 400


@pytest.mark.parametrize("role", ["anonymous", "learner", "staff_a", "judge"])
def test_the_pool_pages_are_for_organisers_only(client, draft_round, pool, role, learner, staff_a, judge):
    people = {"learner": learner, "staff_a": staff_a, "judge": judge}
    if role != "anonymous":
        client.force_login(people[role])
    for page in (
        url("list"),
        url("import_upload"),
        url("import_template", "xlsx"),
        url("track_judges", draft_round.track_id),
    ):
        assert client.get(page).status_code in (302, 403)
    response = client.post(url("track_judges", draft_round.track_id), {"action": "assign", "expert": pool["sun"].pk})
    assert response.status_code in (302, 403)
    assert TrackJudge.objects.filter(track=draft_round.track).count() == 2


def test_a_fellow_judge_sees_the_expert_without_contact_details(client, judge, pool, organiser):
    page = url("detail", pool["qian"].pk)
    client.force_login(judge)
    html = client.get(page).content.decode()
    assert "钱文博" in html and "139****1238" in html and "q***@example.com" in html
    assert "13900001238" not in html and "qian@example.com" not in html
    assert 'id="conflict-form"' not in html
    assert client.post(page, {"organisation": "甲公司", "reason": "试图申报"}).status_code == 403
    assert not ExpertConflict.objects.exists()
    client.force_login(organiser)
    assert "13900001238" in client.get(page).content.decode()


@pytest.mark.parametrize("role", ["learner", "staff_a", "other_judge"])
def test_anyone_else_finds_no_expert_page(client, pool, role, learner, staff_a):
    people = {"learner": learner, "staff_a": staff_a, "other_judge": UserFactory(username="judge_elsewhere")}
    client.force_login(people[role])
    assert client.get(url("detail", pool["sun"].pk)).status_code == 404
    assert client.get(url("detail", 10**12)).status_code == 404


def test_an_expert_sees_their_history_and_declares_a_conflict(client, pool, draft_round):
    expert = pool["qian"]
    client.force_login(expert.user)
    html = client.get(url("detail", expert.pk)).content.decode()
    assert "13900001238" in html and f'data-round="{draft_round.pk}"' in html
    assert 'name="username"' not in html  # only organisers name a person (no look-up of accounts for others)
    client.post(url("detail", expert.pk), {"organisation": "甲公司", "reason": "曾在该单位任职"})
    assert ExpertConflict.objects.get(expert=expert).organisation.name == "甲公司"


def test_the_import_pages_walk_from_upload_to_done(client, organiser, company_c):
    client.force_login(organiser)
    response = client.post(url("import_upload"), {"file": _upload(xlsx([GOOD]))})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "新增" in preview.content.decode()
    fingerprint = preview.context["plan"].fingerprint
    done = client.post(response["Location"], {"fingerprint": fingerprint}, follow=True)
    assert "新增 1 位" in done.content.decode()
    assert Expert.objects.filter(name="周建华").exists()
    bad = client.post(url("import_upload"), {"file": _upload(b"not a spreadsheet", "x.xlsx")})
    assert bad.status_code == 400


def _upload(data: bytes, name="专家.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_admin_menu_leads_organisers_to_the_pool(client, organiser, staff_a):
    client.force_login(organiser)
    admin = client.get("/admin/").content.decode()
    assert "&quot;/experts/&quot;" in admin or '"/experts/"' in admin  # the sidebar's data
    client.force_login(staff_a)
    assert client.get("/admin/experts/experts/").status_code in (302, 403)


def test_the_admin_track_form_refuses_a_recused_judge_as_a_form_error(client, organiser, draft_round, pool, judge):
    track = draft_round.track
    client.force_login(organiser)
    data = {
        "contest": track.contest_id,
        "name": track.name,
        "slug": track.slug,
        "kind": "individual",
        "team_size_max": "1",
        "sort_order": "0",
        "theory_weight": "30",
        "practical_weight": "70",
        "award_mode": "rank",
        "award_first": "1",
        "award_second": "2",
        "award_third": "3",
        "award_merit": "0",
        "judge_users": [judge.pk, pool["qian"].user_id, pool["sun"].user_id],
    }
    response = client.post(f"/admin/contests/tracks/edit/{track.pk}/", data)
    assert response.status_code == 200
    assert "须回避" in response.content.decode()
    assert not TrackJudge.objects.filter(judge=pool["sun"].user).exists()


@pytest.fixture
def professor(company_c):
    """吴海燕: the 教授 badge, and 教授 typed again in the free-text 职称 beside 博士生导师."""
    return make_expert(
        "吴海燕", company_c, phone="13900001241", qualifications="national_judge professor", titles="教授、博士生导师"
    )


def _qualification_cell(page: str, expert) -> str:
    row = page.split(f'data-expert="{expert.pk}"')[1].split("</tr>")[0]
    return row.split("<td>")[4]  # 姓名, 工作单位, 地区, then 资格


def test_a_qualification_is_shown_once_not_again_as_a_title(client, organiser, professor):
    client.force_login(organiser)
    listed = _qualification_cell(client.get(url("list")).content.decode(), professor)
    assert listed.count("教授") == 1 and "国家级裁判" in listed and "博士生导师" in listed
    detail = client.get(url("detail", professor.pk)).content.decode()
    line = detail.split("资格：")[1].split("</p>")[0]
    assert line.count("教授") == 1 and "国家级裁判" in line and "博士生导师" in line


def test_in_english_the_badge_is_translated_and_the_typed_title_not_repeated(client, organiser, professor, settings):
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(organiser)
    try:
        line = client.get(url("detail", professor.pk)).content.decode().split("</h1>")[1].split("</p>")[1]
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    assert "Professor" in line and "教授" not in line and "博士生导师" in line


def test_a_title_alone_is_shown_without_a_dash(client, organiser, company_c):
    expert = make_expert("陈默", company_c, phone="13900001242", titles="正高级工程师")
    client.force_login(organiser)
    line = client.get(url("detail", expert.pk)).content.decode().split("资格：")[1].split("</p>")[0]
    assert line.strip() == "正高级工程师"
