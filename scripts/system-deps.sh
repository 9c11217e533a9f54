#!/usr/bin/env bash
# Install the Debian/Ubuntu packages the platform needs, and only those that are missing.
#
#   python3-venv                      the project virtualenv
#   gettext                           compilemessages / makemessages (msgfmt, xgettext)
#   chromium                          Playwright browser tests (tests/browser, /usr/bin/chromium)
#   fonts-noto-cjk                    Chinese glyphs in the browser and in certificate PDFs
#   poppler-utils, zbar-tools         certificate tests: PDF to text/image, QR code decoding
#   libharfbuzz-subset0               WeasyPrint font subsetting (certificates)
#   libpango-1.0-0, libpangoft2-1.0-0 WeasyPrint text layout
#   ffmpeg                            ffprobe checks uploaded lesson videos and measures their duration;
#                                     ffmpeg regenerates the demo videos (scripts/make-demo-videos.sh)
#
# apt-get update runs only when something has to be installed; sudo is used only when not root.
# chromium is optional: Ubuntu ships it as a snap (the deb is a transitional package that
# needs snapd), so when no installable deb exists we warn and carry on; only browser tests need it.
set -euo pipefail

required=(python3-venv gettext fonts-noto-cjk poppler-utils zbar-tools libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 ffmpeg)
optional=(chromium)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: not a Debian/Ubuntu system; install by hand: ${required[*]} ${optional[*]}" >&2
    exit 0
fi

missing=()
for pkg in "${required[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
missing_optional=()
for pkg in "${optional[@]}"; do
    installed "$pkg" || missing_optional+=("$pkg")
done
# A chromium from elsewhere (snap, manual install) is good enough.
if [[ ${#missing_optional[@]} -gt 0 && -x /usr/bin/chromium ]]; then
    missing_optional=()
fi

if [[ ${#missing[@]} -eq 0 && ${#missing_optional[@]} -eq 0 ]]; then
    echo "system-deps: all system packages present"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    # Never wait for a password nobody can type (CI, no terminal).
    if [[ -t 0 && -z "${CI:-}" ]]; then SUDO=(sudo); else SUDO=(sudo -n); fi
else
    echo "system-deps: missing ${missing[*]} ${missing_optional[*]} and not root; no sudo available." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "system-deps: installing ${missing[*]} ${missing_optional[*]}"
"${SUDO[@]}" apt-get update -qq

if [[ ${#missing[@]} -gt 0 ]]; then
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for pkg in "${missing_optional[@]}"; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [[ -n "$candidate" && "$candidate" != "(none)" ]] &&
        "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$pkg"; then
        continue
    fi
    echo "system-deps: WARNING: could not install $pkg from apt; browser tests need /usr/bin/chromium" >&2
    echo "system-deps:          (on Ubuntu: 'snap install chromium' and 'ln -s /snap/bin/chromium /usr/bin/chromium')" >&2
done
