"""Certificate numbers follow the configured pattern and stay unique; codes cannot be guessed."""

import re
import string

import pytest

from django.core.exceptions import ImproperlyConfigured

from certificates import numbers, services
from certificates.models import Certificate
from tests.factories import UserFactory


def test_default_pattern_kind_year_level_serial(db):
    assert numbers.number_format(kind="skill_level", year=2026, level=3, serial=42) == "ZJ20263000042"
    assert numbers.number_format(kind="completion", year=2026, level=0, serial=7) == "JY20260000007"
    assert numbers.number_format(kind="award", year=2027, level=1, serial=1234567) == "HJ202711234567"
    assert numbers.pattern_regex().pattern == r"^[A-Z]{2}\d{4}\d\d{6,}$"


def test_pattern_is_configurable_and_validated(settings):
    settings.CERTIFICATE_NUMBER_PATTERN = "GX-{kind}-{year}-{serial:05d}"
    assert numbers.number_format(kind="award", year=2026, level=2, serial=3) == "GX-HJ-2026-00003"
    for bad in [
        "{kind}{serial}",
        "{kind}{year}",
        "{kind}{year}{serial}{oops}",
        "{kind}{year}{serial:x}",
        "{kind} {year}{serial}",
    ]:
        settings.CERTIFICATE_NUMBER_PATTERN = bad
        with pytest.raises(ImproperlyConfigured):
            numbers.pattern_regex()


def test_serials_count_per_kind_and_year(db):
    assert [numbers.serial_next(kind="award", year=2026) for _ in range(3)] == [1, 2, 3]
    assert numbers.serial_next(kind="award", year=2027) == 1
    assert numbers.serial_next(kind="completion", year=2026) == 1


def test_numbers_are_unique_and_consecutive_under_bulk(organiser):
    people = [UserFactory(real_name=f"批量学员{i}") for i in range(25)]
    items = [
        services.skill_level_item(holder=p, level=1 + i % 5, occupation="数控车工", issued_by=organiser)
        for i, p in enumerate(people)
    ]
    results = services.issue_many(items)
    assert all(isinstance(r, Certificate) for r in results), results
    issued = list(Certificate.objects.values_list("number", flat=True))
    assert len(issued) == len(set(issued)) == 25
    assert sorted(int(n[-6:]) for n in issued) == list(range(1, 26))
    assert all(numbers.pattern_regex().match(n) for n in issued)


def test_verification_codes_are_random_long_and_unambiguous():
    codes = [numbers.code_new() for _ in range(1000)]
    assert len(set(codes)) == 1000
    assert all(len(c) == 20 and set(c) <= set(numbers.CODE_ALPHABET) for c in codes)
    assert not set("01IO") & set("".join(codes))
    assert len(numbers.CODE_ALPHABET) == 32  # 20 characters × 5 bits = 100 bits
    # not sequential: neighbours share no long prefix and every position uses most of the alphabet
    assert max(len(_common_prefix(a, b)) for a, b in zip(codes, codes[1:], strict=False)) < 6
    for position in range(20):
        assert len({c[position] for c in codes}) > 25


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < len(a) and a[n] == b[n]:
        n += 1
    return a[:n]


def test_typed_codes_are_normalised():
    code = numbers.code_new()
    spaced = " ".join(re.findall(".{4}", code.lower()))
    assert numbers.code_normalise(spaced) == code
    assert numbers.code_normalise(code[:4] + "-" + code[4:]) == code
    assert numbers.code_normalise("O" * 20) == ""
    assert numbers.code_normalise(string.ascii_lowercase) == ""
