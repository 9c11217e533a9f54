"""The request's Site and SiteSettings come from the cache (cms/sites.py): no query of their own on a
repeated page, and an edit in the admin (a save or a delete) shows on the next request."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, Site

from cms.models import SiteSettings

pytestmark = pytest.mark.django_db

PAGE = "/verify/"  # any page of the site: the footer shows the settings


def _footer(client, **headers) -> str:
    return client.get(PAGE, **headers).content.decode().split('<footer class="site-footer">')[1]


def _default_settings() -> SiteSettings:
    return SiteSettings.for_site(Site.objects.get(is_default_site=True))


def test_a_repeated_page_reads_neither_the_site_nor_its_settings(client, site):
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    read = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in read if "wagtailcore_site" in sql or "cms_sitesettings" in sql]


def test_saved_settings_show_on_the_next_request(client, site):
    settings = _default_settings()
    settings.organiser_name = "甲主办单位"
    settings.save()
    assert "甲主办单位" in _footer(client)
    settings.organiser_name = "乙主办单位"
    settings.icp_number = "京ICP备12345678号"
    settings.save()
    footer = _footer(client)
    assert "乙主办单位" in footer and "甲主办单位" not in footer
    assert "京ICP备12345678号" in footer


def test_a_new_site_for_a_host_and_its_deletion_show_on_the_next_request(client, site, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    default = _default_settings()
    default.organiser_name = "默认主办单位"
    default.save()
    assert "默认主办单位" in _footer(client, HTTP_HOST="other.example")  # the default site answers
    other = Site.objects.create(hostname="other.example", port=80, root_page=Page.objects.get(depth=2))
    other_settings = SiteSettings.for_site(other)
    other_settings.organiser_name = "另一主办单位"
    other_settings.save()
    assert "另一主办单位" in _footer(client, HTTP_HOST="other.example")
    assert "默认主办单位" in _footer(client)
    other.delete()
    assert "默认主办单位" in _footer(client, HTTP_HOST="other.example")


def test_the_site_cache_keeps_no_root_page(client, site):
    """Pages are edited without a Site save: a cached Site must not carry its root page."""
    client.get(PAGE)
    home = Page.objects.get(depth=2).specific
    home.headline = "新的首页标题"
    home.save_revision().publish()
    assert "新的首页标题" in client.get("/").content.decode()


def test_a_host_the_site_does_not_serve_is_refused_and_not_cached(client, site, settings):
    from django.core.cache import cache

    from cms.sites import CACHE_KEY

    settings.ALLOWED_HOSTS = ["testserver"]
    client.get(PAGE)
    assert client.get(PAGE, HTTP_HOST="evil.example").status_code == 400
    assert all(host != "evil.example" for host, _port in cache.get(CACHE_KEY))
