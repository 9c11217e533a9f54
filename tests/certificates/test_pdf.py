"""The PDF as a person checks it: text, fonts, QR code, attached credential, size; glyphs never missing."""

import logging
from pathlib import Path

import pytest

from django.conf import settings
from django.utils import timezone

from certificates import pdf, services, snapshots
from certificates.credentials import verify_credential
from certificates.models import Certificate, NumberSequence
from certificates.numbers import CODE_ALPHABET
from certificates.templating import Layout, layout_default
from tests.certificates.helpers import attached_credential, pdffonts, pdftotext, qr_decode
from tests.factories import UserFactory


def test_pdftotext_finds_the_name_the_course_and_the_number(certificate, pdf_bytes):
    text = pdftotext(pdf_bytes)
    assert "结 业 证 书" in text or "结业证书" in text.replace(" ", "")
    assert "张三" in text
    assert "工业互联网平台应用" in text
    assert certificate.number in text
    assert "110105********002X" in text  # the masked ID number, never the full one
    assert "11010519491231002X" not in text


def test_skill_level_pdf_shows_level_occupation_and_number(organiser):
    holder = UserFactory(username="wanggong", real_name="欧阳明月")
    cert = services.certificate_issue_skill_level(holder=holder, level=3, occupation="电工", issued_by=organiser)
    with cert.pdf.open("rb") as handle:
        text = pdftotext(handle.read())
    assert "欧阳明月" in text
    assert "三级/高级工" in text
    assert "电工" in text
    assert cert.number in text
    assert cert.number.startswith(f"ZJ{cert.issued_at.year}3")


def test_fonts_are_embedded_subset_noto_cjk_sc(pdf_bytes):
    fonts = pdffonts(pdf_bytes)
    assert fonts, "no fonts in the PDF"
    for font in fonts:
        assert font["emb"] == "yes" and font["sub"] == "yes", font
        assert "+" in font["name"]  # the subset tag, e.g. XCQAXL+NotoSerifCJKSC-Cert-Bold
    names = [f["name"].split("+", 1)[1].replace("-", "") for f in fonts]
    assert any(n.startswith("NotoSerifCJKSC") for n in names), names  # title and name
    assert any(n.startswith("NotoSansCJKSC") for n in names), names  # body text
    assert all(n.startswith(("NotoSerifCJKSC", "NotoSansCJKSC")) for n in names), names


def test_pdf_is_small(pdf_bytes):
    assert len(pdf_bytes) <= 60 * 1024, f"{len(pdf_bytes) / 1024:.1f} KB"


def test_qr_code_decodes_to_the_verification_url(certificate, pdf_bytes, client):
    urls = qr_decode(pdf_bytes)
    assert urls == [f"{settings.CERTIFICATE_BASE_URL}/verify/{certificate.code}/"]
    response = client.get(urls[0].removeprefix(settings.CERTIFICATE_BASE_URL))
    assert response.status_code == 200
    assert "有效" in response.content.decode()


def test_attached_credential_is_the_stored_one_and_verifies(certificate, pdf_bytes):
    credential = attached_credential(pdf_bytes)
    assert credential == certificate.credential
    assert verify_credential(credential)
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "CertificateOfCompletion"


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_missing_glyph_aborts_issuance_and_stores_nothing(organiser):
    holder = UserFactory(username="pua", real_name="张\ue000三")  # a private-use code point no font draws
    before = list(NumberSequence.objects.values_list("kind", "year", "last"))
    with pytest.raises(pdf.MissingGlyphError) as caught:
        services.certificate_issue_skill_level(holder=holder, level=4, occupation="钳工", issued_by=organiser)
    assert caught.value.chars == ["\ue000"]
    assert "U+E000" in str(caught.value)
    assert not Certificate.objects.exists()
    assert _media_files() == []
    after = list(NumberSequence.objects.values_list("kind", "year", "last"))
    assert after == before or [last for _k, _y, last in after] == [0]  # the serial was handed back


def test_weasyprint_reports_the_missing_glyph_we_listen_for():
    """The warning text WeasyPrint logs here, which pdf._GlyphWatch relies on."""
    seen = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        document = pdf.Document(html='<html lang="zh-CN"><body><p>\ue000</p></body></html>', files={})
        with pytest.raises(pdf.MissingGlyphError):
            pdf.html_to_pdf(document)
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    assert '.notdef glyph rendered for Unicode string unsupported by fonts: "\ue000" (U+E000)' in seen


def test_template_data_is_escaped_and_safe_is_not_available():
    layout = layout_default("skill_level")
    bad = Layout("skill_level", "<p>{{ holder.name|safe }}</p>", layout.css)
    with pytest.raises(Exception, match="safe"):
        pdf.document_html(bad, _context(name="<b>x</b>"))
    document = pdf.document_html(
        Layout("skill_level", "<p id=n>{{ holder.name }}</p>", layout.css), _context(name="<b>李</b>")
    )
    assert "&lt;b&gt;李&lt;/b&gt;" in document.html


def test_template_cannot_include_files_or_load_tags():
    for html in ['{% include "base.html" %}', "{% load static %}", "{% debug %}"]:
        with pytest.raises(Exception):  # noqa: B017, PT011 - TemplateSyntaxError wrapped in LayoutError
            pdf.document_html(Layout("award", html, ""), _context())


def test_renderer_never_fetches_from_the_network_or_disk():
    fetcher = pdf._fetcher({})
    for url in ["http://example.com/x.png", "https://example.com/x.css", "file:///etc/passwd"]:
        with pytest.raises(ValueError, match="blocked"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


def _context(name="张三"):
    person = UserFactory.build(real_name=name, id_number="")
    snapshot = snapshots.skill_level(person, level=2, occupation="焊工", issued_at=timezone.now())
    return snapshots.layout_context(
        snapshot, number="ZJ20262000001", code="A" * 20, verify_url="http://testserver/verify/x/"
    )


# ------------------------------------------------------------------ drawn once per process, right per certificate


def test_qr_modules_are_exactly_what_qrcode_makes():
    """artwork.qr_matrix chooses the mask its own way (fast); the symbol must be qrcode's, bit for bit."""
    import random
    import string

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    from certificates import artwork

    rng = random.Random(5)
    samples = ["x", "http://testserver/verify/SAMPLE2345SAMPLE2345/"]
    for base in ["http://testserver", "http://127.0.0.1:8000", "https://zhengshu.skills-platform.example.org.cn/a"]:
        samples += [f"{base}/verify/{''.join(rng.choices(CODE_ALPHABET, k=20))}/" for _ in range(12)]
    samples += ["".join(rng.choices(string.printable, k=rng.randint(1, 400))) for _ in range(12)]
    for data in samples:
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
        reference.add_data(data)
        reference.make(fit=True)
        assert artwork.qr_matrix(data) == reference.get_matrix(), data


def test_certificates_laid_out_together_each_get_their_own_name_number_qr_and_credential():
    names = ["欧阳明月", "司马光", "王小二"]
    contexts, attachments = [], []
    for i, name in enumerate(names):
        context = _context(name=name)
        code = f"{i}" * 4 + "ABCDEFGHJKLMNPQR"
        context["cert"].update(number=f"ZJ2026200000{i + 1}", code=code)
        context["verify_url"] = f"http://testserver/verify/{code}/"
        contexts.append(context)
        attachments.append([("credential.json", "凭证", f'{{"holder": "{name}"}}')])
    pdfs = pdf.render_many(layout_default("skill_level"), contexts, attachments)
    pdf.render_many(layout_default("skill_level"), contexts[:1], attachments[:1])  # a second batch, same process
    assert len(pdfs) == 3
    for data, context, name in zip(pdfs, contexts, names, strict=True):
        assert isinstance(data, bytes)
        text = pdftotext(data)
        assert name in text and context["cert"]["number"] in text
        assert [other for other in names if other != name and other in text] == []
        assert qr_decode(data) == [context["verify_url"]]
        assert attached_credential(data) == {"holder": name}


def test_seal_is_the_same_image_weasyprint_would_embed(tmp_path):
    """pdf.PreencodedImage writes the seal's colour and alpha once per process; the PDF must hold
    exactly the pixels WeasyPrint's own decoding of the PNG gives."""
    import subprocess

    from PIL import Image, ImageChops

    png = pdf.seal_png("工业和信息化技术技能人才网上学习平台")
    assert png is not None
    html = '<html><body><img src="cert-art:seal.png" style="width: 42mm; height: 42mm"></body></html>'
    ours = pdf.html_to_pdf(pdf.Document(html=html, files={}, images={"cert-art:seal.png": pdf.PreencodedImage(png)}))
    weasyprints = pdf.html_to_pdf(pdf.Document(html=html, files={"cert-art:seal.png": ("image/png", png)}))
    extracted = {}
    for label, data in (("ours", ours), ("weasyprint", weasyprints)):
        (tmp_path / f"{label}.pdf").write_bytes(data)
        subprocess.run(["pdfimages", "-png", str(tmp_path / f"{label}.pdf"), str(tmp_path / label)], check=True)  # noqa: S603, S607
        extracted[label] = sorted(tmp_path.glob(f"{label}-*.png"))
    assert len(extracted["ours"]) == len(extracted["weasyprint"]) == 2  # the colour image and its soft mask
    for a, b in zip(extracted["ours"], extracted["weasyprint"], strict=True):
        with Image.open(a) as first, Image.open(b) as second:
            assert first.size == second.size == (397, 397)
            assert ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox() is None


def test_warm_up_renders_without_touching_the_database():
    """bench_certificates' forkserver warms up before forking: no database connection may be opened
    (pytest-django refuses database access in this test)."""
    pdf.warm_up()
