"""The course exercises: their personal data, the checks their notebooks call, their builder.

Each exercise in ``exercises/`` gives a participant a few tasks. An answer is assigned to
``answer_1``, ``answer_2``, ... and the check cell below it calls a check of this package,
which returns a :class:`Feedback`: ``✓ Correct``, ``✗ Not quite`` (what is wrong, with a
hint: wrong column, off by one period, wrong sign, unsorted, wrong time unit, ...) or
``… Not done yet``. A check never shows a bare ``AssertionError`` or a traceback.

Every exercise starts with ``SEED = 0``. A participant who puts a number of their own
there gets personal data, and since every check computes its reference answer from the
data it is given, the expected answers are personal too.

Exercises can be graded with nbgrader: the generated notebooks carry its cell metadata
(solution cells, autograded test cells). nbgrader counts a test cell as passed when it
does not raise, so while nbgrader executes a notebook (it sets the environment variable
``NBGRADER_EXECUTION`` to ``"autograde"`` or ``"validate"``) a check that is not correct
raises :class:`NotYetCorrect`, carrying the same friendly message.

The package:

- :mod:`~segkit.exercises.feedback`: the framework (feedback, verdicts, grading, the
  comparison helpers every exercise uses);
- ``ex<NN>_<name>.py``: one module per exercise, with its data, and each task's check
  next to its hints;
- :mod:`~segkit.exercises.build`: the builder. ``python -m segkit.exercises build``
  (``make exercises``) regenerates the participant and solution versions from
  ``exercises/source/``; ``python -m segkit.exercises check`` only says whether they are
  in sync.

**Adding an exercise.** Write ``ex<NN>_<name>.py`` like ``ex00_getting_started.py``: its
data function, one ``@task`` check per task, a :class:`~segkit.exercises.feedback.Checks`
subclass with an instance ``check_<NN>``, ``EXERCISE = Exercise(...)`` and an ``__all__``
of the names the notebook uses; then add its module name to :data:`REGISTRY`. Its names
are then importable from here (``ex.check_<NN>``) and it is listed in :data:`EXERCISES`.

Examples
--------
>>> from segkit import exercises as ex
>>> data = ex.getting_started_data(seed=1)
>>> print(ex.check_00.task_1(None, data))  # doctest: +ELLIPSIS
[Task 1] … Not done yet: answer_1 is still None.
  Hint: ...
>>> list(ex.EXERCISES)
['00_getting_started', '01_segmentation', '02_valuation', '03_survival', '04_winback']
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from .feedback import GRADING_MODES, Exercise, Feedback, NotYetCorrect

#: The registry: one line per exercise, in course order, naming its module in this
#: package. Each module defines ``EXERCISE`` and re-exports here the names in its
#: ``__all__``.
REGISTRY: tuple[str, ...] = (
    "ex00_getting_started",
    "ex01_segmentation",
    "ex02_valuation",
    "ex03_survival",
    "ex04_winback",
)

__all__ = [
    "Feedback",
    "NotYetCorrect",
    "GRADING_MODES",
    "Exercise",
    "REGISTRY",
    "EXERCISES",
    "build_exercises",
    "main",
]

#: Every exercise, by notebook name (``exercises/source/<name>.ipynb``), in course order.
EXERCISES: dict[str, Exercise] = {}

for _module_name in REGISTRY:
    _module = importlib.import_module(f".{_module_name}", __name__)
    EXERCISES[_module.EXERCISE.notebook] = _module.EXERCISE
    globals().update({name: getattr(_module, name) for name in _module.__all__})
    __all__ += list(_module.__all__)
del _module_name, _module


def build_exercises(
    source_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    solutions_dir: str | Path | None = None,
    *,
    execute: bool = True,
) -> list[Path]:
    """Regenerate the participant and solution versions of every exercise.

    See :func:`segkit.exercises.build.build_exercises`, which this calls (imported only
    when needed, so that the exercise notebooks do not load nbgrader).
    """
    from .build import build_exercises as build

    return build(source_dir, out_dir, solutions_dir, execute=execute)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m segkit.exercises build|check``: regenerate or verify the exercises."""
    from .__main__ import main as command_line

    return command_line(argv)
