"""Rendering report templates to self-contained HTML with papermill and nbconvert.

:func:`render` checks every parameter before anything runs (an unknown name, a value of
the wrong type or out of range raises a :class:`~segkit.exceptions.ParameterError` that
lists the accepted parameters). Then papermill executes the template in a temporary
directory with the Jupyter kernel ``segkit``, :func:`segkit.report.html.export_html`
turns the executed notebook into HTML without any code, and the HTML replaces the
previous report atomically. If a cell fails, a :class:`~segkit.exceptions.RenderError`
is raised, the previous report is left byte-identical and the executed notebook, with
its error, is kept beside it as ``<report>.failed.ipynb`` (removed again by the next
successful render).

:func:`render_batch` renders one report per parameter set, named after the parameters
that vary: ``reports/overview-region=north.html``; :func:`render_all` renders every
template.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..config import reports_dir
from ..exceptions import ParameterError, RenderError, SegkitError
from .html import export_html
from .parameters import (
    FORMATS,
    Parameter,
    Template,
    get_template,
    list_templates,
    output_name,
    validate_parameters,
)

__all__ = ["KERNEL_NAME", "RunResult", "BatchResult", "render", "render_batch", "render_all"]

#: Jupyter kernel the templates run in (``python -m ipykernel install --sys-prefix
#: --name segkit``).
KERNEL_NAME: str = "segkit"


def _failed_path(out: Path) -> Path:
    return out.with_name(out.stem + ".failed.ipynb")


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
            f"the Jupyter kernel {kernel_name!r} is not installed; run 'make kernel' in "
            f"the segkit checkout, or 'python -m ipykernel install --sys-prefix --name "
            f"{kernel_name}' with the python that has segkit"
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
                # plot.setup sends the warnings of the report to the render log
                kw["env"] = {**kw.get("env", os.environ), RENDER_LOG_ENV: "1"}
                await super()._async_start_kernel(**kw)

        start_kernel = _async_start_kernel

    return QuietKernelManager


#: Set in the kernel of a render: :func:`segkit.plot.setup` then writes warnings to the
#: render log (the kernel's own stderr) instead of the report.
RENDER_LOG_ENV: str = "SEGKIT_RENDER_LOG"


def _move_stderr_to_log(executed: Path, log_path: Path) -> None:
    """Take every stderr output (warnings, log lines) out of the executed notebook.

    They are appended to the render log, which is kept beside a failed report; no
    warning text, and so no path of the machine, reaches the HTML.
    """
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    moved = []
    for cell in nb.cells:
        outputs = cell.get("outputs")
        if not outputs:
            continue
        keep = []
        for out in outputs:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                moved.append(str(out.get("text", "")))
            else:
                keep.append(out)
        cell["outputs"] = keep
    if moved:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write("".join(moved))
        nbformat.write(nb, str(executed))


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


#: Parameters never put in a file name (secrets).
_UNNAMED = frozenset({"salt"})


def _naming(tpl: Template, values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters that differ from the template's defaults, as named in a file name.

    A data folder is named by its own name, never by its path; secrets are left out.
    """
    named = {}
    for name, value in values.items():
        param = tpl.parameters.get(name)
        if name in _UNNAMED or (param is not None and value == param.default):
            continue
        if name == "data" and isinstance(value, str) and os.sep in value:
            value = os.path.basename(os.path.normpath(value))
        named[name] = value
    return named


def _resolve_output(
    tpl: Template, output: str | Path | None, values: Mapping[str, Any] | None = None
) -> Path:
    """Where a single render writes: ``output``, or a name that says its parameters.

    Without ``output``, a render with non-default parameters is named after them
    (``overview-lang=zh.html``, ``overview-data=shop.html``), so rendering other data or
    another language never overwrites the default report.
    """
    name = output_name(tpl.name, _naming(tpl, values or {}))
    if output is None:
        return reports_dir() / name
    out = Path(output).expanduser()
    if out.is_dir() or str(output).endswith(("/", os.sep)):
        return out / name
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
        The HTML file, or a folder; defaults to :func:`segkit.config.reports_dir`. In a
        folder the report is ``<template>.html`` with the defaults, and is named after
        the parameters that differ from them otherwise (``overview-lang=zh.html``;
        the secret ``salt`` never).
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
    out = _resolve_output(tpl, output, values)
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
            _move_stderr_to_log(executed, log)
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
