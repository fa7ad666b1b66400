#!/usr/bin/env bash
# The action's Chromium step: finds a real (non-snap) Chromium or Chrome
# with install.sh's check, and installs Debian/Ubuntu's `chromium` package
# with apt when there is none (GitHub's Ubuntu images already ship one at
# /usr/bin/chromium, so that is the rare path). A snap is never used: its
# private /tmp breaks DevTools.
#
# Reads: GITHUB_ACTION_PATH, GITHUB_OUTPUT. Writes output: path.
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"

if ! found="$(sh "$action_path/install.sh" --find-chromium)"; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  found="$(sh "$action_path/install.sh" --find-chromium)" || {
    echo "::error title=Chromium::no usable Chromium (only a snap shim?); install a real Chromium or Chrome on the runner"
    exit 1
  }
fi
"$found" --version
echo "path=$found" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
