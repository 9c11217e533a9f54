"""Practice (模拟练习) on the console page and the device check (设备检测), in Chromium over real
WebSockets against Daphne: feedback after each answer, the end of a practice, a check that passes."""

import re

import pytest
from playwright.sync_api import expect

from django.conf import settings

from contests.services import practice as practice_services
from tests.browser.conftest import TIMEOUT_MS
from tests.contests.factories import ApprovedRegistrationFactory, RoundFactory
from tests.contests.live import session_cookie
from tests.contests.practice_helpers import practice_bank
from tests.contests.servers import Daphne, database_for_servers

pytestmark = pytest.mark.browser


def test_practice_feedback_and_the_device_check_in_a_browser(
    browser, organiser, provider_a, learner, tmp_path, results_dir, request
):
    rnd = RoundFactory(track__contest__organiser=organiser)  # a draft round: the check is open
    ApprovedRegistrationFactory(track=rnd.track, user=learner, organisation="甲公司", province="32")
    single, tf, _fill = practice_bank(rnd.track, provider_a, organiser)
    attempt = practice_services.practice_start(user=learner, track=rnd.track)
    cookie = session_cookie(learner)
    server = Daphne(database_for_servers(tmp_path), tmp_path / "daphne.log")
    context = browser.new_context(base_url=server.http, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.http}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"/contests/practice/{attempt.pk}/")
        expect(page.locator("[data-practice-label]")).to_contain_text("模拟练习")
        expect(page.locator("[data-conn]")).to_have_attribute("data-state", "open")
        page.locator(f'input[name="q-{single.pk}"][value="{single.answer[0]}"]').check()
        assert page.locator(f"#q-{single.pk} [data-feedback]").text_content() == ""  # nothing sent yet
        page.locator(f"#q-{single.pk} [data-submit]").click()
        feedback = page.locator(f"#q-{single.pk} [data-feedback]")
        expect(feedback).to_have_attribute("data-correct", "true")
        expect(feedback).to_contain_text("正确答案：A")
        expect(feedback).to_contain_text("A 是正确选项")
        expect(page.locator(f"#q-{single.pk} [data-submit]")).to_be_disabled()  # answered once
        page.locator(f'input[name="q-{tf.pk}"][value="true"]').check()
        page.locator(f"#q-{tf.pk} [data-submit]").click()
        expect(page.locator(f"#q-{tf.pk} [data-feedback]")).to_have_attribute("data-correct", "false")
        expect(page.locator(f"#q-{tf.pk} [data-feedback]")).to_contain_text("正确答案：错误")
        page.reload()  # the feedback comes back after a reload
        expect(page.locator(f"#q-{tf.pk} [data-feedback]")).to_contain_text("回答错误")
        page.locator("[data-hand-in-start]").click()
        page.locator("[data-hand-in-confirm-yes]").click()
        expect(page.locator("[data-done-text]")).to_have_text("练习已结束：答对 1 / 3 题（已作答 2 题）。")

        page.goto(f"/contests/rounds/{rnd.pk}/device-check/")
        page.locator('[data-sample] input[type="radio"]').first.check()
        page.locator("[data-sample-submit]").click()
        expect(page.locator("[data-result] [data-passed]")).to_have_attribute("data-passed", "true")
        expect(page.locator("[data-result]")).to_contain_text(re.compile(r"网络延迟\s*\d+ 毫秒"))
        assert errors == []
    except Exception:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=results_dir / f"{name}.png", full_page=True)
        print(server.log.read_text()[-3000:])
        raise
    finally:
        context.close()
        server.stop()
