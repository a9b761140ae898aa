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


# ------------------------------------------------------------- notebook 00 and the docs

NB00 = PROJECT_ROOT / "notebooks" / "00_getting_started.ipynb"
DOMAIN = PROJECT_ROOT / "docs" / "domain.md"


def _cells(path: Path, kind: str) -> str:
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == kind)


def test_notebook_00_shows_what_exercise_00_needs():
    code = _cells(NB00, "code")
    for call in ("segkit.data_model()", "segkit.data.purchases", "segkit.data.is_return",
                 "segkit.io.read_csv", "column_map=", "encoding=", "validation_report",
                 "segkit.schema.validate", "segkit.data.observation_end", "observation_end=",
                 'after_end="drop"', 'freq="W"', "returns="):
        assert call in code, f"notebook 00 never shows {call}"


def test_notebook_00_shows_the_whole_data_model():
    nb = nbformat.read(NB00, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "data_model()" in c.source)
    html = next(o for o in cell.outputs if "text/html" in o.get("data", {}))["data"]["text/html"]
    from segkit import data_model

    model = data_model()
    assert html.count("<tr>") == len(model), "every column of the data model, no '...'"
    for name in model.columns:
        assert f"<th>{name}</th>" in html


def test_notebook_00_explains_btyd_units_and_the_glossary():
    prose = _cells(NB00, "markdown")
    for words in ("BTYD", "first purchase", "Units", "weeks", "战败客户", "流失客户",
                  "广义流失", "狭义流失", "基盘客户", "docs/domain.md"):
        assert words in prose, f"notebook 00 does not mention {words}"


def test_domain_document_has_the_reference_results_and_the_issues():
    text = DOMAIN.read_text(encoding="utf-8")
    for number in ("0.243", "4.414", "0.793", "2.426", "-9582.4",  # BG/NBD
                   "6.25", "3.74", "15.44", "-4055.9",  # Gamma-Gamma
                   "0.553", "10.58", "0.606", "11.67", "-9595.0",  # Pareto/NBD
                   "1.204", "0.750", "0.657", "2.783"):  # BG/BB
        assert number in text, number
    for words in ("issue 8", "issue 9", "issue 10", "issue 11", "战败客户", "流失客户",
                  "基盘客户", "考察期", "投诉率上升"):
        assert words in text, words


def test_readme_links_the_docs_and_keeps_its_quick_start():
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for words in ("docs/domain.md", "docs/architecture.md", "make reports", "make test",
                  "## Roadmap"):
        assert words in text, words
