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
