"""What other pages show of the course catalogue; the home page (cms) uses it without importing courses."""

from django import template

from courses.models import Category, Course, CourseCatalogPage

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_showcase(context, count: int = 6) -> dict:
    """The catalogue page, the categories and the `count` most recently published courses (each with its url)."""
    request = context.get("request")
    latest = (
        Course.objects.published().select_related("provider", "category", "page").order_by("-page__first_published_at")
    )
    latest = latest[:count]
    for course in latest:
        course.url = course.page.get_url(request)
    return {
        "catalogue": CourseCatalogPage.objects.live().first(),
        "categories": Category.objects.all(),
        "latest_courses": latest,
    }
