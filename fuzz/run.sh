#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer's coverage instrumentation (stable Rust: SanitizerCoverage through rustc's
# -C passes and LLVM arguments; no nightly needed) and runs each for a while on its seed corpus.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 30 s, every target)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(redirect token_response cache_file jwt cache_import www_authenticate federation)
# The MSAL libraries' own fixtures, when ../shared sits beside the clone (as in CI): seeds read at run time, never
# copied into the repository.
fixtures=../../shared/msal-fixtures
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
  if [ "$target" = cache_import ] && [ -d "$fixtures" ]; then
    # Every cache file the MSAL test suites wrote (MSAL Python, msal-node, MSAL .NET).
    find "$fixtures" -name '*.json' -size -64k | grep -i -E 'cache|token' | while read -r file; do
      cp "$file" "$work/$(printf '%s' "$file" | sha256sum | cut -c1-16)"
    done
  fi
  if [ "$target" = www_authenticate ] && [ -d "$fixtures" ]; then
    # Every WWW-Authenticate value the fixtures recorded, one seed each.
    python3 - "$fixtures" "$work" <<'PY'
import hashlib, json, pathlib, sys
found = set()
def walk(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, k)
    elif isinstance(value, list):
        if len(value) == 2 and all(isinstance(x, str) for x in value) and value[0].lower() == "www-authenticate":
            found.add(value[1])
        for item in value:
            walk(item, key)
    elif isinstance(value, str) and key.lower().replace("-", "_") == "www_authenticate":
        found.add(value)
for path in pathlib.Path(sys.argv[1]).rglob("*.json"):
    try:
        walk(json.loads(path.read_text(encoding="utf-8-sig")))
    except (ValueError, UnicodeDecodeError):
        pass
for value in found:
    (pathlib.Path(sys.argv[2]) / hashlib.sha256(value.encode()).hexdigest()[:16]).write_text(value)
print(f"   {len(found)} WWW-Authenticate seeds from the fixtures", file=sys.stderr)
PY
  fi
  echo "==> fuzzing $target for ${seconds}s"
  # New inputs go to a scratch corpus; the committed seeds stay as they are.
  "../target/fuzz/$host/release/$target" "$work" "corpus/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="../target/fuzz/artifacts/$target/" -max_len=16384 2>&1 | grep -E "^(#|stat::|INFO: Running|==)" | tail -n 8
  rm -rf "$work"
done
