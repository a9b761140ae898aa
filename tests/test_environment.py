"""The project's own files pin and describe one environment."""

from __future__ import annotations

import re
import tomllib

import yaml

from segkit.config import PROJECT_ROOT

#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"duckdb": "python-duckdb"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    expected = {CONDA_NAMES.get(n, n): spec for n, spec in map(_split, pip_reqs)}
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    conda.pop("python")
    conda.pop("pip")
    assert conda == expected


def test_constraints_pin_every_dependency_exactly():
    lines = (PROJECT_ROOT / "requirements" / "constraints.txt").read_text().splitlines()
    pins = dict(line.lower().split("==") for line in lines if line and not line.startswith("#"))
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    names = [_split(r)[0] for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    missing = [n for n in names if n not in pins and n.replace("_", "-") not in pins]
    assert not missing, f"not pinned in constraints.txt: {missing}"
