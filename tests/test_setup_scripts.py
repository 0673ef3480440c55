"""The README's two commands set up their own virtual environment (scripts/venv.sh) and repair one
that an earlier run left broken."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def _project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    for name in ("venv.sh", "apt.sh"):
        shutil.copy(CHECKOUT / "scripts" / name, tmp_path / "scripts" / name)
    return tmp_path


def _run(project: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(["bash", "scripts/venv.sh"], check=False, cwd=project, env=env, capture_output=True, text=True,
                          timeout=120)


def _pip_works(project: Path) -> bool:
    return subprocess.run([str(project / ".venv/bin/python"), "-m", "pip", "--version"], check=False,
                          capture_output=True).returncode == 0


def test_a_venv_without_pip_is_made_again(tmp_path: Path) -> None:
    """What a machine without python3-venv leaves behind: .venv with a python but no pip."""
    project = _project(tmp_path)
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    assert not _pip_works(project)
    done = _run(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "incomplete" in done.stdout
    assert _pip_works(project)
    again = _run(project)  # a working venv is kept as it is
    assert again.returncode == 0 and again.stdout == ""


def test_a_venv_folder_without_python_is_made_again(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / ".venv" / "bin").mkdir(parents=True)
    done = _run(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _pip_works(project)


def test_an_old_python_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    project = _project(tmp_path)
    fake = project / "python-old"
    fake.write_text('#!/bin/sh\nif [ "$1" = -V ]; then echo "Python 3.9.2"; exit 0; fi\nexit 1\n')
    fake.chmod(0o755)
    env = {**os.environ, "PYTHON": str(fake)}
    done = subprocess.run(["bash", "scripts/venv.sh"], check=False, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "ASAR needs Python 3.11 or newer" in done.stdout and "3.9.2" in done.stdout
    assert not (project / ".venv").exists()
