#!/bin/sh
# Makes sure the headless browser the ui-tests module drives is installed:
# Debian's chromium and chromium-driver packages (/usr/bin/chromium, /usr/bin/chromedriver).
# Does nothing when both are present; installs them with apt-get when run as root;
# otherwise fails and says what to install. The browser tests never skip: without the
# browser they fail.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: installing chromium and chromium-driver with apt-get" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
  fi
  echo "install-browser: apt-get finished but /usr/bin/chromium or /usr/bin/chromedriver is still missing" >&2
  exit 1
fi

echo "install-browser: the browser tests (module ui-tests) need /usr/bin/chromium and /usr/bin/chromedriver." >&2
echo "Install them as root, e.g.: sudo apt-get install -y chromium chromium-driver" >&2
echo "(Debian/Ubuntu packages 'chromium' and 'chromium-driver'), then run the build again." >&2
exit 1
