"""The exercise builder: participant and solution versions from one source each.

An exercise's source ``exercises/source/<name>.ipynb`` holds the tasks, the answer cells
with their solutions between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, and the
check cells, all with nbgrader cell metadata. From it, ``make exercises``
(``python -m segkit.exercises build``) writes

``exercises/<name>.ipynb``
    the participant version, made with nbgrader's own preprocessors in the order of
    ``nbgrader generate_assignment``: cells locked, solution regions replaced by
    ``# YOUR CODE HERE``, outputs cleared, metadata checked, checksums computed;
``exercises/solutions/<name>.ipynb``
    the solution version: the source executed top to bottom (kernel ``segkit``, in a
    temporary working directory), committed with its outputs for nbval.

Generation is byte-deterministic: cell ids come from the source, nothing records a time,
and the kernel's Python version is not written into the notebooks.
``python -m segkit.exercises check`` (:mod:`segkit.exercises.__main__`) says whether the
committed files are in sync.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from ..config import PROJECT_ROOT
from ..exceptions import ParameterError

__all__ = [
    "SOURCE_DIR",
    "PARTICIPANT_DIR",
    "SOLUTIONS_DIR",
    "CODE_STUB",
    "KERNEL_NAME",
    "read_source",
    "participant_version",
    "solution_version",
    "dumps",
    "build_exercises",
    "out_of_sync",
]

SOURCE_DIR: Path = PROJECT_ROOT / "exercises" / "source"
PARTICIPANT_DIR: Path = PROJECT_ROOT / "exercises"
SOLUTIONS_DIR: Path = PROJECT_ROOT / "exercises" / "solutions"
#: What replaces a solution region. It does not raise, so that a participant's notebook
#: runs top to bottom and each check says "Not done yet".
CODE_STUB = "# YOUR CODE HERE"
KERNEL_NAME = "segkit"
EXECUTE_TIMEOUT = 300


def read_source(path: str | Path) -> NotebookNode:
    """Read an exercise source; it must be nbformat 4.5 or later (cells with ids).

    Older notebooks would get random cell ids on reading, and so the generated versions
    would change at every build.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text)
    if (raw.get("nbformat"), raw.get("nbformat_minor", 0)) < (4, 5):
        raise ParameterError(
            f"{path.name} is nbformat {raw.get('nbformat')}.{raw.get('nbformat_minor')}; "
            "exercise sources need 4.5 or later (cells with ids): open and save it in "
            "JupyterLab 3 or later"
        )
    return nbformat.reads(text, as_version=4)


def participant_version(source: NotebookNode) -> NotebookNode:
    """The participant's notebook: solutions replaced by a stub, no outputs.

    Uses nbgrader's preprocessors in the order ``nbgrader generate_assignment`` applies
    them (without the gradebook step), so an instructor's ``generate_assignment`` on the
    same source gives the same cells.
    """
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    nb = copy.deepcopy(source)
    resources: dict = {}
    steps = [
        LockCells(),
        ClearSolutions(code_stub={"python": CODE_STUB}, enforce_metadata=True),
        ClearOutput(),
        CheckCellMetadata(),
        ComputeChecksums(),
        ClearHiddenTests(),
        ComputeChecksums(),
        CheckCellMetadata(),
    ]
    for step in steps:
        nb, resources = step.preprocess(nb, resources)
    return nb


def solution_version(source: NotebookNode, *, execute: bool = True) -> NotebookNode:
    """The solution notebook: the source, executed top to bottom when ``execute``.

    The kernel runs in a temporary directory, so nothing depends on the working
    directory. The kernel's ``language_info`` (which names the exact Python version) is
    replaced by the source's, so that rebuilding on another machine changes nothing.
    """
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput

    nb = copy.deepcopy(source)
    nb, _ = CheckCellMetadata().preprocess(nb, {})
    nb, _ = ClearOutput().preprocess(nb, {})
    if execute:
        with tempfile.TemporaryDirectory(prefix="segkit-exercise-run-") as tmp:
            ep = ExecutePreprocessor(
                kernel_name=KERNEL_NAME, timeout=EXECUTE_TIMEOUT, record_timing=False
            )
            nb, _ = ep.preprocess(nb, {"metadata": {"path": tmp}})
    if "language_info" in source.metadata:
        nb.metadata["language_info"] = copy.deepcopy(source.metadata["language_info"])
    else:
        nb.metadata.pop("language_info", None)
    return nb


def dumps(nb: NotebookNode) -> str:
    """The notebook as nbformat writes it (stable key order and indentation)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _sources(source_dir: Path) -> list[Path]:
    paths = sorted(source_dir.glob("*.ipynb"))
    if not paths:
        raise ParameterError(f"no exercise sources (*.ipynb) in {source_dir}")
    return paths


def _dirs(source_dir, out_dir, solutions_dir) -> tuple[Path, Path, Path]:
    return (
        Path(source_dir) if source_dir is not None else SOURCE_DIR,
        Path(out_dir) if out_dir is not None else PARTICIPANT_DIR,
        Path(solutions_dir) if solutions_dir is not None else SOLUTIONS_DIR,
    )


def build_exercises(
    source_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    solutions_dir: str | Path | None = None,
    *,
    execute: bool = True,
) -> list[Path]:
    """Write the participant and solution versions of every exercise source.

    Parameters
    ----------
    source_dir : path, optional
        The sources (default ``exercises/source``).
    out_dir : path, optional
        Where the participant versions go (default ``exercises``).
    solutions_dir : path, optional
        Where the solution versions go (default ``exercises/solutions``).
    execute : bool, default True
        Execute the solution versions (kernel ``segkit``), so they are committed with
        their outputs. With False they are written without outputs.

    Returns
    -------
    list of Path
        The files written, participant versions first.
    """
    source_dir, out_dir, solutions_dir = _dirs(source_dir, out_dir, solutions_dir)
    written: list[Path] = []
    sources = [(p, read_source(p)) for p in _sources(source_dir)]
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, nb in sources:
        target = out_dir / path.name
        target.write_text(dumps(participant_version(nb)), encoding="utf-8")
        written.append(target)
    solutions_dir.mkdir(parents=True, exist_ok=True)
    for path, nb in sources:
        target = solutions_dir / path.name
        target.write_text(dumps(solution_version(nb, execute=execute)), encoding="utf-8")
        written.append(target)
    return written


def _inputs(nb: NotebookNode) -> list[tuple]:
    return [(c.get("id"), c.cell_type, c.source, json.dumps(c.metadata, sort_keys=True))
            for c in nb.cells]


def out_of_sync(
    source_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    solutions_dir: str | Path | None = None,
) -> list[str]:
    """What ``build`` would change, without writing anything or executing a kernel.

    A participant version is in sync when it is byte-identical to what the build writes;
    a solution version when its cells (ids, sources, metadata) are the source's.

    Returns
    -------
    list of str
        One line per file that is missing or out of date; empty when all are in sync.
    """
    source_dir, out_dir, solutions_dir = _dirs(source_dir, out_dir, solutions_dir)
    problems = []
    for path in _sources(source_dir):
        nb = read_source(path)
        participant = out_dir / path.name
        if not participant.exists():
            problems.append(f"{participant.name}: participant version missing")
        elif participant.read_text(encoding="utf-8") != dumps(participant_version(nb)):
            problems.append(f"{participant.name}: participant version out of date")
        solution = solutions_dir / path.name
        if not solution.exists():
            problems.append(f"solutions/{solution.name}: solution version missing")
        elif _inputs(nbformat.read(solution, as_version=4)) != _inputs(nb):
            problems.append(f"solutions/{solution.name}: solution version out of date")
    return problems
