"""统一社会信用代码 (GB 32100-2015): 18 characters, the last one a check character over the first 17.

No Django here: `check_character`, `normalise` and `problem` are plain functions; the model's
validator (`validate_credit_code`) turns a problem into a ValidationError.

The code's alphabet is the digits and the capital letters without I, O, Z, S and V (31 characters,
each worth its index). The check character is the one worth 31 - (Σ value × weight mod 31), with
the weights 3^i mod 31, and 31 written as 0.
"""

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalise(value: str) -> str:
    """What a person typed, as the code is written: half-width, capitals, no spaces or hyphens."""
    folded = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(c for c in folded if not c.isspace() and c != "-")


def check_character(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None for a well-formed code with the right check character, else which rule it breaks:
    "length", "character" or "check". The code is taken as stored (see `normalise` for input)."""
    if len(code) != LENGTH:
        return "length"
    if any(c not in VALUES for c in code):
        return "character"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def complete(first17: str) -> str:
    """The full code for 17 characters (demo data and tests)."""
    return first17 + check_character(first17)
