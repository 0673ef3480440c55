"""Settings from ASAR_* variables; a secret key is required in production."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from asar.settings import Settings


def test_production_requires_a_secret_key(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ASAR_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="ASAR_SECRET_KEY"):
        Settings(env="production", data_dir=tmp_path)


def test_embedded_default_generates_and_keeps_a_secret(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ASAR_SECRET_KEY", raising=False)
    first = Settings(data_dir=tmp_path)
    second = Settings(data_dir=tmp_path)
    assert first.secret_key
    assert first.secret_key == second.secret_key
    assert first.embedded
    assert first.show_demo_credentials
    assert (tmp_path / ".asar-secret").stat().st_mode & 0o777 == 0o600


def test_environment_variables_are_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ASAR_DATABASE_URL", "postgresql+asyncpg://u@db/asar")
    monkeypatch.setenv("ASAR_REDIS_URL", "redis://r:6379/0")
    monkeypatch.setenv("ASAR_ALLOWED_HOSTS", "asar.kz, www.asar.kz")
    monkeypatch.setenv("ASAR_SECRET_KEY", "s" * 40)
    s = Settings(data_dir=tmp_path)
    assert s.allowed_hosts == ["asar.kz", "www.asar.kz"]
    assert not s.embedded
    assert not s.show_demo_credentials
    assert s.redis_url == "redis://r:6379/0"


def test_importing_the_worker_reads_no_settings_and_writes_no_secret(tmp_path: Path) -> None:
    """The worker module is imported by tests and tools: it must not write `.asar-secret` where it runs."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ASAR_")}
    subprocess.run([sys.executable, "-c", "import asar.worker"], cwd=tmp_path, env=env, check=True)
    assert list(tmp_path.iterdir()) == []


def test_importing_the_test_factories_outside_pytest_makes_no_temporary_folder(tmp_path: Path) -> None:
    """Benchmarks import tests.conftest (through the factories): no folder of the test run may appear."""
    import subprocess
    import sys

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", "import tests.conftest"], cwd=Path(__file__).parent.parent, env=env,
                   check=True)
    assert list(tmp_path.iterdir()) == []


def test_the_suite_notices_what_a_test_leaves_behind() -> None:
    from tests import conftest
    from tests.conftest import leftovers

    stray = conftest.TMP_ROOT / "stray-file"
    stray.write_text("x")
    try:
        assert str(stray) in leftovers()
    finally:
        stray.unlink()
    assert str(stray) not in leftovers()
