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
