"""Screenshots of the main pages of every role, on a desk (1280×900) and on a phone (390×844).

    make screenshots                    # migrates, loads the demo data, then runs this script
    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out screenshots]

Without --url it starts its own server on a free port (the dev settings and database, so the demo
data of `make db`) and stops it at the end. It logs in as each demo account of the README, visits the
pages that role uses and saves full-page PNGs to screenshots/<role>/ (git-ignored), with an index.html
that shows each page at both sizes side by side. Chromium is Debian's /usr/bin/chromium, as in the
browser tests. Not part of `make test`: it looks, it does not judge.
"""

import argparse
import contextlib
import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync"]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# The demo accounts (README, "Demo accounts"; published demo credentials) and the pages each uses.
# {landing} is where the role arrives after logging in; the other {names} are found on the pages
# themselves (the first course of the catalogue, the first contest …), so no id is written here.
ROLES = [
    ("anonymous", None, None, ["/", "/courses/", "{course}", "/paths/", "/contests/", "{contest}", "/verify/",
                               "/accounts/login/", "/accounts/signup/"]),
    ("learner1", "learner1", "Learner-2026", ["{landing}", "/learn/hours/", "{lesson}", "{course}",
                                              "/certificates/", "/notifications/", "/accounts/profile/"]),
    ("provider1", "provider1", "Provider-2026", ["{landing}", "/learn/stats/", "/learn/marking/",
                                                 "/admin/courses/import/", "/training/"]),
    ("organiser", "organiser", "Organiser-2026", ["{landing}", "/training/applications/", "/certificates/manage/",
                                                  "/organisations/review/", "{contest}", "{console}", "/training/"]),
    ("judge1", "judge1", "Judge-2026", ["{landing}", "{contest}", "{judge}"]),
    ("qiye_hr", "qiye_hr", "Qiye-2026", ["{landing}", "/organisations/review/", "{training}"]),
]  # fmt: skip
# Where each {name} is found: (page to look on, CSS selector of the link).
FOUND_ON = {
    "course": ("/courses/", ".course-card a[href]"),
    "contest": ("/contests/", "a.tile[href]"),
    "lesson": ("/learn/", 'main a[href^="/learn/lessons/"]'),
    "console": ("{contest}", 'main a[href$="/console/"]'),
    "judge": ("{landing}", 'main a[href$="/judge/"]'),
    "training": ("{landing}", 'header a[href="/training/"]'),  # only for whom the header offers it
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(url + "/accounts/login/", timeout=5),  # noqa: S310 - our own server
        ):
            return
        time.sleep(0.5)
    raise SystemExit(f"screenshots: the server at {url} did not answer within {seconds:.0f} s")


@contextlib.contextmanager
def server(url: str | None):
    """The given server, or our own `manage.py runserver` (Daphne's, so sockets work) on a free port."""
    if url:
        wait_until_up(url.rstrip("/"), 10)
        yield url.rstrip("/")
        return
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev")}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def visit(page, path: str) -> int | None:
    response = page.goto(path)
    # A page that polls (a scoreboard, a job's progress) is never idle; by then it has drawn itself.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)
    return response.status if response else None


def log_in(page, username: str, password: str) -> str:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise SystemExit(f"screenshots: {username} could not log in; run `make db` to load the demo data")
    return re.sub(r"^https?://[^/]+", "", page.url)


def resolve(page, path: str, found: dict) -> str | None:
    """A page path with its {names} filled in, looking them up on the pages when needed."""
    for name in re.findall(r"\{(\w+)\}", path):
        if name not in found:
            where, selector = FOUND_ON[name]
            where = resolve(page, where, found)
            link = None
            if where:
                visit(page, where)
                element = page.locator(selector).first
                link = element.get_attribute("href") if element.count() else None
            found[name] = link
        if not found[name]:
            return None
        path = path.replace("{" + name + "}", found[name])
    return path


def slug(path: str) -> str:
    return re.sub(r"[^\w]+", "-", path.strip("/")).strip("-") or "home"


def capture(base: str, out: Path) -> list[tuple[str, str, dict[str, str], int | None]]:
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for role, username, password, paths in ROLES:
            (out / role).mkdir(parents=True, exist_ok=True)
            contexts = {
                size: browser.new_context(base_url=base, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
                for size, viewport in SIZES.items()
            }
            pages = {size: context.new_page() for size, context in contexts.items()}
            found: dict[str, str | None] = {}
            if username:
                for page in pages.values():
                    found["landing"] = log_in(page, username, password)
            for number, template in enumerate(paths, 1):
                path = resolve(pages["desktop"], template, found)
                if path is None:
                    print(f"  {role}: no {template} in the demo data, skipped")
                    continue
                files, status = {}, None
                for size, page in pages.items():
                    status = visit(page, path)
                    file = out / role / f"{number:02d}-{slug(path)}-{size}.png"
                    page.screenshot(path=file, full_page=True)
                    files[size] = file.relative_to(out).as_posix()
                shots.append((role, path, files, status))
                flag = "" if status == 200 else f"  (HTTP {status})"
                print(f"  {role:10} {path}{flag}")
            for context in contexts.values():
                context.close()
        browser.close()
    return shots


def write_index(out: Path, shots) -> Path:
    rows, current = [], None
    for role, path, files, status in shots:
        if role != current:
            rows.append(f"<h2>{html.escape(role)}</h2>")
            current = role
        images = "".join(
            f'<a href="{html.escape(files[size])}"><img src="{html.escape(files[size])}" alt="{size}" '
            f'class="{size}"></a>'
            for size in SIZES
        )
        note = "" if status == 200 else f" <b>HTTP {status}</b>"
        rows.append(f"<section><h3>{html.escape(path)}{note}</h3><div>{images}</div></section>")
    index = out / "index.html"
    index.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><title>Screenshots</title><style>'
        "body{font:14px system-ui,sans-serif;margin:16px}section div{display:flex;gap:12px;align-items:flex-start}"
        "img{border:1px solid #ccc;display:block}img.desktop{width:640px}img.phone{width:195px}</style>"
        + "\n".join(rows),
        encoding="utf-8",
    )
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a server that already runs (default: start one on a free port)")
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="folder for the images (default: %(default)s)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"screenshots: {CHROMIUM} is missing (scripts/system-deps.sh installs it)")
    out = Path(args.out).resolve()
    # Only this run's pictures: the last run's go (and nothing else in the folder).
    for old in [*out.glob("*/[0-9][0-9]-*.png"), out / "index.html"]:
        old.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    with server(args.url) as base:
        print(f"screenshots: {base}")
        shots = capture(base, out)
    index = write_index(out, shots)
    print(f"screenshots: {len(shots)} pages × {len(SIZES)} sizes in {out}/ — open {index}")


if __name__ == "__main__":
    main()
