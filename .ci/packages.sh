#!/usr/bin/env bash
# Install the Debian packages the tests drive for real: Redis (the scale-out queue test)
# and Chromium (the browser tests). Does nothing when they are already there.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
