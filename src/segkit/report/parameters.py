"""Report parameters: declared in a template's ``parameters`` cell, checked before a run.

A report template is a notebook in :func:`segkit.config.templates_dir`. Its first code
cell is tagged ``parameters`` and holds only independent, type-annotated assignments of
literal values, each with a comment::

    lang: str = "en"  # language of headings and labels; one of: en, zh
    cohort_periods: int = 12  # columns of the cohort heat map; range: 1..60

papermill's own inspection (the code behind ``papermill --help-notebook``) reads the
names, types, defaults and comments. Types are ``str``, ``int``, ``float`` and ``bool``.
The comment is the help text; parts of it separated by ``;`` that start with a keyword
declare the accepted values:

``one of: a, b, c``
    the value must be one of these (compared after conversion to the type);
``range: lo..hi``
    inclusive bounds of a number, either may be left out (``range: 1..``);
``format: NAME``
    a check from :data:`FORMATS`: ``date`` (empty, or a date written YYYY-MM-DD) or
    ``source`` (a data set of :data:`segkit.datasets.SOURCES`, or an existing folder
    of ``<table>.csv`` files, made absolute).

Write no ``=`` inside a comment: papermill's inspection cannot parse such a line.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as _dt
import difflib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..config import templates_dir
from ..datasets import SOURCES, check_source
from ..exceptions import ParameterError

__all__ = [
    "FORMATS",
    "Parameter",
    "Template",
    "parse_parameters",
    "read_template",
    "list_templates",
    "get_template",
    "validate_parameters",
    "output_name",
    "read_parameter_file",
    "read_batch_file",
]

_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}



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

    The names, annotated types, defaults and help comments are read by papermill's own
    notebook inspection (``papermill.translators.PythonTranslator.inspect``, the code
    behind ``papermill --help-notebook``); segkit adds its rules on top: only annotated
    assignments of literal values, of the types str, int, float and bool, each declared
    once, with the ``one of``, ``range`` and ``format`` constraints of the comment.

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
    import nbformat
    from papermill.translators import PythonTranslator

    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ParameterError(
            f"template {template!r}: the parameters cell is not valid Python ({err.msg}, "
            f"line {err.lineno})"
        ) from None
    seen: set[str] = set()
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
        if node.target.id in seen:
            raise ParameterError(f"{where}: parameter {node.target.id!r} is declared twice")
        seen.add(node.target.id)
    cell = nbformat.v4.new_code_cell(source)
    inspected = PythonTranslator.inspect(cell)
    lines = {node.target.id: node.lineno for node in tree.body}
    if [p.name for p in inspected] != list(lines):
        raise ParameterError(
            f"template {template!r}: papermill reads the parameters "
            f"{[p.name for p in inspected]} but the cell declares {list(lines)}; write one "
            "`name: type = value  # help` per line, with no '=' inside a comment"
        )
    out: dict[str, Parameter] = {}
    for p in inspected:
        name = p.name
        where = f"template {template!r}, parameters cell line {lines[name]}"
        ann = p.inferred_type_name
        if ann not in _TYPES:
            raise ParameterError(
                f"{where}: parameter {name!r} has the type {ann!r}; use one of {', '.join(_TYPES)}"
            )
        try:
            default = ast.literal_eval(p.default)
        except (ValueError, SyntaxError):
            raise ParameterError(
                f"{where}: the default of {name!r} must be a literal value, not computed "
                f"({p.default})"
            ) from None
        typ = _TYPES[ann]
        if not _is_instance(default, typ):
            raise ParameterError(
                f"{where}: the default of {name!r} is {default!r}, not of its type {ann}"
            )
        help_text, rules = _split_comment(p.help or "", name, typ)
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
    return check_source(value)


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
