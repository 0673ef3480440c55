"""The vendored front-end libraries match static/vendor/VENDOR.json (no CDN, pinned bytes), and
axe-core, which only the browser tests load, matches tests/browser/vendor/VENDOR.json."""

import hashlib
import json
from pathlib import Path

import pytest

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST = VENDOR_DIR / "VENDOR.json"
TEST_VENDOR_DIR = Path(__file__).resolve().parent / "browser" / "vendor"


def _entries() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["files"]


def _test_entries() -> list[dict]:
    return json.loads((TEST_VENDOR_DIR / "VENDOR.json").read_text(encoding="utf-8"))["files"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_lists_htmx_and_ws_extension():
    packages = {e["package"]: e for e in _entries()}
    assert set(packages) == {"htmx.org", "htmx-ext-ws"}
    assert packages["htmx.org"]["version"] == "2.0.11"
    assert packages["htmx-ext-ws"]["version"] == "2.0.4"
    for entry in packages.values():
        for key in ("file", "package", "version", "source", "license", "sha256"):
            assert entry.get(key), f"{entry.get('file')}: missing {key}"
        assert entry["source"].startswith(f"npm:{entry['package']}@{entry['version']} dist/")
        # htmx.org's own dist/ext/ws.js is the old 1.x extension: never vendor that one.
        assert "/ext/" not in entry["source"]


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e["file"])
def test_vendored_file_exists_and_sha256_matches(entry):
    path = VENDOR_DIR / entry["file"]
    assert path.is_file(), f"missing {path}"
    assert _sha256(path) == entry["sha256"]


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e["file"])
def test_license_file_exists_and_matches(entry):
    path = VENDOR_DIR / entry["license_file"]
    assert path.is_file(), f"missing {path}"
    assert path.stat().st_size > 0
    assert _sha256(path) == entry["license_sha256"]


def test_named_license_files_exist():
    for name in ("LICENSE-htmx.txt", "LICENSE-htmx-ext-ws.txt"):
        path = VENDOR_DIR / name
        assert path.is_file(), f"missing {path}"
        assert "Permission to use, copy, modify" in path.read_text(encoding="utf-8")


def test_htmx_file_is_version_2_0_11():
    entry = next(e for e in _entries() if e["package"] == "htmx.org")
    text = (VENDOR_DIR / entry["file"]).read_text(encoding="utf-8")
    assert "2.0.11" in text
    assert 'version:"2.0.11"' in text


def test_ws_extension_is_the_htmx2_one():
    entry = next(e for e in _entries() if e["package"] == "htmx-ext-ws")
    text = (VENDOR_DIR / entry["file"]).read_text(encoding="utf-8")
    assert 'htmx.defineExtension("ws"' in text
    # The htmx 2 extension uses the ws-connect / ws-send attributes.
    assert "ws-connect" in text


def test_axe_core_is_pinned_for_the_browser_tests_only():
    (entry,) = _test_entries()
    assert (entry["package"], entry["version"], entry["license"]) == ("axe-core", "4.14.1", "MPL-2.0")
    assert entry["source"] == "npm:axe-core@4.14.1 axe.min.js"
    path, licence = TEST_VENDOR_DIR / entry["file"], TEST_VENDOR_DIR / entry["license_file"]
    assert _sha256(path) == entry["sha256"] and _sha256(licence) == entry["license_sha256"]
    assert path.read_text(encoding="utf-8").startswith("/*! axe v4.14.1")
    assert "Mozilla Public License" in licence.read_text(encoding="utf-8")
    assert not list(VENDOR_DIR.glob("axe*"))  # never served
