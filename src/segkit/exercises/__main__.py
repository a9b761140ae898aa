"""``python -m segkit.exercises build|check`` (``make exercises``): the builder's command line.

``build`` writes the participant and solution versions of every exercise (see
:func:`segkit.exercises.build.build_exercises`); ``check`` exits with 1 when a committed
version is out of sync with its source (see :func:`segkit.exercises.build.out_of_sync`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..config import PROJECT_ROOT
from .build import build_exercises, out_of_sync


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m segkit.exercises build [--no-execute]`` or ``check``."""
    parser = argparse.ArgumentParser(
        prog="python -m segkit.exercises",
        description="Regenerate (build) or verify (check) the exercises from exercises/source.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write the participant and solution versions")
    build.add_argument("--no-execute", action="store_true",
                       help="do not execute the solution versions")
    sub.add_parser("check", help="exit 1 when a generated version is out of sync")
    args = parser.parse_args(argv)
    if args.command == "build":
        for path in build_exercises(execute=not args.no_execute):
            shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
            print(f"wrote {shown}")
        return 0
    problems = out_of_sync()
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("exercises are in sync with their sources")
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover - exercised through the command line
    sys.exit(main())
