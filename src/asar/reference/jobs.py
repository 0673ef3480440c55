"""The reference data's startup work: regions and areas cached before the app serves."""

from __future__ import annotations

from asar.jobs import JobRegistry
from asar.reference.service import warm_reference_data


def register(registry: JobRegistry) -> None:
    registry.at_startup(warm_reference_data)
