from django.conf import settings
from django.utils import translation
from django.views.defaults import page_not_found

from wagtail.models import Page
from wagtail.permissions import page_permission_policy


class DefaultLanguageMiddleware:
    """zh-hans unless the visitor chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a
    Chinese-first site should not turn English because a browser is set up so.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


class AdminPageScopeMiddleware:
    """Another provider's pages are not found in the admin, as its records are not (README: 404).

    Wagtail answers a page its user may not edit with a redirect to the dashboard and 对不起，您没有权限
    访问这里, which confirms that the page exists. Here every admin URL that names a page (edit, history,
    revisions, delete, move, copy, add a child, browse it) answers 404 when the page lies outside what
    the user may explore: the subtrees the user has page permissions on, and their ancestors (a provider's
    staff browse down from the catalogue to their own subtree, so those keep Wagtail's own answer).
    Superusers see every page; people without admin access are sent to log in by Wagtail as before.
    """

    PAGE_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
    EXPLORER = ("wagtailadmin_explore", "wagtailadmin_explore_results")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not (match.namespace == "wagtailadmin_pages" or match.url_name in self.EXPLORER):
            return None
        user = request.user
        if not user.is_authenticated or user.is_superuser or not user.has_perm("wagtailadmin.access_admin"):
            return None
        ids = [view_kwargs[name] for name in self.PAGE_KWARGS if name in view_kwargs]
        if all(_may_know(user, page_id) for page_id in ids):
            return None
        return page_not_found(request, None, template_name="wagtailadmin/404.html")


def _may_know(user, page_id: int) -> bool:
    """The page is one the user may explore, or an ancestor of one (an unknown id is Wagtail's 404)."""
    path = Page.objects.filter(pk=page_id).values_list("path", flat=True).first()
    if path is None:
        return True
    return page_permission_policy.explorable_instances(user).filter(path__startswith=path).exists()
