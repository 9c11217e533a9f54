"""Public verification: the page, the JSON credential and status, typed codes, the rate limit."""

import json

from certificates import services


def test_verify_page_shows_the_certificate_without_login(client, certificate):
    response = client.get(f"/verify/{certificate.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="valid"' in html and "有效" in html
    for text in ["张三", "110105********002X", "结业证书", certificate.number, "工业互联网平台应用", "甲培训中心"]:
        assert text in html
    assert "11010519491231002X" not in html


def test_revoked_certificate_shows_reason_and_time(client, certificate, organiser):
    services.certificate_revoke(certificate=certificate, reason="证书信息有误，已重新颁发", by=organiser)
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert 'data-state="revoked"' in html and "已撤销" in html and "证书信息有误，已重新颁发" in html
    payload = client.get(f"/verify/{certificate.code}.json").json()
    assert payload["status"]["state"] == "revoked" and payload["status"]["reason"] == "证书信息有误，已重新颁发"


def test_unknown_code_is_not_found(client, db):
    response = client.get("/verify/ABCDEFGHJKLMNPQRSTUV/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    assert client.get("/verify/ABCDEFGHJKLMNPQRSTUV.json").status_code == 404
    assert client.get("/verify/not-a-code/").status_code == 404


def test_typed_code_form_redirects_to_the_certificate(client, certificate):
    typed = " ".join([certificate.code[:5].lower(), certificate.code[5:]])
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/verify/{certificate.code}/"
    assert client.get("/verify/", {"code": "xyz"}).status_code == 404
    assert client.get("/verify/").status_code == 200


def test_json_is_the_signed_credential_and_status(client, certificate):
    payload = json.loads(client.get(f"/verify/{certificate.code}.json").content)
    assert payload["credential"] == certificate.credential
    assert payload["status"] == {"state": "valid", "label": "有效"}
    assert payload["number"] == certificate.number
    assert client.get(f"/verify/{certificate.code}.json")["Access-Control-Allow-Origin"] == "*"


def test_verification_is_rate_limited_per_address(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 30
    for _ in range(30):
        assert client.get(f"/verify/{certificate.code}/").status_code == 200
    blocked = client.get(f"/verify/{certificate.code}/")
    assert blocked.status_code == 429 and "查询过于频繁" in blocked.content.decode()
    assert blocked["Retry-After"] == "60"
    assert client.get(f"/verify/{certificate.code}.json").status_code == 429
    other = client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200
