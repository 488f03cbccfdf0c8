#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer's coverage instrumentation (stable Rust: SanitizerCoverage through rustc's
# -C passes and LLVM arguments; no nightly needed) and runs each for a while on its seed corpus.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 30 s, every target)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(redirect token_response cache_file jwt)
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps the instrumentation off build scripts and proc macros (as cargo-fuzz does).
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --locked --target "$host" --target-dir ../target/fuzz --bins
# URL-safe base64 without padding, as JWTs use.
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "../target/fuzz/artifacts/$target"
  work=$(mktemp -d)
  if [ "$target" = jwt ]; then
    # The JWT seed is made here rather than committed, so no token-shaped string sits in the repository: fake claims,
    # and a "signature" that is just that word.
    printf '%s.%s.%s' "$(b64url '{"typ":"JWT","alg":"RS256"}')" \
      "$(b64url '{"aud":"a","iss":"i","exp":1,"sub":"s","tid":"t"}')" "$(b64url signature)" >"$work/seed"
  fi
  echo "==> fuzzing $target for ${seconds}s"
  # New inputs go to a scratch corpus; the committed seeds stay as they are.
  "../target/fuzz/$host/release/$target" "$work" "corpus/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="../target/fuzz/artifacts/$target/" -max_len=16384 2>&1 | grep -E "^(#|stat::|INFO: Running|==)" | tail -n 8
  rm -rf "$work"
done
