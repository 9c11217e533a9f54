"""The home page shows the catalogue's categories and newest courses, supplied by the courses template tag."""

from tests.factories import CategoryFactory


def test_home_page_lists_categories_and_the_newest_courses_linking_into_the_catalogue(client, course):
    CategoryFactory(slug="ai", name="人工智能")

    html = client.get("/").content.decode()

    catalogue_url = course.page.get_parent().get_parent().url
    assert f'action="{catalogue_url}"' in html
    assert f'href="{catalogue_url}?category=ai">人工智能</a>' in html
    assert f'<a href="{course.page.url}">{course.title}</a>' in html
    assert "最新课程" in html


def test_home_page_without_courses_leaves_out_the_newest_courses(client, site):
    html = client.get("/").content.decode()

    assert 'action="/courses/"' in html
    assert "最新课程" not in html


def test_home_page_queries_do_not_grow_with_its_course_cards(client, provider_a, django_assert_max_num_queries):
    """Six course cards with their categories cost the same queries as one (nothing read per card)."""
    from tests.conftest import build_course
    from tests.factories import CategoryFactory

    category = CategoryFactory(slug="iiot", name="工业互联网")
    first = build_course(provider_a, code="C-1", lessons=0, with_quiz=False)
    first.category = category
    first.save()
    client.get("/")  # warm per-process caches (site, settings)
    with django_assert_max_num_queries(100) as one:
        client.get("/")
    for i in range(2, 7):
        course = build_course(provider_a, code=f"C-{i}", lessons=0, with_quiz=False)
        course.category = CategoryFactory(slug=f"cat-{i}", name=f"分类{i}")
        course.save()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/")


def _card(html: str, course) -> str:
    """The card of `course` on a page: from its <article> to the end of that article."""
    link = f'<a href="{course.page.url}">{course.title}</a>'
    start = html.rindex('<article class="course-card">', 0, html.index(link))
    return html[start : html.index("</article>", start)]


def test_home_and_catalogue_cards_look_the_same_generated_cover_included(client, provider_a):
    """One card (courses/includes/course_card.html) wherever a course is shown: the newest and the
    精品课程 of the home page carry the same cover image as the catalogue's cards, not a gradient."""
    import datetime as dt

    from courses.demo.structure import cover_ensure
    from courses.models import FeaturedCourse, featured_today
    from tests.conftest import build_course

    courses = [build_course(provider_a, code=f"C-{i}", title=f"课程{i}", lessons=0, with_quiz=False) for i in (1, 2)]
    for course in courses:
        course.cover = cover_ensure(
            title=f"cover {course.code}",
            heading=course.title,
            label="工业互联网",
            colour=(30, 90, 160),
            collection=provider_a.collection,
            filename=f"cover-{course.code}.png",
        )
        course.save(update_fields=["cover"])
    today = featured_today()
    FeaturedCourse.objects.create(
        course=courses[0],
        title="2026年度精品课程",
        citation="内容扎实",
        starts_on=today,
        ends_on=today + dt.timedelta(1),
    )
    home = client.get("/").content.decode()
    catalogue = client.get("/courses/").content.decode()
    for course in courses:
        card = _card(home, course)
        assert '<img src="' in card and "/images/" in card, card
        assert card == _card(catalogue, course)
