"""Report templates rendered to self-contained HTML with papermill and nbconvert.

A report template is a notebook in :func:`segkit.config.templates_dir`. Its first code
cell is tagged ``parameters`` and holds only independent, type-annotated assignments of
literal values, each with a comment::

    lang: str = "en"  # language of headings and labels; one of: en, zh
    cohort_periods: int = 12  # columns of the cohort heat map; range: 1..60

Types are ``str``, ``int``, ``float`` and ``bool``. The comment is the help text; parts
of it separated by ``;`` that start with a keyword declare the accepted values:

``one of: a, b, c``
    the value must be one of these (compared after conversion to the type);
``range: lo..hi``
    inclusive bounds of a number, either may be left out (``range: 1..``);
``format: NAME``
    a check from :data:`FORMATS`: ``date`` (empty, or a date written YYYY-MM-DD) or
    ``source`` (a data set of :data:`SOURCES`, or an existing folder of
    ``<table>.csv`` files, made absolute).

Write no ``=`` inside a comment: ``papermill --help-notebook`` (which reads the same
cell) cannot parse such a line.

Rendering (:func:`render`) checks every parameter before anything runs: an unknown
name, a value of the wrong type (text from the command line is converted to the
annotated type) or a value out of range raises a :class:`~segkit.exceptions.ParameterError`
that lists the accepted parameters. Then papermill executes the template in a temporary
directory with the Jupyter kernel ``segkit``, nbconvert turns the executed notebook into
HTML without any code (figures embedded as base64 PNG, no external file or script), and
the HTML replaces the previous report atomically. If a cell fails, a
:class:`~segkit.exceptions.RenderError` is raised, the previous report is left
byte-identical and the executed notebook, with its error, is kept beside it as
``<report>.failed.ipynb`` (removed again by the next successful render).

:func:`render_batch` renders one report per parameter set, named after the parameters
that vary: ``reports/overview-region=north.html``.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime as _dt
import difflib
import io
import json
import os
import re
import shutil
import tempfile
import time
import tokenize
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .config import reports_dir, templates_dir
from .exceptions import ParameterError, RenderError, SegkitError
from .schema import CustomerData

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

#: Jupyter kernel the templates run in (``python -m ipykernel install --sys-prefix
#: --name segkit``).
KERNEL_NAME: str = "segkit"
#: Named data sources of :func:`load_source`.
SOURCES: dict[str, str] = {
    "demo": "the synthetic demo company (segkit.datasets.load_demo)",
    "cdnow": "CDNOW 1/10 sample: 2,357 customers, transactions only",
    "cdnow_master": "CDNOW master log: 23,570 customers, transactions only",
}
_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def segkit_version() -> str:
    """The installed version of segkit."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("segkit")
    except PackageNotFoundError:  # pragma: no cover
        return "0.0.0+unknown"


# ============================================================================ data sources


def load_source(data: str) -> CustomerData:
    """Load the tables a report shows from a source name or a folder.

    Parameters
    ----------
    data : str
        ``"demo"`` (:func:`segkit.datasets.load_demo`), ``"cdnow"`` (the CDNOW 1/10
        sample) or ``"cdnow_master"`` (the full log): see :data:`SOURCES`. Anything else
        is a folder of ``<table>.csv`` files read by :func:`segkit.io.read_tables`.

    Returns
    -------
    CustomerData

    Raises
    ------
    ParameterError
        For a name that is neither a known source nor an existing folder, or a
        source whose loader is not available in this installation.

    Examples
    --------
    >>> data = load_source("cdnow")
    >>> len(data.transactions), str(data.observation_end.date())
    (6919, '1998-06-30')
    """
    if data == "demo":
        try:
            from .datasets import load_demo
        except ImportError:
            raise ParameterError(
                "data 'demo' needs segkit.datasets.load_demo, which this installation "
                "does not have yet; use data 'cdnow' or a folder of CSV files"
            ) from None
        return load_demo()
    if data in ("cdnow", "cdnow_master"):
        from .datasets import load_cdnow

        tx = load_cdnow(sample=data == "cdnow")
        return CustomerData(
            transactions=tx,
            observation_end=tx["timestamp"].max(),
            source="CDNOW sample" if data == "cdnow" else "CDNOW master",
        )
    folder = Path(data).expanduser()
    if not folder.is_dir():
        raise ParameterError(_source_message(data))
    try:
        from .io import read_tables
    except ImportError:
        raise ParameterError(
            "reading a folder of CSV files needs segkit.io.read_tables, which this "
            "installation does not have yet; use data 'demo' or 'cdnow'"
        ) from None
    return read_tables(folder)


def _source_message(value: object) -> str:
    return (
        f"data must be one of {', '.join(SOURCES)} or an existing folder of <table>.csv "
        f"files; got {value!r}"
    )


# ============================================================================ parameters


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One parameter of a report template, as declared in its ``parameters`` cell.

    Attributes
    ----------
    name : str
    type : type
        ``str``, ``int``, ``float`` or ``bool``.
    default : object
    help : str
        The comment, without the constraint parts.
    choices : tuple or None
        From ``one of: ...``.
    bounds : tuple or None
        ``(low, high)`` from ``range: lo..hi``; either may be None.
    format : str or None
        A key of :data:`FORMATS`.
    """

    name: str
    type: type
    default: Any
    help: str = ""
    choices: tuple | None = None
    bounds: tuple | None = None
    format: str | None = None

    @property
    def type_name(self) -> str:
        return self.type.__name__

    def describe(self) -> str:
        """Short one-line description: ``name (type, constraint)``."""
        extra = []
        if self.choices is not None:
            extra.append("one of " + "/".join(map(str, self.choices)))
        if self.bounds is not None:
            lo, hi = self.bounds
            extra.append(f"{'' if lo is None else lo}..{'' if hi is None else hi}")
        if self.format is not None:
            extra.append(_FORMAT_HELP.get(self.format, self.format))
        return f"{self.name} ({', '.join([self.type_name, *extra])})"


@dataclasses.dataclass(frozen=True)
class Template:
    """A report template: its name, notebook path, description and parameters."""

    name: str
    path: Path
    parameters: dict[str, Parameter]
    description: str = ""

    def accepted(self) -> str:
        """The accepted parameters, on one line."""
        return "; ".join(p.describe() for p in self.parameters.values())


def _comments(source: str) -> dict[int, str]:
    """Line number -> comment text (without ``#``) of a code cell."""
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except tokenize.TokenError:
        pass
    return out


def _split_comment(comment: str, name: str, typ: type) -> tuple[str, dict[str, Any]]:
    helps, rules = [], {}
    for part in (p.strip() for p in comment.split(";")):
        key, _, value = part.partition(":")
        key = key.strip().lower()
        if key == "one of" and value.strip():
            raw = [v.strip() for v in value.split(",") if v.strip()]
            rules["choices"] = tuple(_convert_text(v, typ, name) for v in raw)
        elif key == "range" and ".." in value:
            lo, _, hi = value.strip().partition("..")
            rules["bounds"] = tuple(
                None if not v.strip() else _convert_text(v.strip(), typ, name) for v in (lo, hi)
            )
        elif key == "format" and value.strip():
            fmt = value.strip()
            if fmt not in FORMATS:
                raise ParameterError(
                    f"parameter {name!r} declares the unknown format {fmt!r}; "
                    f"known formats are {', '.join(FORMATS)}"
                )
            rules["format"] = fmt
        elif part:
            helps.append(part)
    return "; ".join(helps), rules


def parse_parameters(source: str, template: str = "template") -> dict[str, Parameter]:
    """Read the parameters declared in the source of a ``parameters`` cell.

    Parameters
    ----------
    source : str
        Python source: one ``name: type = literal  # comment`` per line (comment-only
        lines and blank lines are allowed).
    template : str, default "template"
        Name used in error messages.

    Returns
    -------
    dict
        name -> :class:`Parameter`, in the order of the cell.

    Raises
    ------
    ParameterError
        For a statement that is not an annotated assignment of a literal, a type other
        than str, int, float and bool, a default of another type, or a name declared
        twice.

    Examples
    --------
    >>> p = parse_parameters('lang: str = "en"  # labels; one of: en, zh')
    >>> p["lang"].type, p["lang"].default, p["lang"].help, p["lang"].choices
    (<class 'str'>, 'en', 'labels', ('en', 'zh'))
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ParameterError(
            f"template {template!r}: the parameters cell is not valid Python ({err.msg}, "
            f"line {err.lineno})"
        ) from None
    comments = _comments(source)
    out: dict[str, Parameter] = {}
    for node in tree.body:
        where = f"template {template!r}, parameters cell line {node.lineno}"
        if not (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            raise ParameterError(
                f'{where}: only annotated assignments like `lang: str = "en"  # help` '
                "are allowed in a parameters cell"
            )
        name = node.target.id
        ann = ast.unparse(node.annotation)
        if ann not in _TYPES:
            raise ParameterError(
                f"{where}: parameter {name!r} has the type {ann!r}; use one of {', '.join(_TYPES)}"
            )
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(
                f"{where}: the default of {name!r} must be a literal value, not computed "
                f"({ast.unparse(node.value)})"
            ) from None
        typ = _TYPES[ann]
        if not _is_instance(default, typ):
            raise ParameterError(
                f"{where}: the default of {name!r} is {default!r}, not of its type {ann}"
            )
        if name in out:
            raise ParameterError(f"{where}: parameter {name!r} is declared twice")
        end = node.end_lineno or node.lineno
        comment = comments.get(end) or comments.get(node.lineno, "")
        help_text, rules = _split_comment(comment, name, typ)
        out[name] = Parameter(
            name, typ, float(default) if typ is float else default, help_text, **rules
        )
    return out


def _is_instance(value: Any, typ: type) -> bool:
    if typ is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, typ)


def _convert_text(text: str, typ: type, name: str) -> Any:
    s = text.strip()
    if typ is str:
        return text
    if typ is bool:
        if s.lower() in _TRUE:
            return True
        if s.lower() in _FALSE:
            return False
        raise ValueError(f"{text!r} is not true/false")
    if typ is int:
        try:
            return int(s)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def _check_date(value: str, param: Parameter) -> str:
    if value == "":
        return value
    try:
        return _dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD") from None


def _check_source(value: str, param: Parameter) -> str:
    if value == "demo":
        from . import datasets

        if not hasattr(datasets, "load_demo"):
            raise ValueError(
                "the demo data set is not available in this installation "
                "(segkit.datasets.load_demo is missing); use cdnow or a folder"
            )
    if value in SOURCES:
        return value
    folder = Path(value).expanduser()
    if value.strip() and folder.is_dir():
        return str(folder.resolve())
    raise ValueError(f"{value!r} is neither one of {', '.join(SOURCES)} nor an existing folder")


#: Checks that a ``format: NAME`` comment declares: (value, parameter) -> normalised
#: value, raising ValueError with the reason when the value is refused.
FORMATS: dict[str, Callable[[Any, Parameter], Any]] = {
    "date": _check_date,
    "source": _check_source,
}
_FORMAT_HELP = {"date": "YYYY-MM-DD or empty", "source": f"{'/'.join(SOURCES)} or a folder"}


def _convert(param: Parameter, value: Any) -> Any:
    typ = param.type
    if isinstance(value, str):
        converted = _convert_text(value, typ, param.name)
    elif _is_instance(value, typ):
        converted = float(value) if typ is float else value
    elif typ is str and isinstance(value, int | float | _dt.date) and not isinstance(value, bool):
        converted = value.isoformat() if isinstance(value, _dt.date) else str(value)
    else:
        raise ValueError(f"{value!r} is a {type(value).__name__}, not a {param.type_name}")
    if param.choices is not None and converted not in param.choices:
        raise ValueError(f"{converted!r} is not one of {', '.join(map(str, param.choices))}")
    if param.bounds is not None:
        lo, hi = param.bounds
        if (lo is not None and converted < lo) or (hi is not None and converted > hi):
            raise ValueError(
                f"{converted!r} is out of range {'' if lo is None else lo}.."
                f"{'' if hi is None else hi}"
            )
    if param.format is not None:
        converted = FORMATS[param.format](converted, param)
    return converted


def validate_parameters(template: Template | str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and convert parameter values before a template runs.

    Text values (from the command line) are converted to the annotated type
    (``"true"`` -> True, ``"12"`` -> 12); typed values (from YAML) must already have
    the type (an int is accepted for a float; numbers and dates for a str).

    Parameters
    ----------
    template : Template or str
        The template, or its name.
    values : mapping
        name -> value; parameters left out keep their defaults.

    Returns
    -------
    dict
        The given parameters, converted, in the order of the template.

    Raises
    ------
    ParameterError
        For an unknown name, a wrong type or a value out of range; the one-line message
        names the parameter and lists the accepted parameters with their types.

    Examples
    --------
    >>> validate_parameters("overview", {"lang": "zh", "cohort_periods": "6"})
    {'lang': 'zh', 'cohort_periods': 6}
    """
    tpl = get_template(template) if isinstance(template, str) else template
    params = tpl.parameters
    unknown = [k for k in values if k not in params]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(str(name), params, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(
            f"template {tpl.name!r} has no parameter {name!r}{hint}. "
            f"Accepted parameters: {tpl.accepted()}"
        )
    out = {}
    for name, param in params.items():
        if name not in values:
            continue
        try:
            out[name] = _convert(param, values[name])
        except ValueError as err:
            raise ParameterError(
                f"template {tpl.name!r}, parameter {param.describe()}: {err}. "
                f"Accepted parameters: {tpl.accepted()}"
            ) from None
    return out


# ============================================================================ templates


def read_template(path: str | Path) -> Template:
    """Read a template notebook: its name, description and parameters.

    The description is the notebook metadata ``segkit.description`` (if any).

    Parameters
    ----------
    path : str or Path
        A ``.ipynb`` file with a code cell tagged ``parameters``.

    Returns
    -------
    Template
    """
    path = Path(path)
    name = path.stem
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ParameterError(f"template {name!r} cannot be read: {err}") from None
    cells = [
        c
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if not cells:
        raise ParameterError(f"template {name!r} has no code cell tagged 'parameters'")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    description = nb.get("metadata", {}).get("segkit", {}).get("description", "")
    return Template(name, path, parse_parameters(source, name), description)


def list_templates(directory: str | Path | None = None) -> list[Template]:
    """The report templates, sorted by name.

    Parameters
    ----------
    directory : str or Path, optional
        Defaults to :func:`segkit.config.templates_dir`.

    Returns
    -------
    list of Template
    """
    folder = Path(directory) if directory is not None else templates_dir()
    return [read_template(p) for p in sorted(folder.glob("*.ipynb"))]


def get_template(name: str | Path, directory: str | Path | None = None) -> Template:
    """The template called ``name`` (or the notebook at a path ending in ``.ipynb``).

    Raises
    ------
    ParameterError
        For an unknown name; the message lists the templates.
    """
    if str(name).endswith(".ipynb"):
        return read_template(name)
    folder = Path(directory) if directory is not None else templates_dir()
    path = folder / f"{name}.ipynb"
    if not path.is_file():
        names = [p.stem for p in sorted(folder.glob("*.ipynb"))]
        raise ParameterError(
            f"unknown report template {str(name)!r}; the templates are {', '.join(names)}"
        )
    return read_template(path)


# ============================================================================ files


def _read_yaml(path: str | Path) -> Any:
    import yaml

    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ParameterError(f"cannot read {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise ParameterError(f"{path} is not valid YAML: {str(err).splitlines()[0]}") from None


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read parameters from a YAML file holding a mapping ``name: value``.

    Raises
    ------
    ParameterError
        When the file is missing, not YAML, or not a mapping.
    """
    content = _read_yaml(path)
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ParameterError(f"{path} must hold a mapping of parameter: value")
    return {str(k): v for k, v in content.items()}


def read_batch_file(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read a batch file: a YAML list of parameter sets, or a mapping with ``runs``.

    The mapping form may also give ``parameters``, shared by every run (a run's own
    values win)::

        parameters: {lang: zh}
        runs:
          - {region: north}
          - {region: south}

    Returns
    -------
    (dict, list of dict)
        The shared parameters and the parameter sets.
    """
    content = _read_yaml(path)
    shared: Any = {}
    if isinstance(content, dict):
        extra = set(content) - {"runs", "parameters"}
        if "runs" not in content or extra:
            raise ParameterError(
                f"{path}: a batch mapping has the keys 'runs' (a list of parameter sets) "
                f"and optionally 'parameters'; found {sorted(map(str, content))}"
            )
        shared, runs = content.get("parameters") or {}, content["runs"]
    else:
        runs = content
    if not isinstance(shared, dict):
        raise ParameterError(f"{path}: 'parameters' must be a mapping of parameter: value")
    if not isinstance(runs, list) or not runs:
        raise ParameterError(f"{path}: expected a non-empty list of parameter sets")
    for i, run in enumerate(runs, 1):
        if run is None:
            runs[i - 1] = {}
        elif not isinstance(run, dict):
            raise ParameterError(f"{path}: run {i} is not a mapping of parameter: value")
    return dict(shared), [dict(r) for r in runs]


def _slug(value: Any) -> str:
    text = value.isoformat() if isinstance(value, _dt.date) else str(value)
    return re.sub(r"[^\w.]+", "_", text).strip("_.")[:40] or "_"


def output_name(template: str, parameters: Mapping[str, Any] | None = None) -> str:
    """File name of a report: the template and the given parameters.

    Examples
    --------
    >>> output_name("overview"), output_name("overview", {"region": "north", "lang": "zh"})
    ('overview.html', 'overview-region=north-lang=zh.html')
    """
    parts = [f"{k}={_slug(v)}" for k, v in (parameters or {}).items()]
    return "-".join([template, *parts]) + ".html"


def _failed_path(out: Path) -> Path:
    return out.with_name(out.stem + ".failed.ipynb")


# ============================================================================ rendering

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="segkit {version}">
<title>{title}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
  "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; margin: 0; }}
main {{ max-width: 980px; margin: 0 auto; padding: 1.5em 1.5em 4em; line-height: 1.45; }}
h1 {{ font-size: 1.7em; margin-top: 0.2em; }}
h2 {{ font-size: 1.3em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em;
  margin-top: 1.6em; }}
h3 {{ font-size: 1.05em; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }}
th, td {{ border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }}
th {{ background: #f5f5f5; }}
table.segkit-header th {{ text-align: left; font-weight: 600; }}
table.segkit-header td {{ text-align: left; }}
td:first-child, th:first-child {{ text-align: left; }}
code {{ background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; font-size: 0.9em; }}
img {{ max-width: 100%; height: auto; }}
pre {{ white-space: pre-wrap; font-size: 0.8em; }}
.jp-RenderedText pre, .output_stderr pre {{ color: #8a4b00; }}
.jp-Cell, .cell {{ margin: 0; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


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
    script, style sheet or image.

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
    import html

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
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    title = _page_title(nb) or "segkit report"
    return _PAGE.format(
        lang=html.escape(lang),
        version=html.escape(segkit_version()),
        title=html.escape(title),
        body=body.strip(),
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _check_kernel(kernel_name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise RenderError(
            f"the Jupyter kernel {kernel_name!r} is not installed; install it with "
            f"'python -m ipykernel install --sys-prefix --name {kernel_name} "
            f"--display-name {kernel_name}' (make kernel)"
        ) from None


def _quiet_kernel_manager(log_path: Path) -> type:
    """A kernel manager whose kernel writes its own log (stdout, stderr) to ``log_path``.

    Keeps the kernel's start-up and shut-down messages out of the terminal (and out of
    a batch's progress bar); the log is kept beside a failed report.
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_start_kernel(self, **kw: Any) -> None:
            with open(log_path, "ab") as log:
                kw.setdefault("stdout", log)
                kw.setdefault("stderr", log)
                await super()._async_start_kernel(**kw)

        start_kernel = _async_start_kernel

    return QuietKernelManager


def _first_line(text: str) -> str:
    lines = [s.strip() for s in str(text).splitlines() if s.strip()]
    return lines[0] if lines else ""


def _error_summary(err: BaseException) -> str:
    ename = getattr(err, "ename", None)
    if ename:
        cell = getattr(err, "exec_count", None)
        where = f" in cell {cell}" if cell else ""
        return f"{ename}{where}: {_first_line(getattr(err, 'evalue', ''))}"
    return f"{type(err).__name__}: {_first_line(str(err))}"


def _check_defaults(tpl: Template, values: Mapping[str, Any]) -> None:
    """Run the format checks on the defaults that ``values`` leaves in place."""
    for name, param in tpl.parameters.items():
        if name in values or param.format is None:
            continue
        try:
            FORMATS[param.format](param.default, param)
        except ValueError as err:
            raise ParameterError(
                f"template {tpl.name!r}, default of parameter {param.describe()}: {err}; "
                f"give -p {name} VALUE"
            ) from None


def _resolve_output(tpl: Template, output: str | Path | None) -> Path:
    if output is None:
        return reports_dir() / output_name(tpl.name)
    out = Path(output).expanduser()
    if out.is_dir() or str(output).endswith(("/", os.sep)):
        return out / output_name(tpl.name)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(f"the output {out} must be an .html file or a folder")
    return out


def render(
    template: str | Path | Template = "overview",
    parameters: Mapping[str, Any] | None = None,
    output: str | Path | None = None,
    *,
    kernel_name: str = KERNEL_NAME,
    timeout: int | None = 1800,
) -> Path:
    """Render a report template to a self-contained HTML file.

    Parameters
    ----------
    template : str, Path or Template, default "overview"
        A template name (see :func:`list_templates`) or a notebook path.
    parameters : mapping, optional
        name -> value, checked by :func:`validate_parameters` before anything runs.
    output : str or Path, optional
        The HTML file, or a folder for ``<template>.html``; defaults to
        ``reports_dir() / "<template>.html"``.
    kernel_name : str, default KERNEL_NAME
        Jupyter kernel that runs the template.
    timeout : int or None, default 1800
        Seconds a cell may run.

    Returns
    -------
    Path
        The written HTML file.

    Raises
    ------
    ParameterError
        For a wrong parameter (nothing runs, nothing is written).
    RenderError
        When the template fails: the previous HTML is unchanged and the executed
        notebook with its error is kept as ``<output stem>.failed.ipynb``.
    """
    import papermill as pm

    tpl = template if isinstance(template, Template) else get_template(template)
    values = validate_parameters(tpl, parameters or {})
    out = _resolve_output(tpl, output)
    _check_defaults(tpl, values)
    _check_kernel(kernel_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    failed = _failed_path(out)
    with tempfile.TemporaryDirectory(prefix="segkit-render-") as tmp:
        executed = Path(tmp) / f"{tpl.name}.ipynb"
        log = Path(tmp) / "kernel.log"
        try:
            pm.execute_notebook(
                str(tpl.path),
                str(executed),
                parameters=values,
                kernel_name=kernel_name,
                progress_bar=False,
                log_output=False,
                cwd=tmp,
                execution_timeout=timeout,
                kernel_manager_class=_quiet_kernel_manager(log),
            )
            lang = str(values.get("lang", tpl.parameters.get("lang", _NOLANG).default or "en"))
            page = export_html(executed, lang=lang)
        except Exception as err:
            kept = ""
            if executed.exists():
                shutil.copyfile(executed, failed)
                kept = f"; the executed notebook with the error is kept in {failed}"
            if log.exists() and log.stat().st_size:
                shutil.copyfile(log, failed.with_suffix(".log"))
            previous = f"; {out} was left unchanged" if out.exists() else ""
            raise RenderError(
                f"report {tpl.name!r} failed: {_error_summary(err)}{kept}{previous}"
            ) from err
    _write_atomic(out, page)
    for stale in (failed, failed.with_suffix(".log")):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    return out


_NOLANG = Parameter("lang", str, "en")


@dataclasses.dataclass
class RunResult:
    """Outcome of one run of a batch."""

    parameters: dict[str, Any]
    output: Path
    ok: bool
    error: str = ""
    seconds: float = 0.0


@dataclasses.dataclass
class BatchResult:
    """Outcome of a batch: one :class:`RunResult` per parameter set."""

    runs: list[RunResult]

    @property
    def succeeded(self) -> list[RunResult]:
        return [r for r in self.runs if r.ok]

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.runs if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line: how many reports were written and how many failed."""
        return (
            f"{len(self.succeeded)} of {len(self.runs)} reports written, {len(self.failed)} failed"
        )


def render_batch(
    template: str | Path | Template,
    runs: Iterable[Mapping[str, Any]],
    *,
    parameters: Mapping[str, Any] | None = None,
    output_dir: str | Path | None = None,
    kernel_name: str = KERNEL_NAME,
    progress: bool = True,
    renderer: Callable[..., Path] | None = None,
) -> BatchResult:
    """Render one report per parameter set.

    Every set is checked before the first report runs. A report is named after the
    template and the parameters of its own set (:func:`output_name`), in
    ``output_dir``. A failing report does not stop the batch.

    Parameters
    ----------
    template : str, Path or Template
    runs : iterable of mapping
        The parameter sets.
    parameters : mapping, optional
        Parameters shared by every run (a run's own values win).
    output_dir : str or Path, optional
        Defaults to :func:`segkit.config.reports_dir`.
    kernel_name : str, default KERNEL_NAME
    progress : bool, default True
        Show a tqdm progress bar (on stderr).
    renderer : callable, optional
        Replaces :func:`render` (same signature), e.g. in tests.

    Returns
    -------
    BatchResult

    Raises
    ------
    ParameterError
        When a set has a wrong parameter, or two sets would write the same file;
        nothing runs then.
    """
    from tqdm.auto import tqdm

    tpl = template if isinstance(template, Template) else get_template(template)
    shared = dict(parameters or {})
    runs = [dict(r) for r in runs]
    folder = Path(output_dir) if output_dir is not None else reports_dir()
    plan = []
    seen: dict[Path, int] = {}
    for i, run in enumerate(runs, 1):
        try:
            validate_parameters(tpl, {**shared, **run})
        except ParameterError as err:
            raise ParameterError(f"batch run {i} {run}: {err}") from None
        out = folder / output_name(tpl.name, run)
        if out in seen:
            raise ParameterError(
                f"batch runs {seen[out]} and {i} would both write {out.name}; give each "
                "run different parameters"
            )
        seen[out] = i
        plan.append((tpl, {**shared, **run}, out))
    bar = tqdm(total=len(plan), desc=f"segkit report {tpl.name}", unit="report",
               disable=not progress)
    return BatchResult(_run_plan(plan, renderer or render, kernel_name, bar))


def render_all(
    parameters: Mapping[str, Any] | None = None,
    *,
    output_dir: str | Path | None = None,
    kernel_name: str = KERNEL_NAME,
    progress: bool = True,
    renderer: Callable[..., Path] | None = None,
) -> BatchResult:
    """Render every template of :func:`list_templates` with its defaults.

    Parameters
    ----------
    parameters : mapping, optional
        Values given to every template that has the parameter (e.g. ``lang``); the
        others ignore them.
    output_dir : str or Path, optional
        Defaults to :func:`segkit.config.reports_dir`; each report is ``<template>.html``.
    kernel_name : str, default KERNEL_NAME
    progress : bool, default True
    renderer : callable, optional
        Replaces :func:`render`, e.g. in tests.

    Returns
    -------
    BatchResult
    """
    from tqdm.auto import tqdm

    folder = Path(output_dir) if output_dir is not None else reports_dir()
    templates = list_templates()
    plan = []
    for tpl in templates:
        given = {k: v for k, v in (parameters or {}).items() if k in tpl.parameters}
        validate_parameters(tpl, given)
        plan.append((tpl, given, folder / output_name(tpl.name)))
    bar = tqdm(total=len(plan), desc="segkit reports", unit="report", disable=not progress)
    return BatchResult(_run_plan(plan, renderer or render, kernel_name, bar))


def _run_plan(plan, render_one, kernel_name: str, bar) -> list[RunResult]:
    """Render each (template, parameters, output) of ``plan``; a failure does not stop the rest."""
    results = []
    for tpl, params, out in plan:
        bar.set_postfix_str(out.name, refresh=True)
        start = time.perf_counter()
        try:
            render_one(tpl, params, out, kernel_name=kernel_name)
            results.append(RunResult(params, out, True, seconds=time.perf_counter() - start))
        except SegkitError as err:
            results.append(
                RunResult(params, out, False, _first_line(str(err)), time.perf_counter() - start)
            )
        bar.update()
    bar.close()
    return results
