"""Log a persona in, and check a certificate PDF the way a person would: with poppler-utils and zbar-tools."""

import json
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout  # noqa: S603


def _with_file(pdf: bytes, fn):
    with tempfile.TemporaryDirectory(prefix="cert-test-") as tmp:
        path = Path(tmp) / "certificate.pdf"
        path.write_bytes(pdf)
        return fn(path, Path(tmp))


def pdftotext(pdf: bytes) -> str:
    return _with_file(pdf, lambda path, _tmp: _run("pdftotext", "-layout", str(path), "-"))


def pdffonts(pdf: bytes) -> list[dict]:
    """pdffonts rows as dicts: name, type, emb, sub, uni."""
    out = _with_file(pdf, lambda path, _tmp: _run("pdffonts", str(path)))
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type… encoding emb sub uni object ID: the last five columns are fixed
        rows.append(
            {"name": parts[0], "type": " ".join(parts[1:-6]), "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]}
        )
    return rows


def qr_decode(pdf: bytes) -> list[str]:
    """Render page one with pdftoppm, then read every QR code on it with zbarimg."""

    def decode(path, tmp):
        _run("pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp / "page"))
        result = subprocess.run(  # noqa: S603
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp / "page.png")],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=60,
        )
        return [line for line in result.stdout.splitlines() if line]

    return _with_file(pdf, decode)


def attachments(pdf: bytes) -> dict[str, bytes]:
    """Every embedded file, extracted with pdfdetach -saveall."""

    def detach(path, tmp):
        out = tmp / "files"
        out.mkdir()
        _run("pdfdetach", "-saveall", "-o", str(out), str(path))
        return {p.name: p.read_bytes() for p in out.iterdir()}

    return _with_file(pdf, detach)


def attached_credential(pdf: bytes) -> dict:
    return json.loads(attachments(pdf)["credential.json"])
