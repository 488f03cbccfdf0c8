#!/usr/bin/env bash
# GraphDesk's set-up commands (see README.md): installs what is missing on Debian/Ubuntu, builds, then runs the app, runs
# every test, runs the benchmark, or fuzzes.
# Usage: ./dev.sh run [--release] | ./dev.sh test | ./dev.sh bench [--smoke] [--no-app] | ./dev.sh fuzz [SECONDS] [TARGET...]
#        | ./dev.sh windows (cross-compile, lint and link the Windows app; see README.md "Windows")
set -euo pipefail
cd "$(dirname "$0")"

# What building and running the app needs (Tauri 2 on WebKitGTK 4.1, tray through Ayatana AppIndicator).
BUILD_PACKAGES=(build-essential pkg-config file curl libwebkit2gtk-4.1-dev libayatana-appindicator3-dev xdg-utils
  desktop-file-utils)
# What the tests add: a headless display, a WebDriver for WebKit, a session bus, a Secret Service, and Python's venv
# for MSAL Python, which the emulated tenant's peer tests install from PyPI; xdotool answers the app's native dialogs.
TEST_PACKAGES=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools keyutils python3 python3-venv
  xdotool)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root or install sudo: $*"; fi
}

ensure_packages() {
  command -v apt-get >/dev/null || {
    say "not a Debian/Ubuntu system: install the equivalents of ${*} yourself (README.md lists them)"
    return 0
  }
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_toolchains() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
      say "installing Rust with rustup (https://rustup.rs)"
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
    }
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
}

build_ui() {
  say "building the window (ui/)"
  # npm ci is exact and offline-friendly; skip it when node_modules already matches the lockfile.
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
  (cd ui && npm run --silent check && npm run --silent build)
}

cmd_run() {
  local profile=()
  [ "${1:-}" = "--release" ] && profile=(--release)
  ensure_packages "${BUILD_PACKAGES[@]}"
  ensure_toolchains
  build_ui
  say "building and starting GraphDesk"
  exec cargo run -p graphdesk "${profile[@]}"
}

cmd_test() {
  ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_toolchains
  build_ui
  say "building the app binary and the standalone tenant the end-to-end tests drive"
  # Two commands: built together, cargo would unify features and give the app the tenant's test controls.
  cargo build -p graphdesk
  cargo build -p graphdesk-tenant
  say "bundling the .deb the package test installs (release build; about 6 minutes the first time)"
  (cd src-tauri && npx --yes @tauri-apps/cli@2.12.5 build --bundles deb --ci)
  say "running every test: unit, integration, peers (MSAL Python, msal-node), benchmarks once, end-to-end (Xvfb), the .deb"
  cargo test --workspace --no-fail-fast --all-targets
  cargo test --workspace --no-fail-fast --doc
}

cmd_bench() {
  ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_toolchains
  build_ui
  say "building the release app (the report measures the binary users get)"
  (cd src-tauri && npx --yes @tauri-apps/cli@2.12.5 build --no-bundle --ci)
  say "building the benchmark (release) and running it: GraphDesk vs MSAL Python and msal-node, then the app"
  GRAPHDESK_BIN="$PWD/target/release/graphdesk" cargo run --release -q -p graphdesk-bench -- "$@"
}

cmd_fuzz() {
  ensure_packages "${BUILD_PACKAGES[@]}"
  ensure_toolchains
  say "fuzzing (libFuzzer, stable Rust): ${1:-30} s per target"
  fuzz/run.sh "$@"
}

# The Windows target, cross-compiled with mingw-w64: what must be there, and the check itself. NSIS/MSI bundles,
# WebView2 and running the binary need a Windows host; this compiles, lints and links every #[cfg(windows)] line.
WINDOWS_TARGET=x86_64-pc-windows-gnu
WINDOWS_PACKAGES=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 nasm)

cmd_windows() {
  ensure_packages "${BUILD_PACKAGES[@]}"
  ensure_toolchains
  if ! rustup target list --installed 2>/dev/null | grep -qx "$WINDOWS_TARGET"; then
    say "adding the Rust target $WINDOWS_TARGET"
    if ! rustup target add "$WINDOWS_TARGET"; then
      say "SKIPPED the Windows check: rustup could not add $WINDOWS_TARGET (no route to static.rust-lang.org, or rustup is not how Rust was installed here)"
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    command -v x86_64-w64-mingw32-gcc >/dev/null && command -v nasm >/dev/null || {
      say "SKIPPED the Windows check: not a Debian/Ubuntu system and no mingw-w64 gcc and nasm on PATH (install them)"
      return 0
    }
  elif ! (ensure_packages "${WINDOWS_PACKAGES[@]}"); then
    say "SKIPPED the Windows check: apt-get could not install ${WINDOWS_PACKAGES[*]}"
    return 0
  fi
  [ -f ui/dist/index.html ] || build_ui
  say "clippy for $WINDOWS_TARGET (every crate, every target, warnings are errors)"
  cargo clippy --workspace --all-targets --target "$WINDOWS_TARGET" -- -D warnings
  say "building the Windows app binary ($WINDOWS_TARGET, debug)"
  cargo build -p graphdesk --target "$WINDOWS_TARGET"
  local exe="target/$WINDOWS_TARGET/debug/graphdesk.exe"
  # A debug build is a console program (main.rs asks for the GUI subsystem in release builds only).
  file "$exe" | grep -q "PE32+ executable (console) x86-64" || die "$exe is not a 64-bit Windows executable: $(file -b "$exe")"
  say "linked $exe ($(du -h "$exe" | cut -f1)): $(file -b "$exe" | cut -d, -f1-2); bundle and run it on Windows (README.md)"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  windows) shift; cmd_windows "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  *) die "usage: ./dev.sh run [--release] | ./dev.sh test | ./dev.sh bench [--smoke] [--no-app] | ./dev.sh fuzz [SECONDS] [TARGET...] | ./dev.sh windows" ;;
esac
