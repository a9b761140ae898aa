"""Course notebooks stay small, fast, offline and portable.

nbval (run by ``make test`` with ``--nbval``) checks that re-running every course
notebook reproduces its committed outputs; this module checks the rest.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from segkit.config import PROJECT_ROOT

NOTEBOOK_DIRS = [PROJECT_ROOT / "notebooks", PROJECT_ROOT / "exercises" / "solutions"]
NOTEBOOKS = sorted(p for d in NOTEBOOK_DIRS for p in d.glob("*.ipynb"))
MAX_BYTES = 1_500_000
MAX_SECONDS = 60

URL = re.compile(r"\b(https?|ftp)://", re.I)
PIP = re.compile(r"^\s*[!%]\s*(pip|conda|mamba|uv)\b", re.M)
ABS_PATH = re.compile(r"(^|[\s'\"(=])(/(home|root|tmp|usr|work|Users|opt|var|mnt)/|[A-Za-z]:\\\\)")
# Links in markdown prose are fine; data must not come from them.
READ_CALL = re.compile(r"read_\w+\(\s*['\"](https?|ftp)://|urlopen|requests\.get|urlretrieve")


def ids(p: Path) -> str:
    return str(p.relative_to(PROJECT_ROOT))


def test_there_are_course_notebooks():
    assert (PROJECT_ROOT / "notebooks" / "00_getting_started.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_is_small(path):
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_is_committed_executed(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code and all(c.execution_count is not None for c in code)
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "run top to bottom"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} was committed with an error output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_reads_no_url_and_installs_nothing(path):
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not READ_CALL.search(source), "data must come from segkit.datasets, not a URL"
    assert not URL.search(source), "no URLs in code cells"
    assert not PIP.search(source), "no !pip / %pip in notebooks: make env installs everything"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_has_no_absolute_path(path):
    text = json.dumps(nbformat.read(path, as_version=4))
    match = ABS_PATH.search(text.replace("\\n", "\n"))
    assert not match, f"absolute path in {path.name}: ...{text[max(0, match.start()-40):match.end()+40]}..."


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_executes_within_a_minute(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="segkit", timeout=MAX_SECONDS,
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    assert elapsed <= MAX_SECONDS, f"{path.name} took {elapsed:.0f} s to execute"
