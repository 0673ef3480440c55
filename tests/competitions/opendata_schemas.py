"""The vendored open data schemas as validators (no network): OCDS 1.1.5 with the lots extension merged
in, and 360Giving 1.4.3. Shared by the open data tests."""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

import asar.competitions.opendata.api as opendata_api

SCHEMAS = Path(opendata_api.__file__).parent / "schemas"
OCDS_BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def _load(path: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / path).read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: how an OCDS extension's release-schema.json applies to the core schema."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's format checker plus `date-time` (RFC 3339) and `uri`, which it checks only with optional
    packages installed. Without them a date passes as a date-time, and 360Giving's `oneOf` of a date-time
    and a date pattern rejects every date (both branches match): its own tools check the format."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("z", "Z"))
        return True

    @checker.checks("uri", raises=ValueError)
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in value

    return checker


@functools.cache
def ocds_validator() -> jsonschema.Draft4Validator:
    """The release-package schema with the release schema (lots extension merged) resolved from disk."""
    release = merge_patch(_load("ocds-1.1.5/release-schema.json"),
                          _load("ocds_lots_extension-v1.1.5/release-schema.json"))
    package = _load("ocds-1.1.5/release-package-schema.json")
    registry: Registry = Registry().with_resources([
        (OCDS_BASE + "release-schema.json", Resource.from_contents(release, default_specification=DRAFT4)),
        (OCDS_BASE + "release-package-schema.json", Resource.from_contents(package, default_specification=DRAFT4)),
    ])
    jsonschema.Draft4Validator.check_schema(package)
    jsonschema.Draft4Validator.check_schema(release)
    return jsonschema.Draft4Validator(package, registry=registry,
                                      format_checker=format_checker())


def assert_valid_ocds(package: dict[str, Any]) -> None:
    errors = sorted(ocds_validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@functools.cache
def giving_validator() -> jsonschema.Draft202012Validator:
    """The 360Giving 1.4.3 package schema with its grant schema resolved from disk."""
    grant = _load("360giving-1.4.3/360-giving-schema.json")
    package = _load("360giving-1.4.3/360-giving-package-schema.json")
    jsonschema.Draft202012Validator.check_schema(grant)
    jsonschema.Draft202012Validator.check_schema(package)
    registry: Registry = Registry().with_resource(
        package["properties"]["grants"]["items"]["$ref"], Resource.from_contents(grant, DRAFT202012))
    return jsonschema.Draft202012Validator(package, registry=registry,
                                           format_checker=format_checker())


def assert_valid_360giving(package: dict[str, Any]) -> None:
    errors = sorted(giving_validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
