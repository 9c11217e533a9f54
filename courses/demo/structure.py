"""The frame every demo course hangs in: the site tree, categories, providers, cover images, lesson videos
and lesson text.

Both the hand-written seed and the bulk generator start from `structure_ensure()` and draw covers and
lesson bodies the same way, so the two kinds of demo course look alike.
"""

import io
import random
from functools import cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from django.core.files import File
from django.core.files.images import ImageFile
from django.db.models import Q

from wagtail.images import get_image_model

from accounts.demo import Report
from courses import services, videos
from courses.models import Category, LessonVideo, Provider

from .data import CATEGORIES, CATEGORY_TEXT, DEMO_VIDEOS, PROVIDERS


def structure_ensure(report: Report | None = None) -> tuple[dict, dict]:
    """Site tree, categories and providers (with page, collection and group). Returns them by slug."""
    report = report or Report()
    catalogue = services.catalogue_page_ensure()
    categories = {}
    for sort_order, (slug, name, _colour) in enumerate(CATEGORIES, 1):
        category = Category.objects.filter(Q(slug=slug) | Q(name=name)).first()
        if category is None:
            category = Category.objects.create(slug=slug, name=name, sort_order=sort_order)
            report.add("行业分类")
        categories[slug] = category
    providers = {}
    for spec in PROVIDERS:
        provider = Provider.objects.filter(slug=spec["slug"]).first()
        if provider is None:
            provider = Provider.objects.create(**spec)
            report.add("培训机构")
        services.provider_setup(provider=provider, catalogue=catalogue)
        providers[spec["slug"]] = provider
    return categories, providers


# ------------------------------------------------------------------ covers

_FONT_FILES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "SC"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", "SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", ""),
    ("/System/Library/Fonts/PingFang.ttc", ""),
    ("C:/Windows/Fonts/msyh.ttc", ""),
]


@cache
def _font(size: int):
    """A CJK font if the machine has one; covers are drawn without text otherwise."""
    for path, face in _FONT_FILES:
        for index in range(5):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if not face or face in " ".join(font.getname()):
                return font
    return None


def _cover_png(title: str, label: str, colour: tuple[int, int, int], seed: int) -> bytes:
    width, height = 480, 270
    image = PILImage.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 45) for c in colour)
    dark = tuple(max(0, c - 35) for c in colour)
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    for _ in range(3):
        r = rng.randint(60, 150)
        x, y = rng.randint(260, 520), rng.randint(-60, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=light)
    small, big = _font(20), _font(30)
    lines = [title[i : i + 14] for i in range(0, len(title), 14)][:2] if big else []
    bar = 40 + 38 * max(1, len(lines))
    draw.rectangle((0, height - bar, width, height), fill=dark)
    if small and big:
        draw.text((24, 22), label, font=small, fill="white")
        for n, line in enumerate(lines):
            draw.text((24, height - bar + 16 + 38 * n), line, font=big, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def cover_ensure(
    *, title: str, heading: str, label: str, colour, collection, filename: str, report: Report | None = None
):
    """A generated cover image in the provider's collection, found again by its title."""
    Image = get_image_model()
    image = Image.objects.filter(title=title, collection=collection).first()
    if image is None:
        png = _cover_png(heading, label, colour, seed=sum(map(ord, title)))
        image = Image(title=title, collection=collection, file=ImageFile(io.BytesIO(png), name=filename))
        image._set_image_file_metadata()
        image.save()
        if report:
            report.add("封面图片")
    return image


VIDEO_DIR = Path(__file__).resolve().parent / "videos"


def demo_videos_ensure(provider: Provider, report: Report | None = None) -> list[LessonVideo]:
    """The shipped demo videos in the provider's collection, found again by title. ffprobe measures them
    when it is installed; otherwise the figures recorded in DEMO_VIDEOS stand in (the files are ours)."""
    found = []
    for filename, title, duration, width, height in DEMO_VIDEOS:
        video = LessonVideo.objects.filter(title=title, collection=provider.collection).first()
        if video is None:
            known = None if videos.ffprobe_path() else videos.Probe(duration=duration, width=width, height=height)
            with open(VIDEO_DIR / filename, "rb") as stream:
                video = services.lesson_video_create(
                    title=title, file=File(stream, name=filename), collection=provider.collection, trusted_probe=known
                )
            if report:
                report.add("课程视频")
        found.append(video)
    return found


def category_colour(category_slug: str) -> tuple[int, int, int]:
    return next(c for slug, _name, c in CATEGORIES if slug == category_slug)


def lesson_body(category_slug: str, lead: str, n: int) -> str:
    """A lesson's rich text: its own lead, a paragraph on its category's subject and study advice."""
    paragraphs = CATEGORY_TEXT[category_slug]
    return (
        f"<p>{lead}</p>"
        f"<p>{paragraphs[n % len(paragraphs)]}</p>"
        "<h3>学习建议</h3>"
        "<ul><li>先通读本课时内容，标出与本岗位相关的要点。</li>"
        "<li>结合本单位的设备和业务，思考一个可以改进的具体问题。</li></ul>"
    )
