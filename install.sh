#!/bin/sh
# Installs prod-smoke from a release archive, without root:
#
#   curl -sSf https://raw.githubusercontent.com/mcritchie-studio/prod-smoke/main/install.sh | sh
#   curl -sSf .../install.sh | sh -s -- --version v0.1.0 --to /opt/bin
#
# It downloads prod-smoke-x86_64-unknown-linux-gnu.tar.gz and its .sha256
# from PROD_SMOKE_DOWNLOAD_BASE (default: the latest GitHub release), checks
# the SHA-256 *before* unpacking anything, and only then puts `prod-smoke`
# into the target folder (default ~/.local/bin), replacing an older one in a
# single rename. A checksum mismatch stops here and installs nothing.
#
# `install.sh --find-chromium` prints the path of a real (non-snap) Chromium
# or Chrome and exits 0, or prints the one command that installs it and
# exits 1. The GitHub Action uses it, so the check lives in one place.
#
# POSIX sh: no bashisms, so `| sh` works with dash and busybox too.
set -eu

REPO="mcritchie-studio/prod-smoke"
TARGET="x86_64-unknown-linux-gnu"
ARCHIVE="prod-smoke-$TARGET.tar.gz"

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

usage() {
    cat <<EOF
usage: install.sh [--version vX.Y.Z] [--to DIR] [--find-chromium]

  --version V      install release V (default: the latest release)
  --to DIR         install into DIR (default: ~/.local/bin); no root needed
  --find-chromium  only look for a real Chromium: print its path, or the
                   command that installs it (exit 1)

environment:
  PROD_SMOKE_DOWNLOAD_BASE  URL of the folder holding $ARCHIVE and
                            $ARCHIVE.sha256 (overrides --version's URL)
EOF
}

# --- Chromium -------------------------------------------------------------

# Prints the resolved path of the first real browser on PATH. A snap is
# never real: its private /tmp breaks the DevTools connection, and Ubuntu's
# `chromium` deb is only a shell shim that installs the snap.
find_chromium() {
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        path=$(command -v "$name" 2>/dev/null) || continue
        resolved=$(readlink -f "$path" 2>/dev/null) || resolved=$path
        case "$resolved" in /snap/*) continue ;; esac
        if [ "$(head -c 2 "$resolved" 2>/dev/null)" = '#!' ] && grep -q '/snap/' "$resolved" 2>/dev/null; then
            continue
        fi
        "$resolved" --version >/dev/null 2>&1 || continue
        printf '%s\n' "$resolved"
        return 0
    done
    return 1
}

# The one command that installs a real browser on this distribution.
chromium_install_command() {
    id=""
    like=""
    if [ -r /etc/os-release ]; then
        id=$(sed -n 's/^ID=//p' /etc/os-release | tr -d '"')
        like=$(sed -n 's/^ID_LIKE=//p' /etc/os-release | tr -d '"')
    fi
    case " $id $like " in
        *" ubuntu "*)
            # Ubuntu's chromium deb is the snap shim; Google's deb is real.
            echo 'curl -fsSLo /tmp/chrome.deb https://dl.google.com/linux/direct/google-chrome-stable_current_amd64.deb && sudo apt-get install -y /tmp/chrome.deb' ;;
        *" debian "*) echo 'sudo apt-get install -y chromium' ;;
        *" fedora "* | *" rhel "*) echo 'sudo dnf install -y chromium' ;;
        *" arch "*) echo 'sudo pacman -S --needed chromium' ;;
        *" alpine "*) echo 'sudo apk add chromium' ;;
        *) echo "install Chromium or Google Chrome from your distribution's packages (not a snap)" ;;
    esac
}

report_chromium() {
    if browser=$(find_chromium); then
        say "Chromium: $browser"
        case "$browser" in
            */chromium | */chromium-browser | */google-chrome | */google-chrome-stable) ;;
            *) say "  pass it as: prod-smoke --chromium $browser" ;;
        esac
        return 0
    fi
    say "no real (non-snap) Chromium found; prod-smoke needs one. Install it with:"
    say "  $(chromium_install_command)"
    return 1
}

# --- arguments ------------------------------------------------------------

version=""
to=""
mode=install
while [ $# -gt 0 ]; do
    case "$1" in
        --version)
            [ $# -ge 2 ] || die "--version needs a value, e.g. --version v0.1.0"
            version=$2
            shift 2 ;;
        --version=*) version=${1#*=}; shift ;;
        --to)
            [ $# -ge 2 ] || die "--to needs a folder, e.g. --to ~/.local/bin"
            to=$2
            shift 2 ;;
        --to=*) to=${1#*=}; shift ;;
        --find-chromium) mode=find-chromium; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done

if [ "$mode" = find-chromium ]; then
    if browser=$(find_chromium); then
        printf '%s\n' "$browser"
        exit 0
    fi
    say "no real (non-snap) Chromium found. Install it with:"
    say "  $(chromium_install_command)"
    exit 1
fi

if [ -z "$to" ]; then
    [ -n "${HOME:-}" ] || die "HOME is not set; choose a folder with --to DIR"
    to="$HOME/.local/bin"
fi

os=$(uname -s)
arch=$(uname -m)
if [ "$os" != Linux ] || [ "$arch" != x86_64 ]; then
    die "there is no prebuilt prod-smoke for $os/$arch yet (only $TARGET); build it from source with cargo"
fi

case "$version" in
    "" | latest) tag="" ;;
    v*) tag=$version ;;
    *) tag="v$version" ;;
esac
if [ -n "${PROD_SMOKE_DOWNLOAD_BASE:-}" ]; then
    base=${PROD_SMOKE_DOWNLOAD_BASE%/}
elif [ -n "$tag" ]; then
    base="https://github.com/$REPO/releases/download/$tag"
else
    base="https://github.com/$REPO/releases/latest/download"
fi

# --- download and verify --------------------------------------------------

fetch() { # URL FILE
    if command -v curl >/dev/null 2>&1; then
        curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget --quiet --tries=3 --output-document="$2" "$1"
    else
        die "neither curl nor wget is installed; install one of them"
    fi
}

sha256_of() { # FILE
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    else
        die "no SHA-256 tool (sha256sum, shasum or openssl) to verify the download with"
    fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prod-smoke-install.XXXXXX") || die "cannot create a temporary folder"
# Whatever happens from here on, the scratch folder goes.
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

say "downloading $base/$ARCHIVE"
fetch "$base/$ARCHIVE" "$tmp/$ARCHIVE" || die "cannot download $base/$ARCHIVE (does that release exist?)"
fetch "$base/$ARCHIVE.sha256" "$tmp/$ARCHIVE.sha256" || die "cannot download $base/$ARCHIVE.sha256"

# `sha256sum -c` format: "<64 hex>  <name>" (a `*` marks binary mode).
expected=$(sed -n '1s/^\([0-9a-fA-F]\{64\}\)[ ][ *]\(.*\)$/\1/p' "$tmp/$ARCHIVE.sha256")
named=$(sed -n '1s/^\([0-9a-fA-F]\{64\}\)[ ][ *]\(.*\)$/\2/p' "$tmp/$ARCHIVE.sha256")
[ -n "$expected" ] || die "$ARCHIVE.sha256 is not in sha256sum format; nothing was installed"
[ "$named" = "$ARCHIVE" ] || die "$ARCHIVE.sha256 is for '$named', not $ARCHIVE; nothing was installed"
expected=$(printf '%s' "$expected" | tr 'A-F' 'a-f')
actual=$(sha256_of "$tmp/$ARCHIVE")
if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $ARCHIVE: expected $expected, got $actual. The download is corrupt or was tampered with; nothing was installed."
fi
say "checksum ok ($expected)"

# --- unpack and install ---------------------------------------------------

mkdir "$tmp/unpacked"
tar -xzf "$tmp/$ARCHIVE" -C "$tmp/unpacked" || die "cannot unpack $ARCHIVE; nothing was installed"
binary="$tmp/unpacked/prod-smoke-$TARGET/prod-smoke"
[ -f "$binary" ] || die "$ARCHIVE holds no prod-smoke-$TARGET/prod-smoke; nothing was installed"
# Run it before it replaces anything: a too-old glibc shows up here.
if ! installed_version=$("$binary" --version 2>&1); then
    die "the downloaded prod-smoke does not run on this system: $installed_version; nothing was installed"
fi

mkdir -p "$to" || die "cannot create $to; choose another folder with --to DIR"
[ -w "$to" ] || die "cannot write to $to; choose a folder you own with --to DIR (no root needed)"
# Copy next to the target, then rename: a half-written binary never takes
# the place of a working one, and a running prod-smoke keeps its old file.
cp "$binary" "$to/.prod-smoke.partial.$$"
chmod 755 "$to/.prod-smoke.partial.$$"
mv -f "$to/.prod-smoke.partial.$$" "$to/prod-smoke"
say "installed $installed_version to $to/prod-smoke"

case ":${PATH:-}:" in
    *":$to:"*) ;;
    *)
        say "$to is not on PATH. Add it with:"
        say "  export PATH=\"$to:\$PATH\""
        say "  (in GitHub Actions: echo \"$to\" >> \"\$GITHUB_PATH\")" ;;
esac

report_chromium || true
