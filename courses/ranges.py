"""HTTP byte ranges (RFC 9110 §14) for serving video files: plain values in, plain values out, no Django.

Only single ranges are honoured. A header this module cannot read (another unit, a list of ranges, a
malformed spec) is ignored, which the RFC allows: the whole file is sent with 200. A well-formed range
that starts past the end of the file is unsatisfiable (416).
"""

import re

_SPEC = re.compile(r"^bytes=(\d*)-(\d*)$")
_MAX_DIGITS = 19  # bigger numbers than any file size are not worth parsing


class Unsatisfiable(Exception):  # noqa: N818 - named after the HTTP status
    """The range lies wholly outside the file: answer 416 with ``Content-Range: bytes */size``."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte positions the Range header asks for, or None for the whole file.

    >>> byte_range("bytes=0-99", 1000), byte_range("bytes=900-", 1000), byte_range("bytes=-100", 1000)
    ((0, 99), (900, 999), (900, 999))
    """
    if not header:
        return None
    match = _SPEC.match(header.strip().replace(" ", ""))
    if match is None:
        return None  # unknown unit, several ranges, garbage: ignored
    first, last = match.groups()
    if not first and not last or len(first) > _MAX_DIGITS or len(last) > _MAX_DIGITS:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid spec: ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def if_range_matches(if_range: str | None, *, etag: str, last_modified: str) -> bool:
    """Whether a Range may be honoured given If-Range: absent, or naming this exact (strong) ETag or date."""
    if not if_range:
        return True
    value = if_range.strip()
    if value.startswith("W/"):
        return False  # weak validators never match If-Range
    if value.startswith('"'):
        return value == etag
    return value == last_modified
