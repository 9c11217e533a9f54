"""Per-certificate subsets of Noto Serif/Sans CJK SC, so each PDF embeds only a few kilobytes of font.

WeasyPrint subsets the fonts it embeds, but keeps the original glyph ids; with a 65,000-glyph CJK
font that alone costs about 80 KB per face, and a certificate with three faces weighed ~300 KB.
Here HarfBuzz (libharfbuzz-subset) first cuts each face down to the characters the document uses,
with new, dense glyph ids, in a few milliseconds; the document then uses those subsets through
@font-face under the names "NotoSerifCJKSC-Cert" / "NotoSansCJKSC-Cert", with the system
"Noto Serif CJK SC" / "Noto Sans CJK SC" behind them as fallbacks. A certificate PDF weighs ~20 KB.

Without libharfbuzz-subset the document simply uses the system fonts (larger PDFs; WeasyPrint then
subsets with fontTools, which takes seconds per CJK certificate; see checks.py).
"""

import ctypes
import ctypes.util
import functools
import re
import shutil
import subprocess

FACES = {
    # css family, weight → the fontconfig pattern of the system face it is cut from
    ("NotoSerifCJKSC-Cert", 400): "Noto Serif CJK SC:weight=80",
    ("NotoSerifCJKSC-Cert", 700): "Noto Serif CJK SC:weight=200",
    ("NotoSansCJKSC-Cert", 400): "Noto Sans CJK SC:weight=80",
    ("NotoSansCJKSC-Cert", 700): "Noto Sans CJK SC:weight=200",
}
SYSTEM_FAMILY = {"NotoSerifCJKSC-Cert": "Noto Serif CJK SC", "NotoSansCJKSC-Cert": "Noto Sans CJK SC"}
FONT_URL_SCHEME = "cert-font"
_FAMILY_IN_CSS = re.compile(r"""(["'])Noto (Serif|Sans) CJK SC\1""")


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


@functools.lru_cache(maxsize=1)
def _lib():
    hb_path, subset_path = ctypes.util.find_library("harfbuzz"), ctypes.util.find_library("harfbuzz-subset")
    if not hb_path or not subset_path:
        return None
    hb, hbs = ctypes.CDLL(hb_path), ctypes.CDLL(subset_path)
    ptr, uint = ctypes.c_void_p, ctypes.c_uint
    hb.hb_blob_create_from_file.restype, hb.hb_blob_create_from_file.argtypes = ptr, [ctypes.c_char_p]
    hb.hb_face_create.restype, hb.hb_face_create.argtypes = ptr, [ptr, uint]
    hb.hb_face_get_glyph_count.restype, hb.hb_face_get_glyph_count.argtypes = uint, [ptr]
    hb.hb_set_add.restype, hb.hb_set_add.argtypes = None, [ptr, ctypes.c_uint32]
    hb.hb_face_reference_blob.restype, hb.hb_face_reference_blob.argtypes = ptr, [ptr]
    hb.hb_blob_get_data.restype = ctypes.POINTER(ctypes.c_char)
    hb.hb_blob_get_data.argtypes = [ptr, ctypes.POINTER(uint)]
    hb.hb_blob_destroy.restype, hb.hb_blob_destroy.argtypes = None, [ptr]
    hb.hb_face_destroy.restype, hb.hb_face_destroy.argtypes = None, [ptr]
    hbs.hb_subset_input_create_or_fail.restype, hbs.hb_subset_input_create_or_fail.argtypes = ptr, []
    hbs.hb_subset_input_unicode_set.restype, hbs.hb_subset_input_unicode_set.argtypes = ptr, [ptr]
    hbs.hb_subset_input_destroy.restype, hbs.hb_subset_input_destroy.argtypes = None, [ptr]
    hbs.hb_subset_or_fail.restype, hbs.hb_subset_or_fail.argtypes = ptr, [ptr, ptr]
    return hb, hbs


@functools.lru_cache(maxsize=16)
def _face(pattern: str):
    """The HarfBuzz face (memory-mapped file, face index) fontconfig picks for a pattern, or None."""
    lib, fc_match = _lib(), shutil.which("fc-match")
    if lib is None or fc_match is None:
        return None
    found = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [fc_match, "--format=%{file}\n%{index}\n%{family[0]}", pattern], capture_output=True, text=True, check=False
    ).stdout.split("\n")
    if len(found) < 3 or not found[2].startswith(pattern.split(":")[0]):
        return None  # fontconfig fell back to another family: that face is not installed
    hb = lib[0]
    blob = hb.hb_blob_create_from_file(found[0].encode())
    face = hb.hb_face_create(blob, int(found[1] or 0))
    hb.hb_blob_destroy(blob)  # the face holds its own reference
    return face if face and hb.hb_face_get_glyph_count(face) > 1 else None


def subset(pattern: str, text: str) -> bytes | None:
    """The face for `pattern` cut down to the characters of `text` (OpenType bytes), or None."""
    face = _face(pattern)
    if face is None:
        return None
    hb, hbs = _lib()
    subset_input = hbs.hb_subset_input_create_or_fail()
    if not subset_input:
        return None
    try:
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        for codepoint in sorted({ord(c) for c in text}):
            hb.hb_set_add(unicodes, codepoint)
        result = hbs.hb_subset_or_fail(face, subset_input)
    finally:
        hbs.hb_subset_input_destroy(subset_input)
    if not result:
        return None
    blob = hb.hb_face_reference_blob(result)
    try:
        length = ctypes.c_uint()
        data = hb.hb_blob_get_data(blob, ctypes.byref(length))
        return ctypes.string_at(data, length.value)
    finally:
        hb.hb_blob_destroy(blob)
        hb.hb_face_destroy(result)


def font_faces(text: str, css: str = "") -> tuple[str, dict[str, bytes]]:
    """@font-face rules for subsets of the faces the CSS names, cut to the characters in `text`.

    Returns the CSS and the font files by URL (served by the renderer's URL fetcher: passing
    ~150 KB of base64 through the CSS tokenizer would cost more than the subsetting itself).
    """
    wanted = {family for family, system in SYSTEM_FAMILY.items() if system in css or family in css}
    rules, files = [], {}
    for (family, weight), pattern in FACES.items():
        if family not in wanted:
            continue
        data = subset(pattern, text)
        if data:
            url = f"{FONT_URL_SCHEME}:{family}-{weight}.otf"
            files[url] = data
            rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{url}"); }}')
    return "\n".join(rules), files


def css_use_subsets(css: str) -> str:
    """Put the subset family in front of each quoted "Noto Serif/Sans CJK SC" in the CSS."""
    return _FAMILY_IN_CSS.sub(lambda m: f'"Noto{m.group(2)}CJKSC-Cert", {m.group(0)}', css)
