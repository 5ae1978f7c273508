#!/usr/bin/env bash
# Install the Debian packages the tests drive for real: Redis (the scale-out queue test),
# Chromium, Firefox ESR and Xvfb (the browser tests: Firefox has WebGL only on a screen) and
# npm (for Puppeteer, which drives Firefox), and a C compiler with the C library's headers
# (the CPU trainer compiles its fused first layer on first use).
# Does nothing when they are already there.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
[ -e /usr/include/stdlib.h ] || missing+=(libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
