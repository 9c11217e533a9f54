"""Certificate PDFs with WeasyPrint: subset CJK fonts, QR code, seal, the signed credential attached,
and a hard failure on any missing glyph.

WeasyPrint fetches only what we hand it (font subsets, `data:` URLs): a layout cannot reach the
network or the file system. A ".notdef glyph" warning from WeasyPrint during a render raises
MissingGlyphError, so a certificate with a character no font can draw is never issued.

The QR code and the seal are images we give WeasyPrint ready-made, through its image cache
(`Document.images`): the QR code draws its modules straight into the page as vector rectangles
(QRImage), the seal is a PNG encoded for PDF once per process (PreencodedImage). Both replace work
WeasyPrint would otherwise repeat for every certificate: parsing an SVG path, re-encoding a PNG.

Bulk issuance renders several certificates of one layout as the pages of one WeasyPrint document
(`render_many`) and writes each page as its own PDF: parsing the CSS, loading the fonts and the
first text layouts are paid once per batch instead of once per certificate.
"""

import contextlib
import copy
import functools
import hashlib
import io
import logging
import shutil
import struct
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import artwork, fonts
from .snapshots import sample_context
from .templating import Layout, body_render, layout_check, layout_default

PAGE_CSS = "@page { size: A4 landscape; margin: 0; }"
SEAL_DPI = 240

# WeasyPrint reports a missing glyph as a warning on this logger (see _GlyphWatch); its progress
# messages ("Step 1 - …") are noise in a bulk run.
_LOGGER = logging.getLogger("weasyprint")
if _LOGGER.getEffectiveLevel() > logging.WARNING:
    _LOGGER.setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class MissingGlyphError(Exception):
    """A character that no installed font can draw: the certificate must not be issued."""

    def __init__(self, chars: list[str]):
        self.chars = chars
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in chars)
        super().__init__(f"证书中有字体无法显示的字符：{shown}")


@dataclass(frozen=True)
class Document:
    """An HTML document, the files its URLs point at (font subsets) and the images we draw
    ourselves (QR codes, the seal), by URL."""

    html: str
    files: dict  # url → (content type, bytes)
    title: str = ""
    images: dict = field(default_factory=dict)  # url → QRImage / PreencodedImage


class QRImage:
    """A QR code as a WeasyPrint image that draws its dark modules straight into the page as
    filled rectangles: the same vector drawing an inline SVG gives, without WeasyPrint's SVG path
    parser (~4 ms a certificate) or an image to encode. `<img src>` of an URL found in the render's
    image cache reaches this object; WeasyPrint calls get_intrinsic_size() and draw()."""

    def __init__(self, data: str):
        matrix = artwork.qr_matrix(data)
        self.modules = len(matrix)
        n = self.modules
        rects = "\n".join(f"{x} {y} {length} 1 re" for x, y, length in artwork.qr_runs(matrix))
        # White quiet zone and background, then every dark run in one path, filled once (no seams).
        self._operators = f"1 1 1 rg\n0 0 {n} {n} re\nf\n0 0 0 rg\n{rects}\nf".encode()

    def get_intrinsic_size(self, resolution, font_size):
        return self.modules, self.modules, 1

    def draw(self, stream, concrete_width, concrete_height, style):
        # WeasyPrint's origin here is the image's top-left corner, y pointing down, in CSS pixels.
        stream.push_state()
        stream.transform(a=concrete_width / self.modules, d=concrete_height / self.modules)
        stream.stream.append(self._operators)
        stream.pop_state()


def _png_idat(image) -> bytes:
    """The zlib stream of a PNG's IDAT chunks: what a PDF image with the PNG predictor holds."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    data, chunks, pos = out.getvalue(), [], 8
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return b"".join(chunks)


class PreencodedImage:
    """A PNG with alpha, decoded and encoded for PDF once per process. WeasyPrint's own RasterImage
    re-encodes the colour and the alpha channel for every PDF it writes (~3 ms a certificate for the
    seal); this writes the same image XObject and soft mask from bytes made once."""

    def __init__(self, png: bytes):
        from PIL import Image

        with Image.open(io.BytesIO(png)) as source:
            rgba = source.convert("RGBA")
        self.id = hashlib.sha256(png).hexdigest()[:16]
        self.width, self.height = rgba.size
        self._rgb = _png_idat(rgba.convert("RGB"))
        self._alpha = _png_idat(rgba.getchannel("A"))

    def get_intrinsic_size(self, resolution, font_size):
        return self.width / resolution, self.height / resolution, self.width / self.height

    def draw(self, stream, concrete_width, concrete_height, style):
        name = stream.add_image(self, style["image_rendering"] == "auto", 1)
        stream.transform(concrete_width, 0, 0, -concrete_height, 0, concrete_height)
        stream.draw_x_object(name)

    def get_x_object(self, interpolate, dpi_ratio):
        import pydyf

        def image(data, color_space, colors):
            parms = {"Predictor": 15, "Columns": self.width} | ({"Colors": colors} if colors > 1 else {})
            return pydyf.Stream(
                [data],
                pydyf.Dictionary(
                    {
                        "Type": "/XObject",
                        "Subtype": "/Image",
                        "Width": self.width,
                        "Height": self.height,
                        "ColorSpace": color_space,
                        "BitsPerComponent": 8,
                        "Interpolate": "true" if interpolate else "false",
                        "Filter": "/FlateDecode",
                        "DecodeParms": pydyf.Dictionary(parms),
                    }
                ),
            )

        x_object = image(self._rgb, "/DeviceRGB", 3)
        x_object.extra["SMask"] = image(self._alpha, "/DeviceGray", 1)
        return x_object


def _body(layout: Layout, context: dict, images: dict) -> str:
    data = dict(context)
    data["qr"] = mark_safe(_qr_markup(context["verify_url"], images))  # noqa: S308 - URL escaped inside
    data["seal"] = mark_safe(_seal_markup(context["issuer"], images))  # noqa: S308 - issuer escaped inside
    return body_render(layout, data)


def _qr_markup(url: str, images: dict) -> str:
    src = f"cert-art:qr-{len(images)}-{hashlib.sha256(url.encode()).hexdigest()[:16]}"
    images[src] = QRImage(url)
    return f'<img class="qr" src="{src}" alt="{escape(url)}" style="width: 30mm; height: 30mm">'


def _title(context: dict) -> str:
    return f"{context['cert']['title']} {context['cert']['number']}"


def _assemble(layout: Layout, bodies: list[str], images: dict, *, title: str, author: str) -> Document:
    text = "".join(bodies) + title
    faces, font_files = fonts.font_faces(text, layout.css + artwork.SEAL_FONT)
    files = {url: ("font/otf", data) for url, data in font_files.items()}
    pages = "".join(f'<div class="certificate-page">{body}</div>' for body in bodies)
    html = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><meta name="author" content="{escape(author)}">'
        f"<style>{faces}</style><style>{fonts.css_use_subsets(layout.css)}</style>"
        f"<style>{PAGE_CSS} .certificate-page {{ break-after: page; }}</style></head>"
        f"<body>{pages}</body></html>"
    )
    return Document(html=html, files=files, title=title, images=images)


def document_html(layout: Layout, context: dict) -> Document:
    """The complete HTML document of one certificate."""
    layout_check(layout.html, layout.css)
    images: dict = {}
    body = _body(layout, context, images)
    return _assemble(layout, [body], images, title=_title(context), author=context["issuer"])


def _seal_markup(issuer: str, images: dict) -> str:
    """The seal as a PNG made and encoded once per process (one SVG text layout per glyph costs
    ~30 ms a certificate), or inline SVG when poppler's pdftocairo is not installed."""
    image = seal_image(issuer)
    if image is None:
        return artwork.seal_svg(issuer)
    url = f"cert-art:seal-{image.id}.png"
    images[url] = image
    return f'<img class="seal" src="{url}" alt="{escape(issuer)}" style="width: 42mm; height: 42mm">'


@functools.lru_cache(maxsize=16)
def seal_image(issuer: str) -> PreencodedImage | None:
    png = seal_png(issuer)
    return None if png is None else PreencodedImage(png)


@functools.lru_cache(maxsize=16)
def seal_png(issuer: str) -> bytes | None:
    """The SVG seal rendered once per issuer and process: WeasyPrint → PDF → pdftocairo → PNG,
    recoloured to one red with its alpha channel (about 14 KB). Raises MissingGlyphError."""
    if not shutil.which("pdftocairo"):
        return None
    svg = artwork.seal_svg(issuer)
    faces, font_files = fonts.font_faces(svg, artwork.SEAL_FONT)
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>'
        f"{faces} @page {{ size: 42mm 42mm; margin: 0 }} body {{ margin: 0 }} svg {{ display: block }}"
        f"</style></head><body>{svg}</body></html>"
    )
    source = html_to_pdf(Document(html=page, files={u: ("font/otf", d) for u, d in font_files.items()}))
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="cert-seal-") as tmp:
        (Path(tmp) / "seal.pdf").write_bytes(source)
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["pdftocairo", "-png", "-transp", "-r", str(SEAL_DPI), "-singlefile", f"{tmp}/seal.pdf", f"{tmp}/seal"],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=30,
        )
        with Image.open(Path(tmp) / "seal.png") as image:
            alpha = image.convert("RGBA").getchannel("A")
    red = Image.new("RGB", alpha.size, artwork.SEAL_RGB)
    out = io.BytesIO()
    Image.merge("RGBA", (*red.split(), alpha)).quantize(16).save(out, "PNG", optimize=True)
    return out.getvalue()


class _GlyphWatch(logging.Handler):
    """Collects WeasyPrint's ".notdef glyph rendered" warnings raised by this thread's render."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.missing: list[str] = []

    def emit(self, record):
        if record.thread == self.thread and ".notdef glyph" in str(record.msg):
            char = record.args[0] if record.args else "?"
            if char not in self.missing:
                self.missing.append(char)

    def __enter__(self):
        _LOGGER.addHandler(self)
        return self

    def __exit__(self, *exc):
        _LOGGER.removeHandler(self)
        if exc[0] is None and self.missing:
            raise MissingGlyphError(self.missing)


def _fetcher(files: dict):
    """WeasyPrint may load our fonts, our seal and data: URLs, nothing else (no network, no files)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in files:
                content_type, body = files[url]
                return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"blocked: {url[:80]}")

    return SandboxFetcher(allowed_protocols=("data",), timeout=2)


# Images decoded by WeasyPrint (data: URLs in an organiser's layout), by URL, shared by every render
# in this process. Our own images (QR codes, the seal) come with each Document.
_IMAGE_CACHE: dict = {}


def _image_cache(document: Document) -> dict:
    return {**_IMAGE_CACHE, **document.images}


def _image_cache_keep(cache: dict, document: Document) -> None:
    _IMAGE_CACHE.update((url, image) for url, image in cache.items() if url not in document.images)


def _attachments(items):
    from weasyprint import Attachment

    return [
        Attachment(string=text, name=name, description=description, relationship="Data")
        for name, description, text in items
    ] or None


def html_to_pdf(
    document: Document, *, attachments: list[tuple[str, str, str]] = (), check_glyphs: bool = True
) -> bytes:
    """Render with WeasyPrint; attachments are (name, description, text). Raises MissingGlyphError
    unless `check_glyphs` is off (a statistics report prints a rare name as a box rather than fail)."""
    from weasyprint import HTML

    cache = _image_cache(document)
    with _GlyphWatch() if check_glyphs else contextlib.nullcontext():
        html = HTML(string=document.html, url_fetcher=_fetcher(document.files))
        out = html.write_pdf(attachments=_attachments(attachments), cache=cache)
    _image_cache_keep(cache, document)
    return out


def render_one(layout: Layout, context: dict, attachments=()) -> bytes:
    return html_to_pdf(document_html(layout, context), attachments=attachments)


def render_many(layout: Layout, contexts: list[dict], attachments: list) -> list[bytes | Exception]:
    """PDFs of several certificates of one layout, laid out together as one document's pages.

    If the pages do not come out one per certificate, or a glyph is missing somewhere, each
    certificate is rendered on its own instead, so a single bad name fails alone: its entry in
    the result is the exception.
    """
    from weasyprint import HTML

    layout_check(layout.html, layout.css)
    images: dict = {}
    bodies = [_body(layout, context, images) for context in contexts]
    document = _assemble(layout, bodies, images, title=_title(contexts[0]), author=contexts[0]["issuer"])
    cache = _image_cache(document)
    try:
        with _GlyphWatch():
            rendered = HTML(string=document.html, url_fetcher=_fetcher(document.files)).render(cache=cache)
            if len(rendered.pages) != len(contexts):
                raise MissingGlyphError([])  # falls back below; reported per certificate there
            out = []
            for page, context, items in zip(rendered.pages, contexts, attachments, strict=True):
                single = rendered.copy([page])
                single.metadata = copy.copy(rendered.metadata)
                single.metadata.title = _title(context)
                single.metadata.authors = [context["issuer"]]
                out.append(single.write_pdf(attachments=_attachments(items), cache=cache))
        _image_cache_keep(cache, document)
        return out
    except MissingGlyphError:
        return [_render_or_error(layout, context, items) for context, items in zip(contexts, attachments, strict=True)]


def _render_or_error(layout: Layout, context: dict, items) -> bytes | Exception:
    try:
        return render_one(layout, context, items)
    except MissingGlyphError as exc:
        return exc


def warm_up() -> None:
    """Do once what the first render in a process would: load WeasyPrint, open the CJK faces, make
    the default seal, lay out a sample certificate. Touches no database, so a process can do it
    before it forks its workers (bench_certificates' pool)."""
    render_one(layout_default("skill_level"), sample_context("skill_level"))


def pdf_to_png(pdf: bytes, *, dpi: int = 60) -> bytes:
    """The first page as PNG, through poppler's pdftoppm (previews and tests)."""
    with tempfile.TemporaryDirectory(prefix="cert-preview-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(source), f"{tmp}/out"],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=30,
        )
        return (Path(tmp) / "out.png").read_bytes()
