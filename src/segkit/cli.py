"""The ``segkit`` command.

::

    segkit report --list                       templates, their parameters and help
    segkit report overview                     reports/overview.html from the defaults
    segkit report overview -p data cdnow -p time_grain W --lang zh
    segkit report overview -f params.yaml -o out/overview-cdnow.html
    segkit report overview --batch regions.yaml   one report per parameter set
    segkit report --all                        every template with its defaults (make reports)
    segkit survival accounts.csv --id account_no --start signup_date --end cancel_date \
        --event churned --by contract          churn survival from one table per customer

Parameters come, from weakest to strongest, from the ``parameters`` of a batch file,
``-f FILE`` (a YAML mapping), ``-p NAME VALUE`` (repeatable; the last one wins),
``--lang`` and finally each batch run's own values. Every value is checked before
anything runs. Errors are printed as one line on stderr (no traceback) and the command
exits with status 1 (2 for a command-line usage error).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import report
from .exceptions import SegkitError

__all__ = ["main", "build_parser"]


def _out(message: str = "") -> None:
    """Write a line of the command's output (stdout)."""
    print(message, file=sys.stdout)


def _err(message: str) -> None:
    """Write an error message (stderr): one line, or the whole error of a table (its
    table, column, rule and offending rows) on the lines after the first."""
    lines = [s for s in str(message).splitlines() if s.strip()]
    print(f"segkit: error: {lines[0] if lines else message}", file=sys.stderr)
    for line in lines[1:]:
        print(line, file=sys.stderr)


def _warn(message: str) -> None:
    """Write a warning (stderr)."""
    print(f"segkit: warning: {message}", file=sys.stderr)


def _check_data(*values: Mapping[str, Any]) -> None:
    """Read every folder given as ``data`` before a report runs.

    A folder is read as the report will read it (:func:`segkit.datasets.load_source`,
    with the folder's ``segkit.yaml``), so that a file that cannot be read fails here
    with the whole error (table, column, rule and offending rows) rather than as the
    first line of a failed notebook cell. Warnings (files that match no table) are
    printed.
    """
    from .datasets import SOURCES, load_source

    folders = []
    for params in values:
        data = params.get("data")
        if isinstance(data, str) and data not in SOURCES and data not in folders:
            if Path(data).expanduser().is_dir():
                folders.append(data)
    for folder in folders:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            load_source(folder)
        for w in caught:
            _warn(str(w.message))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``segkit`` command."""
    parser = argparse.ArgumentParser(
        prog="segkit",
        description="segkit: tiered customer management, churn and win-back.",
    )
    parser.add_argument("--version", action="version", version=f"segkit {report.segkit_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    rep = sub.add_parser(
        "report",
        help="render a report template to self-contained HTML",
        description="Render a report template (a notebook) to self-contained HTML: "
        "no code, figures embedded. Parameters are checked before anything runs.",
        epilog="Examples: segkit report --list; segkit report overview -p data cdnow "
        "--lang zh; segkit report overview --batch runs.yaml",
    )
    rep.add_argument("template", nargs="?", help="template name (see --list)")
    rep.add_argument(
        "--list",
        action="store_true",
        help="list the templates with their parameters, types, defaults and help",
    )
    rep.add_argument(
        "--all",
        action="store_true",
        help="render every template with its defaults (and -p/-f/--lang values that apply) "
        "into the reports folder (or -o FOLDER)",
    )
    rep.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a parameter (repeatable)",
    )
    rep.add_argument(
        "-f", "--params-file", metavar="FILE", help="YAML file with a mapping of parameter: value"
    )
    rep.add_argument(
        "--batch",
        metavar="FILE",
        help="YAML list of parameter sets (or a mapping with 'runs:' and "
        "optional shared 'parameters:'); one report per set",
    )
    rep.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output .html file (a folder for --batch); default: the reports folder",
    )
    rep.add_argument("--lang", help="language of the report (sets the parameter lang)")
    rep.add_argument(
        "--kernel", default=report.KERNEL_NAME, help="Jupyter kernel (default: %(default)s)"
    )
    rep.add_argument("--no-progress", action="store_true", help="no progress bar for --batch")
    rep.set_defaults(func=_report)
    surv = sub.add_parser(
        "survival",
        help="churn survival of one table per customer (a billing or CRM export)",
        description="Read one table per customer (CSV), build the survival frame from a "
        "column map (segkit.churn.survival_from_table) and print Kaplan-Meier survival by "
        "group with the log-rank test; -o writes the survival frame.",
        epilog="Example: segkit survival accounts.csv --id account_no --start signup_date "
        "--end cancel_date --event churned --by contract --end-date 2024-12-31",
    )
    surv.add_argument("file", help="CSV file, one row per customer")
    surv.add_argument("--id", required=True, help="the customer id column")
    surv.add_argument("--start", help="the start date column")
    surv.add_argument("--end", help="the end date column (empty while active)")
    surv.add_argument("--tenure", help="the tenure column (in --unit), instead of dates")
    surv.add_argument("--event", help="the churn flag column (yes/no, true/false, 1/0)")
    surv.add_argument("--by", help="group column for Kaplan-Meier and the log-rank test")
    surv.add_argument("--unit", default="M", choices=["D", "W", "M"],
                      help="time unit: days, weeks or calendar months (default: %(default)s)")
    surv.add_argument("--end-date", help="observation end (the export date); default: the "
                      "last date in the table")
    surv.add_argument("--at", type=float, nargs="+", default=[6, 12, 24],
                      help="times at which to print survival (default: 6 12 24)")
    surv.add_argument("--encoding", default="utf-8", help="file encoding (e.g. gbk)")
    surv.add_argument("-o", "--output", metavar="OUT", help="write the survival frame (CSV)")
    surv.set_defaults(func=_survival)
    return parser


def _survival(args: argparse.Namespace) -> int:
    """``segkit survival``: survival_from_table and Kaplan-Meier on one CSV file."""
    import pandas as pd

    from .churn import kaplan_meier, survival_from_table

    df = pd.read_csv(args.file, dtype=str, keep_default_na=False, encoding=args.encoding)
    df = df.replace({"": None})
    if args.tenure is not None:
        df[args.tenure] = pd.to_numeric(df[args.tenure], errors="coerce")
    covariates = [args.by] if args.by else None
    frame = survival_from_table(
        df, args.id, start_col=args.start, end_col=args.end, tenure_col=args.tenure,
        event_col=args.event, covariate_cols=covariates, unit=args.unit,
        observation_end=args.end_date, table=Path(args.file).name)
    km = kaplan_meier(frame, args.by)
    units = {"D": "days", "W": "weeks", "M": "months"}[args.unit]
    _out(f"{len(frame)} customers, {int(frame['event'].sum())} churned "
         f"({frame['event'].mean():.1%}); times in {units}")
    at = km.survival_at(args.at)
    table = pd.DataFrame({"customers": frame.groupby(args.by).size() if args.by
                          else pd.Series({"all": len(frame)}),
                          "median": km.medians}).join(at.rename(columns=lambda t: f"S({t:g})"))
    _out(table.round(3).to_string())
    if km.logrank is not None:
        _out(f"log-rank test across {args.by}: chi2 {km.logrank['test_statistic']:.2f}, "
             f"df {km.logrank['degrees_of_freedom']}, p {km.logrank['p_value']:.3g}")
    if args.output:
        frame.to_csv(args.output, index=False)
        _out(f"survival frame written to {args.output}")
    return 0


def _format_template(tpl: report.Template) -> list[str]:
    lines = [f"{tpl.name}: {tpl.description}" if tpl.description else tpl.name]
    width = max((len(n) for n in tpl.parameters), default=0)
    for p in tpl.parameters.values():
        accepted = p.describe()[len(p.name) + 2 : -1].split(", ", 1)
        rule = f" [{accepted[1]}]" if len(accepted) > 1 else ""
        lines.append(
            f"  {p.name:<{width}}  {p.type_name:<5}  default {p.default!r:<10}  {p.help}{rule}"
        )
    return lines


def _collect_parameters(args: argparse.Namespace) -> dict:
    params = report.read_parameter_file(args.params_file) if args.params_file else {}
    for name, value in args.param:
        params[name] = value
    if args.lang is not None:
        params["lang"] = args.lang
    return params


def _summarise(result: report.BatchResult) -> int:
    for run in result.runs:
        if run.ok:
            _out(f"ok      {run.output}  ({run.seconds:.1f} s)")
        else:
            _out(f"FAILED  {run.output}: {run.error}")
    _out(result.summary())
    if not result.ok:
        _err(result.summary())
    return 0 if result.ok else 1


def _report(args: argparse.Namespace) -> int:
    if args.list:
        templates = (
            [report.get_template(args.template)] if args.template else report.list_templates()
        )
        for i, tpl in enumerate(templates):
            if i:
                _out()
            for line in _format_template(tpl):
                _out(line)
        return 0
    if args.all:
        if args.template or args.batch:
            _err("--all renders every template; give no template name and no --batch")
            return 2
        result = report.render_all(
            _collect_parameters(args),
            output_dir=args.output,
            kernel_name=args.kernel,
            progress=not args.no_progress,
        )
        return _summarise(result)
    if not args.template:
        names = ", ".join(t.name for t in report.list_templates())
        _err(f"name a report template ({names}); 'segkit report --list' shows them")
        return 2
    tpl = report.get_template(args.template)
    params = _collect_parameters(args)
    if args.batch:
        shared, runs = report.read_batch_file(args.batch)
        _check_data({**shared, **params},
                    *({**shared, **params, **run} for run in runs if isinstance(run, Mapping)))
        result = report.render_batch(
            tpl,
            runs,
            parameters={**shared, **params},
            output_dir=args.output,
            kernel_name=args.kernel,
            progress=not args.no_progress,
        )
        return _summarise(result)
    _check_data(params)
    start = time.perf_counter()
    out = report.render(tpl, params, args.output, kernel_name=args.kernel)
    size = Path(out).stat().st_size / 1024
    _out(f"wrote {out}  ({size:.0f} kB, {time.perf_counter() - start:.1f} s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``segkit`` command; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when a report or a parameter fails, 2 for usage errors.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except SegkitError as err:
        _err(str(err))
        return 1
    except OSError as err:
        _err(f"{err.strerror or err}: {err.filename}" if err.filename else str(err))
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
