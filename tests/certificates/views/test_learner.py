"""我的证书 and the PDF download: only one's own certificates; anonymous visitors log in first."""

import re

from django.conf import settings

from certificates import services
from tests.certificates.helpers import login
from tests.factories import UserFactory


def test_my_certificates_lists_only_mine_and_downloads(client, certificate, other_learner, organiser):
    UserFactory(username="someone")
    services.certificate_issue_skill_level(holder=other_learner, level=2, occupation="焊工", issued_by=organiser)
    html = login(client, certificate.holder).get("/certificates/").content.decode()
    assert certificate.number in html
    assert "焊工" not in html
    response = client.get(f"/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_someone_elses_certificate_is_not_found(client, certificate, other_learner):
    login(client, other_learner)
    assert client.get(f"/certificates/{certificate.pk}/pdf/").status_code == 404
    assert certificate.number not in client.get("/certificates/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, certificate):
    for url in ["/certificates/", f"/certificates/{certificate.pk}/pdf/", "/certificates/manage/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_certificates_name_the_type_in_the_chosen_language_as_the_organisers_list_does(client, certificate):
    """The type column is the kind's label, not the title stored (in Chinese) on the certificate."""
    assert certificate.snapshot["title"] == "结业证书"
    row = re.compile(r'<tr data-number="[^"]+">\s*<td>([^<]*)</td>')
    login(client, certificate.holder)
    assert row.findall(client.get("/certificates/").content.decode()) == ["结业证书"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert row.findall(client.get("/certificates/").content.decode()) == ["Certificate of completion"]
