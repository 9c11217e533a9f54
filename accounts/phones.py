"""Mainland mobile numbers as people type them: one normaliser for every form and import.

People write a number the way it is printed on a card or said aloud: "138 0013 8000", "138-0013-8000",
"+86 138 0013 8000", full-width digits from a Chinese input method. Every phone field (sign-up, the
profile, the admin's user form, provider staff by number, a roster row) stores the 11 digits, so the
same person is the same number everywhere; what is left after normalising is checked by `is_mobile`.
"""

import re
import unicodedata

# ASCII digits only: \d also matches full-width ones (NFKC folds those first).
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-－—–_.·()（）]")


def normalise_phone(value: str) -> str:
    """'+86 138-0013-8000' → '13800138000': full-width digits, spaces, dashes, dots, brackets and the
    country code (+86, 0086, 86) go. Anything else is left as typed, for `is_mobile` to refuse."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086", "86"):  # another country's "+" stays, and is refused
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            return text[len(prefix) :]
    return text


def is_mobile(value: str) -> bool:
    """An 11-digit mainland mobile number, as `normalise_phone` leaves it."""
    return bool(MOBILE.match(value or ""))


def mask_phone(value: str) -> str:
    """17171426766 → 171****6766: the first three and the last four digits, as the learner reports and
    the expert pages show a number to anyone but its owner and platform staff."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
