"""What other pages show of the course catalogue; the home page (cms) uses it without importing courses."""

from django import template

from courses.models import Category, CourseCatalogPage
from courses.selectors import home_showcase

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_showcase(context, count: int = 6) -> dict:
    """The catalogue page, the categories, the current 精品课程 (with their citations) and the `count`
    most recently published other courses (each with its url and 精品 badge)."""
    request = context.get("request")
    return {
        "catalogue": CourseCatalogPage.objects.live().first(),
        "categories": Category.objects.all(),
        **home_showcase(request, featured_count=count, latest_count=count),
    }
