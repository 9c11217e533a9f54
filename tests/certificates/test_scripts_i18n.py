"""The certificates' scripts show only sentences the page hands them, translated: English in English."""

import re
from pathlib import Path

from django.conf import settings

from certificates.models import IssueJob
from tests.certificates.helpers import login
from tests.cms.test_i18n import _compiled_catalogue  # noqa: F401 - autouse: locale/en compiled for these pages

SCRIPTS = Path(settings.BASE_DIR) / "certificates" / "static" / "certificates"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def test_scripts_hold_no_chinese_text():
    scripts = sorted(SCRIPTS.glob("*.js"))
    assert scripts
    for script in scripts:
        assert not HAN.search(script.read_text(encoding="utf-8")), (
            f"{script.name}: put the text in the page, translated"
        )


def _job_page(client, organiser) -> str:
    job = IssueJob.objects.create(kind="skill_level", title="批量颁发", total=3, created_by=organiser)
    return login(client, organiser).get(f"/certificates/manage/jobs/{job.pk}/").content.decode()


def test_job_progress_sentence_comes_translated_with_placeholders(client, organiser):
    assert 'data-template="已颁发 {done}，跳过 {skipped}，失败 {failed}，共 {total}"' in _job_page(client, organiser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _job_page(client, organiser)
    assert 'data-template="{done} issued, {skipped} skipped, {failed} failed, {total} in total"' in page


def test_template_preview_status_comes_translated(client, organiser):
    url = "/certificates/manage/templates/skill_level/"
    assert 'data-busy="生成中…"' in login(client, organiser).get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'data-busy="Generating…"' in client.get(url).content.decode()
