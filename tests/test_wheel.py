"""The wheel carries the bundled graph: install it into a fresh venv and build from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_builds_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(REPO)], check=True)
    wheels = list(dist.glob("stdgraph-*.whl"))
    assert len(wheels) == 1

    import zipfile

    names = zipfile.ZipFile(wheels[0]).namelist()
    for folder in ("ontology", "shapes", "data", "queries"):
        assert any(n.startswith(f"stdgraph/_bundled/{folder}/") for n in names), folder

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheels[0])], check=True)

    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("STDGRAPH_STORE", None)
    env.pop("STDGRAPH_PROJECT", None)
    exe = env_dir / "bin" / "stdgraph"
    build = subprocess.run([str(exe), "build"], cwd=elsewhere, env=env, capture_output=True,
                           text=True)
    assert build.returncode == 0, build.stderr
    q = subprocess.run([str(exe), "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                        "--format", "csv"], cwd=elsewhere, env=env, capture_output=True,
                       text=True)
    assert q.returncode == 0, q.stderr
    header, count = q.stdout.split()
    assert header == "n" and int(count) > 0
    assert (tmp_path / "xdg" / "stdgraph" / "store" / "CURRENT").is_file()
