"""The question bank (课程管理 › 题库) and contest papers: a bank question a paper uses is not deleted;
the page says which round holds it instead of failing."""

import pytest

from contests import services
from courses.models import Question
from tests.courses.views.helpers import admin_url
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_the_bank_refuses_to_delete_a_question_a_started_paper_uses(client, staff_a, organiser, running_round, paper):
    client.force_login(staff_a)
    url = admin_url("courses_question", "delete", paper[0])
    shown = client.get(url, follow=True).content.decode()
    assert "不能删除" in shown and "确认删除" not in shown
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "不能删除" in response.content.decode()
    assert Question.objects.filter(pk=paper[0].pk).exists()


def test_the_bank_asks_to_take_a_question_off_a_draft_paper_first(client, staff_a, draft_round, paper):
    client.force_login(staff_a)
    response = client.post(admin_url("courses_question", "delete", paper[0]), follow=True)
    assert response.status_code == 200 and "请组织者先从试卷中移除该题" in response.content.decode()
    assert Question.objects.filter(pk=paper[0].pk).exists()


def test_a_question_no_paper_uses_is_deleted_as_before(client, staff_a, provider_a, organiser, draft_round):
    question = QuestionFactory(provider=provider_a)
    line = services.paper_question_add(round=draft_round, question=question, score=1, order=9, by=organiser)
    services.paper_question_remove(round_question=line, by=organiser)
    client.force_login(staff_a)
    assert client.post(admin_url("courses_question", "delete", question)).status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
