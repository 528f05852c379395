#!/usr/bin/env sh
# Install Helix into .venv. `scripts/install.sh test` adds the test tools.
#
# One optional system library: HarfBuzz's subsetter (Debian package libharfbuzz-subset0) lets
# weasyprint subset fonts natively, several times faster than its pure-Python fallback. It is
# installed when missing and this runs as root with apt; without it everything still works.
set -eu
cd "$(dirname "$0")/.."
if ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get install -y -q libharfbuzz-subset0 >/dev/null 2>&1 \
            || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libharfbuzz-subset0 >/dev/null 2>&1)) \
            || echo "note: could not install libharfbuzz-subset0; PDFs will render more slowly" >&2
    else
        echo "note: libharfbuzz-subset0 is missing; PDFs render more slowly (install it with your package manager)" >&2
    fi
fi
# The browser test (tests/browser) drives Debian's chromium with playwright; nothing is downloaded
# at run time. `test` installs it when missing and this runs as root with apt.
if [ "${1:-}" = "test" ] && ! [ -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get install -y -q chromium >/dev/null 2>&1 \
            || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
            || echo "note: could not install chromium; the browser test will be skipped (and fail under CI)" >&2
    else
        echo "note: /usr/bin/chromium is missing; the browser test will be skipped (install the chromium package)" >&2
    fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
.venv/bin/pip install -q -e ".${extras}"
