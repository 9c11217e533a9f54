"""The organiser's round console and check-in page in English: no Chinese punctuation outside the
translated strings ("Control console：Round 1", "(12-07 18:05 组委会)" read as broken)."""

import re

import pytest

from django.conf import settings
from django.urls import reverse

from contests import services
from tests.cms.test_i18n import _compiled_catalogue  # noqa: F401  (compiles locale/en for this module)

pytestmark = pytest.mark.django_db

FULL_WIDTH = re.compile(r"[：；（）]")


def _visible_text(html: str) -> str:
    """The page's text as shown: no scripts (the JSON config), styles, tags or attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("chinese", [False, True])
def test_round_console_and_check_in_pages_have_no_chinese_punctuation_in_english(
    client, running_round, entry, other_entry, organiser, chinese
):
    services.entries_check_in(round=running_round, entry_ids=[entry.pk, other_entry.pk], by=organiser)
    check_in = reverse("contests:check_in", args=[running_round.pk])
    client.force_login(organiser)
    if not chinese:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(check_in, {"action": "commit"})
    client.post(check_in, {"action": "draw"})  # the check-in page then lists the draw, who and when
    pages = {
        "console": client.get(reverse("contests:console", args=[running_round.pk])),
        "check_in": client.get(check_in),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = _visible_text(response.content.decode())
        if chinese:  # the Chinese page is as it was: the full-width marks stay
            heading = "赛务控制台：" if name == "console" else "检录与座位抽签："
            assert f"{heading}{running_round}" in text
            if name == "check_in":
                assert f" {organiser.display_name}）" in text
            continue
        assert "Control console: " in text if name == "console" else "Check-in and seat draw: " in text
        found = [text[max(m.start() - 30, 0) : m.end() + 30] for m in FULL_WIDTH.finditer(text)]
        assert not found, f"Chinese punctuation on the English {name} page:\n" + "\n".join(found)
