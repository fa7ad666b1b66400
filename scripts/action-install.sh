#!/usr/bin/env bash
# The action's install step: puts the prod-smoke release that matches the
# action's own version on PATH, through the repository's install.sh (the
# copy at the action's own ref, not one fetched from elsewhere).
#
# Reads: GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH,
#   GITHUB_SERVER_URL, INPUT_VERSION (blank = the action's Cargo.toml
#   version), INPUT_REPOSITORY (blank = ACTION_REPOSITORY, the repository
#   the action was used from), PROD_SMOKE_DOWNLOAD_BASE (a mirror).
# Writes outputs: path, version.
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"

version="${INPUT_VERSION:-}"
if [ -z "$version" ]; then
  # The action at ref v1 is the commit of its newest v1.x.y release, so the
  # workspace version there names exactly that release.
  version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)"
  if [ "$version" = v ]; then
    echo "::error title=prod-smoke::cannot read the version from $action_path/Cargo.toml; set the action's version input"
    exit 1
  fi
fi
case "$version" in v*) ;; *) version="v$version" ;; esac

if [ -z "${PROD_SMOKE_DOWNLOAD_BASE:-}" ]; then
  repository="${INPUT_REPOSITORY:-${ACTION_REPOSITORY:-}}"
  if [ -z "$repository" ]; then
    echo "::error title=prod-smoke::cannot tell which repository's releases to install from; set the action's repository input (owner/name)"
    exit 1
  fi
  export PROD_SMOKE_DOWNLOAD_BASE="${GITHUB_SERVER_URL:-https://github.com}/$repository/releases/download/$version"
fi

dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/prod-smoke/bin"
sh "$action_path/install.sh" --version "$version" --to "$dir"
echo "$dir" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
{
  echo "path=$dir/prod-smoke"
  echo "version=$version"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
