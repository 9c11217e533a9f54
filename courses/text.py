"""Text normalisation shared by search, grading and imports."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalise(value: str) -> str:
    """NFKC folds full-width letters, digits and punctuation to their usual forms."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value or "")).strip()


def normalise_search(value: str) -> str:
    return normalise(value).casefold()


def normalise_answer(value: str) -> str:
    """Fill-in answers compare without case, width or inner spacing differences."""
    return _SPACE.sub("", normalise(value)).casefold()
