"""Paths of the kit, found from the package location, never from the working directory.

``SEGKIT_DATA_DIR`` and ``SEGKIT_REPORTS_DIR`` override the defaults, for an
installation outside a checkout of the repository; ``SEGKIT_SECRET_FILE`` overrides
where the project's pseudonym secret is kept (:func:`secret_path`).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "data_dir",
    "reports_dir",
    "templates_dir",
    "data_path",
    "secret_path",
]

#: Root of the repository checkout that holds this package (``src/segkit`` lives two below it).
PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Directory with the bundled data (``data/`` of the repository)."""
    return Path(os.environ.get("SEGKIT_DATA_DIR", PROJECT_ROOT / "data"))


def reports_dir() -> Path:
    """Directory the ``segkit report`` command writes to by default (``reports/``)."""
    return Path(os.environ.get("SEGKIT_REPORTS_DIR", PROJECT_ROOT / "reports"))


def templates_dir() -> Path:
    """Directory of the report templates shipped with the package."""
    return Path(__file__).resolve().parent / "templates"


def secret_path() -> Path:
    """File of the project's secret key of pseudonyms (:func:`segkit.privacy.project_secret`).

    ``SEGKIT_SECRET_FILE`` when set; in a checkout of the repository
    ``.segkit/secret`` under its root (a folder that ignores itself in git, outside
    ``reports/``); otherwise ``segkit/secret`` in the user's configuration folder
    (``$XDG_CONFIG_HOME``, else ``~/.config``).
    """
    if os.environ.get("SEGKIT_SECRET_FILE"):
        return Path(os.environ["SEGKIT_SECRET_FILE"]).expanduser()
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / ".segkit" / "secret"
    config_home = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config_home) / "segkit" / "secret"


def data_path(*parts: str) -> Path:
    """Path of a bundled data file, with a clear error when it is missing.

    >>> data_path("cdnow", "CDNOW_sample.txt").name
    'CDNOW_sample.txt'
    """
    from .exceptions import DataNotFoundError

    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise DataNotFoundError(
            f"bundled data file {path} not found; set SEGKIT_DATA_DIR to the 'data' folder "
            "of a segkit checkout, or run 'make data' to regenerate the synthetic data"
        )
    return path
