"""Another provider's page is not found in the admin (404), like its records; Wagtail's redirect and
"no permission" message would confirm that it exists (cms.middleware.AdminPageScopeMiddleware)."""

import pytest

from django.urls import reverse

from wagtail.models import Page

from courses.models import CourseCatalogPage
from tests.conftest import build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(provider_a, provider_b):
    own = build_course(provider_a).page
    other = build_course(provider_b, title="乙机构数控编程", code="CNC-201").page
    return own, other


def _urls(page, target) -> list[str]:
    revision = page.latest_revision
    return [
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        reverse("wagtailadmin_pages:history", args=[page.pk]),
        reverse("wagtailadmin_pages:revisions_index", args=[page.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk]),
        reverse("wagtailadmin_pages:delete", args=[page.pk]),
        reverse("wagtailadmin_pages:copy", args=[page.pk]),
        reverse("wagtailadmin_pages:move", args=[page.pk]),
        reverse("wagtailadmin_pages:move_confirm", args=[target.pk, page.get_parent().pk]),
        reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[page.get_parent().pk]),
        reverse("wagtailadmin_pages:add", args=["courses", "coursepage", page.get_parent().pk]),
        reverse("wagtailadmin_explore", args=[page.get_parent().pk]),
        reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
    ]


def test_another_providers_pages_are_not_found(client, staff_a, pages):
    own, other = pages
    client.force_login(staff_a)
    for url in _urls(other, own):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("wagtailadmin_pages:delete", args=[other.pk]))
    assert response.status_code == 404
    assert Page.objects.filter(pk=other.pk).exists()


def test_own_pages_open_as_before(client, staff_a, pages):
    own, _other = pages
    client.force_login(staff_a)
    for url in (
        reverse("wagtailadmin_pages:edit", args=[own.pk]),
        reverse("wagtailadmin_pages:history", args=[own.pk]),
        reverse("wagtailadmin_explore", args=[own.get_parent().pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_way_down_to_the_own_subtree_keeps_wagtails_answer(client, staff_a, pages):
    """The catalogue and the home page are ancestors of the staff's subtree: public, and what Wagtail
    says there is unchanged, now with 您 (locale/zh_Hans)."""
    catalogue = CourseCatalogPage.objects.get()
    client.force_login(staff_a)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[catalogue.pk]), follow=True)
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    text = response.content.decode()
    assert "对不起，您没有权限访问这里。" in text


def test_organisers_see_every_providers_pages(client, organiser, pages):
    _own, other = pages
    client.force_login(organiser)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[other.pk])).status_code == 200


def test_an_unknown_page_is_wagtails_own_404_and_visitors_are_sent_to_log_in(client, staff_a, pages):
    _own, other = pages
    assert client.get(reverse("wagtailadmin_pages:edit", args=[other.pk])).status_code == 302
    client.force_login(staff_a)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[999_999])).status_code == 404
