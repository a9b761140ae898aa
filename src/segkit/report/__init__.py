"""Reports: parameterised notebook templates rendered to HTML an analyst can send.

- :mod:`segkit.report.parameters`: the ``parameters`` cell of a template (read with
  papermill's inspection), the accepted values, parameter and batch files;
- :mod:`segkit.report.rendering`: papermill execution, atomic writing, batches;
- :mod:`segkit.report.html`: the HTML page (an nbconvert template in ``html_template``);
- :mod:`segkit.report.page`: the base class of every report page (load, protect,
  filter, cut, header, display helpers);
- one module per page, e.g. :mod:`segkit.report.overview` for the template
  ``templates/overview.ipynb``.
"""

from __future__ import annotations

from ..datasets import SOURCES, load_source
from .html import export_html, segkit_version
from .parameters import (
    FORMATS,
    Parameter,
    Template,
    get_template,
    list_templates,
    output_name,
    parse_parameters,
    read_batch_file,
    read_parameter_file,
    read_template,
    validate_parameters,
)
from .rendering import KERNEL_NAME, BatchResult, RunResult, render, render_all, render_batch

__all__ = [
    "KERNEL_NAME",
    "SOURCES",
    "FORMATS",
    "Parameter",
    "Template",
    "RunResult",
    "BatchResult",
    "segkit_version",
    "load_source",
    "parse_parameters",
    "read_template",
    "list_templates",
    "get_template",
    "validate_parameters",
    "output_name",
    "read_parameter_file",
    "read_batch_file",
    "export_html",
    "render",
    "render_batch",
    "render_all",
]
