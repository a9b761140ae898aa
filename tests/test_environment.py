"""The project's own files pin and describe one environment."""

from __future__ import annotations

import re
import tomllib

import yaml

from segkit.config import PROJECT_ROOT

#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"duckdb": "python-duckdb"}
#: Dependencies that exist on PyPI only: environment.yml installs them with pip.
PIP_ONLY = {"pylopdf-fonts-zh-cn"}


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
    pip = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    pip_deps = dict(_split(d) for d in pip if not d.startswith("-e"))
    assert set(pip_deps) == PIP_ONLY
    assert {**conda, **pip_deps} == expected


def test_conda_users_are_told_to_register_the_kernel():
    text = (PROJECT_ROOT / "environment.yml").read_text()
    assert "make kernel" in text
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "\nkernel:" in makefile and "ipykernel install" in makefile


def test_make_lab_runs_as_root_in_a_container():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    lab = makefile[makefile.index("\nlab:"):].split("\n\n")[0]
    assert "$(ALLOW_ROOT)" in lab and "--allow-root" in makefile


def test_the_missing_kernel_error_names_a_make_target_that_exists(monkeypatch):
    import re

    import pytest

    from segkit.exceptions import RenderError
    from segkit.report import rendering

    with pytest.raises(RenderError) as err:
        rendering._check_kernel("no-such-kernel-segkit")
    targets = re.findall(r"make (\w+)", str(err.value))
    assert targets
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_constraints_pin_every_dependency_exactly():
    lines = (PROJECT_ROOT / "requirements" / "constraints.txt").read_text().splitlines()
    pins = dict(line.lower().split("==") for line in lines if line and not line.startswith("#"))
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    names = [_split(r)[0] for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    missing = [n for n in names if n not in pins and n.replace("_", "-") not in pins]
    assert not missing, f"not pinned in constraints.txt: {missing}"
