import pytest

from django.core.exceptions import ValidationError

from organisations import creditcode
from organisations.models import validate_credit_code

# Published codes of real bodies (check characters as printed on their licences).
REAL = ["914403001922038216", "91110000100006485K", "91440300708461136T", "91110108551385082Q"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_are_valid(code):
    assert creditcode.problem(code) is None
    validate_credit_code(code)


def test_a_wrong_check_character_is_refused():
    code = REAL[0]
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert creditcode.problem(wrong) == "check"
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code(wrong)


def test_lowercase_is_refused_as_stored_but_normalised_from_input():
    lower = REAL[1].lower()
    assert creditcode.problem(lower) == "character"
    assert creditcode.normalise(f" {lower} ") == REAL[1]
    assert creditcode.normalise("９１１１００００１００００６４８５ｋ") == REAL[1]


@pytest.mark.parametrize("code", ["", "9111000010000648", "91110000100006485KX", "9" * 100])
def test_wrong_lengths_are_refused(code):
    assert creditcode.problem(code) == "length"
    with pytest.raises(ValidationError, match="18"):
        validate_credit_code(code)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_outside_the_alphabet_are_refused(letter):
    code = "9133000" + letter + "MA27U0G81"
    assert creditcode.problem(code + "0") == "character"
    with pytest.raises(ValidationError, match="I、O、Z、S、V"):
        validate_credit_code(code + "0")


def test_complete_adds_the_check_character_that_validates():
    for first17 in ("91320505MA1N7K2Q3", "12320000466007258", "11320000014000631"):
        assert creditcode.is_valid(creditcode.complete(first17))


def test_the_check_character_of_31_is_written_0():
    # Find a body whose weighted sum is ≡ 0 (mod 31): its check character must be "0", never "31".
    for n in range(10_000):
        first17 = f"9132050500000{n:04d}"
        if creditcode.check_character(first17) == "0":
            assert creditcode.is_valid(first17 + "0")
            break
    else:
        pytest.fail("no code with check character 0 found")
