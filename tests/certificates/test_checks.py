"""Start-up checks warn about what rendering and signing need."""

from certificates import checks


def test_missing_harfbuzz_subset_is_warned_about(monkeypatch):
    assert checks.harfbuzz_subset_check() == []  # installed on this machine (scripts/system-deps.sh)
    monkeypatch.setattr("certificates.fonts.harfbuzz_subset_available", lambda: False)
    (warning,) = checks.harfbuzz_subset_check()
    assert warning.id == "certificates.W001" and "libharfbuzz-subset0" in warning.hint


def test_bad_settings_are_errors(settings):
    assert checks.settings_check() == []
    settings.CERTIFICATE_NUMBER_PATTERN = "{kind}{serial}"
    settings.CERTIFICATE_SIGNING_KEY = "not-base64!"
    assert sorted(e.id for e in checks.settings_check()) == ["certificates.E001", "certificates.E002"]
    settings.CERTIFICATE_NUMBER_PATTERN = "{kind}{year}{serial}"
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = None
    assert [e.id for e in checks.settings_check()] == ["certificates.W003"]


def test_a_saved_template_the_sandbox_now_refuses_is_warned_about(db, organiser):
    from certificates.models import CertificateTemplate
    from certificates.templating import layout_default

    assert checks.saved_templates_check(databases=["default"]) == []
    css = layout_default("award").css
    CertificateTemplate.objects.create(
        kind="award", html="{% autoescape off %}{{ holder.name }}{% endautoescape %}", css=css
    )
    (warning,) = checks.saved_templates_check(databases=["default"])
    assert warning.id == "certificates.W004" and "autoescape" in warning.msg
    assert checks.saved_templates_check() == []  # `manage.py check` without --database reads no table
