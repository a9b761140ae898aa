"""HTML of an executed report notebook: outputs only, in segkit's page shell.

The page shell is an nbconvert template (``html_template/segkit_report``: the HTML
head, segkit's stylesheet and the body around nbconvert's own cell templates), so the
layout of the page lives in one template file rather than in Python strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["TEMPLATE_DIR", "export_html", "segkit_version"]

#: Folder of segkit's nbconvert templates.
TEMPLATE_DIR: Path = Path(__file__).resolve().parent / "html_template"
_TEMPLATE = "segkit_report"


def segkit_version() -> str:
    """The installed version of segkit."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("segkit")
    except PackageNotFoundError:  # pragma: no cover
        return "0.0.0+unknown"


def _page_title(nb) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if md:
                md = "".join(md) if isinstance(md, list) else md
                first = md.lstrip().splitlines()[0] if md.strip() else ""
                if first.startswith("# "):
                    return first[2:].strip()
    return ""


def export_html(notebook: str | Path | Any, *, lang: str = "en") -> str:
    """HTML of an executed notebook: outputs only, self-contained.

    No code cell inputs or prompts are kept (nbconvert's ``exclude_input``); images are
    embedded as base64 PNG; the page has its own small stylesheet and no external
    script, style sheet or image. Cells tagged ``parameters``, ``injected-parameters``
    or ``remove-cell`` are left out.

    Parameters
    ----------
    notebook : str, Path or nbformat.NotebookNode
        The executed notebook.
    lang : str, default "en"
        Language attribute of the page.

    Returns
    -------
    str
    """
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = notebook if hasattr(notebook, "cells") else nbformat.read(str(notebook), as_version=4)
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {
        "parameters",
        "injected-parameters",
        "remove-cell",
    }
    exporter = HTMLExporter(
        config=config,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=_TEMPLATE,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    resources = {
        "segkit": {
            "lang": lang,
            "version": segkit_version(),
            "title": _page_title(nb) or "segkit report",
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body.strip() + "\n"
