"""The printable monthly report (/stats/report/<YYYY-MM>.pdf) against the hand-counted world."""

import pytest

from stats.services import snapshot_take
from tests.certificates.helpers import pdftotext
from tests.stats.conftest import APRIL, MARCH


@pytest.fixture
def snapshots(refreshed):
    return snapshot_take(month=MARCH), snapshot_take(month=APRIL)


def _pdf(client, user, month="2026-03", **params):
    client.force_login(user)
    response = client.get(f"/stats/report/{month}.pdf", params)
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_smoke(client, people, snapshots):
    pdf = _pdf(client, people["organiser"])
    open("/tmp/rep/march.pdf", "wb").write(pdf)
    print(pdftotext(pdf))
