"""courses.demo.generate: synthetic courses get their pages the way an import writes them."""

from collections import Counter

import pytest

from wagtail.models import Page, PageLogEntry

from accounts.demo import ORGANISER
from courses import services
from courses.demo import generate
from courses.demo.structure import structure_ensure
from courses.imports.pages import course_pages_create
from courses.models import Course, CoursePage, ProviderPage

pytestmark = pytest.mark.django_db


def test_generated_pages_have_unique_slugs_log_entries_and_an_owner_like_imported_ones(site, monkeypatch):
    structure_ensure()
    # Under every provider a page already holds the slug the first generated course would take.
    for parent in ProviderPage.objects.select_related("provider"):
        earlier = Course.objects.create(provider=parent.provider, code=f"OLD-{parent.pk}", title="早先的课程")
        page = services.course_page_ensure(course=earlier)
        page.slug = "gen-00001"
        page.save()
    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return course_pages_create(**kwargs)

    monkeypatch.setattr(generate, "course_pages_create", spy)

    assert generate.courses_generate(count=6) == 6

    assert sum(len(call["courses"]) for call in calls) == 6  # every page went through the import's writer
    pages = list(CoursePage.objects.filter(course__code__startswith="GEN-").select_related("owner", "course"))
    assert len(pages) == 6
    first = next(p for p in pages if p.course.code == "GEN-00001")
    assert first.slug == "gen-00001-2"
    for parent in ProviderPage.objects.all():
        slugs = list(parent.get_children().values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs))
    for page in pages:
        assert page.live and page.owner.username == ORGANISER[0]
        assert page.live_revision_id == page.latest_revision_id
        assert page.live_revision.user_id == page.owner_id
        entries = PageLogEntry.objects.filter(page=page)
        assert Counter(entries.values_list("action", flat=True)) == {"wagtail.create": 1, "wagtail.publish": 1}
        assert {e.user_id for e in entries} == {page.owner_id}
    assert len({p.first_published_at for p in pages}) == 6  # each page keeps its own publication time
    assert all(problems == [] for problems in Page.find_problems())
