"""Playwright against pytest-django's live server: Debian's Chromium, a fresh context per test,
a screenshot (and the page's HTML) in test-results/ when a test fails.

Requesting `live_server` makes a test transactional (`transactional_db`): the server thread must
see the test's rows, so nothing is rolled back; every table is flushed afterwards instead,
including the rows Wagtail's migrations created (locale, root page, root collection). pytest-django
runs transactional tests after the `db` ones, so those never see the flush. The browser tests put
Wagtail's root rows back before they start (another transactional test may have flushed them) and
after the module's last test, so a transactional test that runs later can still call `site_ensure()`.
(`serialized_rollback` would reload every migration row instead, but fails on duplicate content
types whenever an ordinary transactional test has flushed the database before it.)
"""

import os
import re

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="module", autouse=True)
def _allow_sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test's thread, so Django takes the
    test's own ORM calls (reading answers, flushing the database) for calls from async code. Allowed
    only while browser tests run, so the check stays on for the rest of the suite."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _wagtail_roots_ensure():
    """What Wagtail's migrations create and every page, image or document hangs off."""
    from django.conf import settings

    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    if not Locale.objects.exists():
        Locale.objects.create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root"))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


@pytest.fixture(scope="module", autouse=True)
def _wagtail_roots_after_module(_allow_sync_orm_beside_playwright, django_db_blocker):
    state = {"flushed": False}
    yield state
    if state["flushed"]:  # only then does the test database exist
        with django_db_blocker.unblock():
            _wagtail_roots_ensure()


@pytest.fixture(autouse=True)
def _wagtail_roots(transactional_db, _wagtail_roots_after_module):
    _wagtail_roots_ensure()
    _wagtail_roots_after_module["flushed"] = True


@pytest.fixture(scope="module")
def browser(_allow_sync_orm_beside_playwright):
    # Module scope, not session: the loop must be gone before async tests in other modules run.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def results_dir(request):
    path = request.config.rootpath / "test-results"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def page(request, browser, live_server, results_dir):
    """A page in a fresh context (no cookies) whose relative URLs go to the live server.

    The browser asks for English: the site must still answer in Chinese until the visitor picks
    another language with the switcher.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    # Keep the favicon request away from the server: it would share the in-memory SQLite
    # connection with the test thread at an unpredictable moment.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    reports = request.node.stash.get(_reports, {})
    if any(report.failed for report in reports.values()):
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=results_dir / f"{name}.png", full_page=True)
            (results_dir / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test's failure
            print(f"screenshot failed: {exc!r}")
    context.close()
