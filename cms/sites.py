"""The request's Wagtail Site and its SiteSettings (the footer of every page), from the cache.

Wagtail finds a request's Site with a query of its own (hostname, port, default site) and
`settings.cms.SiteSettings` reads the settings row with another: two queries on every page of the
site for rows that change only when someone edits them in the admin. `SiteSettings.for_request`
(cms.models) answers both from one cache entry, (hostname, port) → (site, settings), when a page
first asks for the settings, which `forget` drops whenever a Site or SiteSettings is saved or deleted
(connected in cms.apps), so the next request reads them again. A request that shows no page (a
redirect, JSON) asks nothing.

The cache is the default one: shared by every process with REDIS_URL (production's several Daphne
processes); without it, the in-process cache of the single process that also takes the admin's edit.
`TIMEOUT` bounds how long an edit made elsewhere (a shell, another process without a shared cache)
can go unseen. The cached Site carries no root page: Wagtail's page serving reads it when it routes.
"""

from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.http.request import split_domain_port, validate_host

from wagtail.models import Site

CACHE_KEY = "cms:sites:v1"
TIMEOUT = 300
MAX_HOSTS = 50  # the Host header is the client's: a flood of made-up names must not grow the entry


def _lookup(model, hostname: str, port: int) -> tuple:
    """(site, settings) as Wagtail finds them, (None, None) without a site for the host."""
    site = _site_for(hostname, port)
    if site is None:
        return None, None
    site._state.fields_cache.pop("root_page", None)  # kept out: pages are edited without a Site save
    settings = model.for_site(site)
    settings._state.fields_cache["site"] = site
    return site, settings


def _site_for(hostname: str, port: int):
    from wagtail.models.sites import get_site_for_hostname

    try:
        return get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None


def site_and_settings(request, model) -> tuple | None:
    """(Site, `model`: the SiteSettings) of `request`, from the cache when it holds the request's host; None for a
    host the site does not serve (left to Django's ALLOWED_HOSTS answer, nothing cached)."""
    hostname = split_domain_port(request._get_raw_host())[0]
    if not validate_host(hostname, django_settings.ALLOWED_HOSTS):
        return None
    where = (hostname, request.get_port())
    known = cache.get(CACHE_KEY) or {}
    if where in known:
        return known[where]
    found = _lookup(model, *where)
    if len(known) < MAX_HOSTS:
        cache.set(CACHE_KEY, {**known, where: found}, TIMEOUT)
    return found


def forget(**kwargs) -> None:
    """A Site or SiteSettings changed: the next request reads both again. Dropped at once and again
    after the commit, so a request that read the old rows meanwhile does not keep them."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
