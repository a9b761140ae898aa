"""``python -m segkit.exercises build|check`` (``make exercises``): see :mod:`.build`."""

import sys

from .build import main

if __name__ == "__main__":  # pragma: no cover - exercised through the command line
    sys.exit(main())
