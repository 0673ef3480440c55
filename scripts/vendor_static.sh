#!/usr/bin/env bash
# Vendor the front-end libraries ASAR serves itself (never from a CDN), and axe-core, which only
# the browser tests load (tests/browser/vendor/, never served).
#
#   scripts/vendor_static.sh          re-fetch from the npm registry with `npm pack`,
#                                     copy into static/vendor/ and tests/browser/vendor/,
#                                     rewrite both VENDOR.json files
#   scripts/vendor_static.sh --check  verify files on disk against both VENDOR.json files
#                                     (no network; exits non-zero on any mismatch)
#
# Needs: bash, tar, sha256sum (or shasum), python3; plus npm for the fetch mode.
set -euo pipefail

HTMX_VERSION="2.0.11"    # newest 2.x; htmx 4 has a different WebSocket API
WS_VERSION="2.0.4"       # htmx-ext-ws 2.x needs htmx 2 (NOT htmx.org's dist/ext/ws.js)
AXE_VERSION="4.14.1"     # axe-core 4.x: accessibility checks in the browser tests

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR_DIR="$ROOT/static/vendor"
MANIFEST="$VENDOR_DIR/VENDOR.json"
TEST_VENDOR_DIR="$ROOT/tests/browser/vendor"
TEST_MANIFEST="$TEST_VENDOR_DIR/VENDOR.json"

die() { echo "vendor_static: $*" >&2; exit 1; }

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

check() {
    local status=0
    check_manifest "$VENDOR_DIR" "$MANIFEST" || status=1
    check_manifest "$TEST_VENDOR_DIR" "$TEST_MANIFEST" || status=1
    if [[ $status -ne 0 ]]; then
        echo "vendor_static: check FAILED (re-run scripts/vendor_static.sh to re-fetch)" >&2
    else
        echo "vendor_static: check passed"
    fi
    return $status
}

# check_manifest DIR MANIFEST: every file and licence file listed has the recorded sha256
check_manifest() {
    local VENDOR_DIR="$1" MANIFEST="$2"
    [[ -f "$MANIFEST" ]] || die "missing $MANIFEST"
    # Emit "name<TAB>sha256" for every vendored file and licence file in the manifest.
    local entries
    entries="$(python3 - "$MANIFEST" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
files = data.get("files") or []
if not files:
    sys.exit("VENDOR.json lists no files")
for f in files:
    print(f"{f['file']}\t{f['sha256']}")
    print(f"{f['license_file']}\t{f['license_sha256']}")
PY
)" || die "cannot read $MANIFEST"

    local status=0 name expected actual
    while IFS=$'\t' read -r name expected; do
        if [[ ! -f "$VENDOR_DIR/$name" ]]; then
            echo "MISSING   $name" >&2
            status=1
            continue
        fi
        actual="$(sha256 "$VENDOR_DIR/$name")"
        if [[ "$actual" == "$expected" ]]; then
            echo "OK        $name  $actual"
        else
            echo "MISMATCH  $name  expected $expected, got $actual" >&2
            status=1
        fi
    done <<<"$entries"
    return $status
}

# fetch PACKAGE VERSION -> prints "<dir-with-package>\t<tarball integrity>"
fetch() {
    local pkg="$1" version="$2" dest="$WORK/$1"
    mkdir -p "$dest"
    local json integrity tarball
    json="$(cd "$WORK" && npm pack "$pkg@$version" --json --pack-destination "$dest" 2>/dev/null)" \
        || die "npm pack $pkg@$version failed"
    read -r tarball integrity < <(python3 -c '
import json, sys
d = json.loads(sys.stdin.read())[0]
print(d["filename"], d["integrity"])' <<<"$json")
    tar -xzf "$dest/$tarball" -C "$dest"
    local got
    got="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["name"]+"@"+d["version"])' \
        "$dest/package/package.json")"
    [[ "$got" == "$pkg@$version" ]] || die "tarball is $got, expected $pkg@$version"
    printf '%s\t%s\n' "$dest/package" "$integrity"
}

# spdx PACKAGE_DIR -> SPDX id from package.json, else recognised from the LICENSE text
spdx() {
    python3 - "$1" <<'PY'
import json, sys, pathlib
pkg = pathlib.Path(sys.argv[1])
lic = json.loads((pkg / "package.json").read_text(encoding="utf-8")).get("license")
if isinstance(lic, str) and lic:
    print(lic, "package.json", sep="\t")
    sys.exit()
head = (pkg / "LICENSE").read_text(encoding="utf-8").lstrip().splitlines()[0].lower()
if "zero clause" in head or "zero-clause" in head:
    print("0BSD", "LICENSE text (package.json has no license field)", sep="\t")
else:
    sys.exit(f"cannot determine SPDX licence for {pkg}")
PY
}

vendor() {
    command -v npm >/dev/null 2>&1 || die "npm not found"
    WORK="$(mktemp -d)"
    trap 'rm -rf "$WORK"' EXIT
    mkdir -p "$VENDOR_DIR"

    local htmx_dir htmx_int ws_dir ws_int
    IFS=$'\t' read -r htmx_dir htmx_int < <(fetch htmx.org "$HTMX_VERSION")
    IFS=$'\t' read -r ws_dir ws_int < <(fetch htmx-ext-ws "$WS_VERSION")
    [[ -n "$htmx_dir" && -n "$ws_dir" ]] || die "fetch failed"

    local htmx_src="dist/htmx.min.js"
    local htmx_out="htmx-$HTMX_VERSION.min.js"
    local ws_src ws_out
    if [[ -f "$ws_dir/dist/ws.min.js" ]]; then
        ws_src="dist/ws.min.js"; ws_out="htmx-ext-ws-$WS_VERSION.min.js"
    else
        ws_src="dist/ws.js"; ws_out="htmx-ext-ws-$WS_VERSION.js"
    fi

    [[ -f "$htmx_dir/$htmx_src" ]] || die "htmx.org@$HTMX_VERSION has no $htmx_src"
    [[ -f "$ws_dir/$ws_src" ]] || die "htmx-ext-ws@$WS_VERSION has no $ws_src"
    grep -q "version:\"$HTMX_VERSION\"" "$htmx_dir/$htmx_src" \
        || die "$htmx_src does not declare version $HTMX_VERSION"
    grep -q 'defineExtension("ws"' "$ws_dir/$ws_src" \
        || die "$ws_src does not define the ws extension"

    # Drop older copies of the same libraries, then copy the new ones in.
    rm -f "$VENDOR_DIR"/htmx-[0-9]*.js "$VENDOR_DIR"/htmx-ext-ws-*.js
    cp "$htmx_dir/$htmx_src" "$VENDOR_DIR/$htmx_out"
    cp "$ws_dir/$ws_src" "$VENDOR_DIR/$ws_out"
    cp "$htmx_dir/LICENSE" "$VENDOR_DIR/LICENSE-htmx.txt"
    cp "$ws_dir/LICENSE" "$VENDOR_DIR/LICENSE-htmx-ext-ws.txt"

    local htmx_lic htmx_lic_from ws_lic ws_lic_from
    IFS=$'\t' read -r htmx_lic htmx_lic_from < <(spdx "$htmx_dir")
    IFS=$'\t' read -r ws_lic ws_lic_from < <(spdx "$ws_dir")
    [[ -n "$htmx_lic" && -n "$ws_lic" ]] || die "licence detection failed"

    python3 - "$MANIFEST" <<PY
import json, sys
entries = [
    {
        "file": "$htmx_out",
        "package": "htmx.org",
        "version": "$HTMX_VERSION",
        "source": "npm:htmx.org@$HTMX_VERSION $htmx_src",
        "license": "$htmx_lic",
        "license_from": "$htmx_lic_from",
        "license_file": "LICENSE-htmx.txt",
        "sha256": "$(sha256 "$VENDOR_DIR/$htmx_out")",
        "license_sha256": "$(sha256 "$VENDOR_DIR/LICENSE-htmx.txt")",
        "tarball_integrity": "$htmx_int",
    },
    {
        "file": "$ws_out",
        "package": "htmx-ext-ws",
        "version": "$WS_VERSION",
        "source": "npm:htmx-ext-ws@$WS_VERSION $ws_src",
        "license": "$ws_lic",
        "license_from": "$ws_lic_from",
        "license_file": "LICENSE-htmx-ext-ws.txt",
        "sha256": "$(sha256 "$VENDOR_DIR/$ws_out")",
        "license_sha256": "$(sha256 "$VENDOR_DIR/LICENSE-htmx-ext-ws.txt")",
        "tarball_integrity": "$ws_int",
    },
]
doc = {
    "comment": "Generated by scripts/vendor_static.sh; verify with scripts/vendor_static.sh --check",
    "files": entries,
}
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump(doc, fh, indent=2)
    fh.write("\n")
PY
    echo "vendor_static: wrote $VENDOR_DIR/{$htmx_out,$ws_out} and VENDOR.json"

    # axe-core, for the browser tests only
    local axe_dir axe_int axe_lic axe_lic_from
    IFS=$'\t' read -r axe_dir axe_int < <(fetch axe-core "$AXE_VERSION")
    [[ -n "$axe_dir" && -f "$axe_dir/axe.min.js" ]] || die "axe-core@$AXE_VERSION has no axe.min.js"
    grep -q "axe v$AXE_VERSION" "$axe_dir/axe.min.js" || die "axe.min.js does not declare version $AXE_VERSION"
    local axe_out="axe-core-$AXE_VERSION.min.js"
    mkdir -p "$TEST_VENDOR_DIR"
    rm -f "$TEST_VENDOR_DIR"/axe-core-*.js
    cp "$axe_dir/axe.min.js" "$TEST_VENDOR_DIR/$axe_out"
    cp "$axe_dir/LICENSE" "$TEST_VENDOR_DIR/LICENSE-axe-core.txt"
    IFS=$'\t' read -r axe_lic axe_lic_from < <(spdx "$axe_dir")
    [[ -n "$axe_lic" ]] || die "licence detection failed"
    python3 - "$TEST_MANIFEST" <<PY
import json, sys
doc = {
    "comment": "Generated by scripts/vendor_static.sh; verify with scripts/vendor_static.sh --check. "
               "Loaded by the browser tests only, never served.",
    "files": [{
        "file": "$axe_out",
        "package": "axe-core",
        "version": "$AXE_VERSION",
        "source": "npm:axe-core@$AXE_VERSION axe.min.js",
        "license": "$axe_lic",
        "license_from": "$axe_lic_from",
        "license_file": "LICENSE-axe-core.txt",
        "sha256": "$(sha256 "$TEST_VENDOR_DIR/$axe_out")",
        "license_sha256": "$(sha256 "$TEST_VENDOR_DIR/LICENSE-axe-core.txt")",
        "tarball_integrity": "$axe_int",
    }],
}
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump(doc, fh, indent=2)
    fh.write("\n")
PY
    echo "vendor_static: wrote $TEST_VENDOR_DIR/$axe_out and VENDOR.json"
    check
}

case "${1:-}" in
    --check) check ;;
    "") vendor ;;
    -h|--help) sed -n '2,9p' "$0" ;;
    *) die "unknown argument: $1 (use --check)" ;;
esac
