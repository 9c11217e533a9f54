"""Organisation names compared the way people write them. No Django here.

`name_key` is what makes a name unique in the registry: NFKC (full-width letters, digits, brackets
and spaces fold to half-width), no spaces, case-folded, and the Chinese and Latin brackets treated
as one. `match_key` goes one conservative step further for matching free text: the legal-form
suffixes 有限责任公司 and 有限公司 compare equal, and a leading 中国 in brackets or a trailing
full stop does not count. Matching never guesses between two candidates (see services.match).
"""

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
_LEGAL_FORMS = (("有限责任公司", "有限公司"), ("股份有限公司", "股份公司"))


def display(value: str) -> str:
    """A name as stored: NFKC, single spaces, trimmed, Chinese brackets kept as typed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value or "").replace("\u3000", " ")).strip()


def name_key(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value or "").translate(_BRACKETS)
    return _SPACE.sub("", folded).casefold()


def match_key(value: str) -> str:
    key = name_key(value).rstrip("。.")
    for long, short in _LEGAL_FORMS:
        if key.endswith(long):
            key = key[: -len(long)] + short
    return key
