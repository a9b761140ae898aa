"""The shape of the package: one home per concept, data flowing one way.

- modules import downwards only (the layers of docs/architecture.md);
- docs/architecture.md lists exactly the files of the package;
- report templates contain nothing but calls into segkit;
- no library code prints, and no public function modifies its input frames;
- the tables are named alike everywhere: the data model, CustomerData, the simulator,
  the demo data, data_model() and the glossary.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import segkit
from segkit.config import PROJECT_ROOT
from segkit.schema import TABLES, CustomerData

SRC = Path(segkit.__file__).resolve().parent
DOC = PROJECT_ROOT / "docs" / "architecture.md"

#: The layers, lowest first: a module may import only from layers below its own (and
#: within its own package). The same table is in docs/architecture.md.
LAYERS: dict[str, int] = {
    "exceptions": 0,
    "config": 1,
    "convert": 1,
    "schema": 2,
    "data": 3,
    "privacy": 3,
    "glossary": 3,
    "io": 4,
    "quality": 4,
    "features": 4,
    "datasets": 5,
    "segment": 6,
    "value": 6,
    "credit": 6,
    "churn": 7,
    "winback": 8,
    "service": 8,
    "plot": 9,
    "report": 10,
    "exercises": 10,
    "cli": 11,
}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _top(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imported(path: Path) -> set[str]:
    """Top-level segkit modules that ``path`` imports (anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(SRC)
    package = list(rel.parts[:-1])  # the package the module is in
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "segkit":
                    continue
                parts = parts[1:]
            else:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                parts = [*base, *((node.module or "").split(".") if node.module else [])]
            if parts:
                out.add(parts[0])
            else:  # from . import x, y (in the top package)
                out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "segkit" and len(parts) > 1:
                    out.add(parts[1])
    return out


def test_every_module_has_a_layer():
    tops = {_top(p) for p in _modules()} - {"__init__"}
    assert tops <= set(LAYERS), f"add {sorted(tops - set(LAYERS))} to LAYERS and the doc"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_import_downwards_only(path):
    me = _top(path)
    if me == "__init__":
        return  # the package's front door imports everything
    wrong = sorted(
        name for name in _imported(path) - {me}
        if name in LAYERS and LAYERS[name] >= LAYERS[me]
    )
    assert not wrong, (
        f"{path.relative_to(SRC)} (layer {LAYERS[me]}) imports {wrong}, which are not below "
        f"it: {[(w, LAYERS[w]) for w in wrong]}"
    )


def test_the_import_check_sees_relative_and_absolute_imports(tmp_path):
    sample = SRC / "report" / "page.py"
    assert {"datasets", "privacy", "data", "quality", "plot", "glossary"} <= _imported(sample)


# ----------------------------------------------------------------- the written architecture


def _doc_tree() -> dict[str, str]:
    """path -> description, from the tree block of docs/architecture.md."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- tree -->", 2)[1]
    out = {}
    for line in block.splitlines():
        m = re.match(r"^\s*(src/segkit/\S+)\s+(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def _package_files() -> set[str]:
    files = set()
    for p in SRC.rglob("*"):
        if "__pycache__" in p.parts or not p.is_file():
            continue
        if p.suffix in {".py", ".ipynb", ".j2", ".css", ".json"}:
            files.add(str(p.relative_to(PROJECT_ROOT)))
    return files


def test_architecture_doc_lists_exactly_the_files_of_the_package():
    doc = _doc_tree()
    files = _package_files()
    assert not files - set(doc), f"files missing from docs/architecture.md: {sorted(files - set(doc))}"
    assert not set(doc) - files, f"docs/architecture.md lists missing files: {sorted(set(doc) - files)}"
    assert all(doc.values()), "every file in the tree has a one-line description"


def test_architecture_doc_has_the_layers_of_this_test():
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- layers -->", 2)[1]
    found = {m.group(1): int(m.group(2)) for m in re.finditer(r"\|\s*`(\w+)`\s*\|\s*(\d+)", block)}
    assert found == LAYERS


# ----------------------------------------------------------------- templates and notebooks

_ALLOWED_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Assign, ast.Expr)


def _only_segkit_calls(source: str) -> list[str]:
    """Problems of a template cell that is not made only of calls into segkit."""
    problems = []
    tree = ast.parse(source)
    bound: set[str] = set()
    for node in tree.body:
        if not isinstance(node, _ALLOWED_STATEMENTS):
            problems.append(f"line {node.lineno}: {type(node).__name__} statement")
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if not (module or "").startswith("segkit"):
                problems.append(f"line {node.lineno}: imports {module}")
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
            continue
        value = node.value
        if not isinstance(value, ast.Call):
            problems.append(f"line {node.lineno}: not a call")
            continue
        root = value.func
        while isinstance(root, ast.Attribute | ast.Call):
            root = root.value if isinstance(root, ast.Attribute) else root.func
        if not (isinstance(root, ast.Name) and root.id in bound):
            problems.append(f"line {node.lineno}: calls {ast.unparse(value.func)}, not segkit")
        for inner in ast.walk(value):
            if isinstance(inner, ast.Lambda | ast.ListComp | ast.DictComp | ast.SetComp
                          | ast.GeneratorExp | ast.BinOp | ast.Subscript):
                problems.append(f"line {node.lineno}: computes ({type(inner).__name__})")
        if isinstance(node, ast.Assign):
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return problems


def _template_cells():
    from segkit import report

    for tpl in report.list_templates():
        nb = json.loads(tpl.path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        yield tpl.name, code


def test_every_template_has_nothing_but_calls_into_segkit():
    names = []
    for name, cells in _template_cells():
        names.append(name)
        params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
        assert len(params) == 1, f"{name}: one parameters cell"
        # the parameters are in scope for the later cells, as papermill injects them
        bound = set(segkit.report.get_template(name).parameters)
        source = "\n".join(
            "".join(c["source"]) for c in cells if "parameters" not in c["metadata"].get("tags", [])
        )
        header = "\n".join(f"from segkit import {b}" for b in sorted(bound)) + "\n"
        problems = [p for p in _only_segkit_calls(header + source) if "imports" not in p
                    or "segkit" not in p]
        assert not problems, f"template {name}: {problems}"
    assert "overview" in names


@pytest.mark.parametrize(
    "source",
    [
        "import pandas as pd\npd.DataFrame()",
        "from segkit import data\nfor x in range(3):\n    data.cut(x)",
        "from segkit import data\ndef f():\n    pass",
        "from segkit import data\nx = data.cut(1) + 1",
        "from segkit import data\ndata.cut([d for d in range(3)])",
        "len([1, 2])",
    ],
)
def test_the_template_check_catches_logic(source):
    assert _only_segkit_calls(source)


# ----------------------------------------------------------------- no print, no mutation


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_library_code_does_not_print(path):
    if _top(path) in {"cli"} or path.name == "__main__.py":
        return  # the command line writes to the terminal on purpose
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == "print"]
    assert not calls, f"print() at lines {calls}; return values or use warnings"


@pytest.fixture(scope="module")
def demo():
    from segkit.datasets import load_demo

    return load_demo()


def _snapshot(value):
    if isinstance(value, pd.DataFrame):
        return ("frame", list(value.columns), value.copy(deep=True))
    if isinstance(value, CustomerData):
        return ("data", {k: _snapshot(v) for k, v in value.tables().items()},
                value.observation_end)
    return ("other", value)


def _assert_same(before, after_value, where):
    kind = before[0]
    if kind == "frame":
        assert list(after_value.columns) == before[1], f"{where}: columns changed"
        pd.testing.assert_frame_equal(after_value, before[2], obj=where)
    elif kind == "data":
        assert after_value.observation_end == before[2], f"{where}: observation end changed"
        for name, snap in before[1].items():
            _assert_same(snap, getattr(after_value, name), f"{where}.{name}")


def _calls(demo):
    """Every public function that takes tables, with arguments from the demo company."""
    from segkit import data, features, privacy, quality, schema
    from segkit.features import contracts

    tx = demo.transactions
    raw_tx = tx.astype({"timestamp": str, "amount": str})
    return {
        data.cut: (demo,), data.filter_region: (demo, "north"), data.observation_end: (demo,),
        data.last_event: (demo,), data.acquisition_dates: (demo,), data.is_return: (tx,),
        data.purchases: (tx,),
        features.summary: (tx,), features.calibration_holdout_summary: (tx, "2024-06-30"),
        features.customer_base: (demo,), features.revenue: (demo,),
        features.cohort_retention: (demo,), features.cohort_sizes: (demo,),
        features.customer_profile: (demo,),
        features.warning_indicators: (demo, "2024-06-30"),
        features.warning_indicators_by_period: (demo, "Q"),
        contracts.contract_billings: (demo.contracts, demo.observation_end),
        contracts.contract_periods: (demo.contracts, "M", demo.observation_end),
        quality.data_quality: (demo,), quality.example_rows: (tx,),
        quality.format_data_quality: (quality.data_quality(demo),),
        quality.format_rows: (demo.contracts.head(), "contracts", "zh"),
        privacy.protect: (demo,), privacy.drop_personal: (demo.customers,),
        privacy.drop_sensitive: (demo.customers,), privacy.pseudonymise: (tx,),
        privacy.drop_record_ids: (tx,),
        schema.validate: (raw_tx, "transactions"), schema.validate_tables: (demo,),
        schema.apply_column_map: (tx, "transactions", {"amount": "amount"}),
        schema.validation_report: (raw_tx, "transactions"),
        **_segment_calls(demo),
        **_churn_calls(demo),
        **_winback_calls(demo),
    }


def _segment_calls(demo):
    """The segment module's functions that take tables, with small arguments."""
    from segkit import features, segment

    profile = features.customer_profile(demo)
    tiers = segment.ParetoTiers().fit_predict(profile)
    long = segment.tiers_by_period(demo, segment.ParetoTiers(), freq="Q")
    matrix = segment.migration_matrix(long)
    tiers_by_id = pd.Series(tiers.to_numpy(), index=profile["customer_id"].to_numpy(),
                            dtype=tiers.dtype)
    gender = demo.customers.set_index("customer_id")["gender"]
    return {
        segment.tier_profile: (profile, tiers), segment.recency_ratio: (profile,),
        segment.compare_base: (demo, "2024-06-30"), segment.horizon_outcomes: (demo, "2024-06-30"),
        segment.lifecycle_stages: (demo,), segment.lifecycle_features: (demo,),
        segment.tiers_by_period: (demo, segment.ParetoTiers(), "Q"),
        segment.migration_matrix: (long,), segment.migration_rates: (matrix, list(tiers.cat.categories)),
        segment.expected_time_in_tier: (matrix,), segment.migration_flows: (long,),
        segment.acquisition_features: (demo,),
        segment.lookalike_backtest: (demo, segment.top_value_label(), "2024-01-01"),
        segment.fairness_audit: (tiers_by_id, gender.reindex(tiers_by_id.index)),
    }


class _Kw(dict):
    """Keyword arguments at the end of a call's argument tuple."""


def _call(function, args):
    if args and isinstance(args[-1], _Kw):
        return function(*args[:-1], **args[-1])
    return function(*args)


def _churn_calls(demo):
    """The churn module's functions that take tables, with small arguments."""
    from segkit import churn

    surv = churn.survival_data(demo, threshold_days=120, unit="M")
    changes = churn.complaint_counts(demo)
    long = churn.to_long(surv, changes, "date", "M")
    from segkit.datasets import load_demo_truth

    warning = churn.EarlyWarning(capacity=20, n_train_dates=2).fit(demo, "2024-06-30")
    subs = pd.DataFrame({"id": ["1", "2", "3"], "start": ["2024-01-01"] * 3,
                         "end": ["2024-03-01", None, "2024-05-01"]})
    return {
        churn.narrow_churn: (demo, 120), churn.broad_churn: (demo,),
        churn.churn_labels: (demo, "narrow", 120), churn.last_activity: (demo,),
        churn.inter_purchase_days: (demo,), churn.choose_threshold: (demo,),
        churn.threshold_tradeoff: (demo, [60, 120]), churn.churn_rate: (demo, "Q", "broad"),
        churn.survival_data: (demo, "broad"), churn.time_varying: (demo, "broad"),
        churn.survival_from_table: (subs, "id", _Kw(start_col="start", end_col="end")),
        churn.to_long: (surv, changes, "date", "M"), churn.complaint_counts: (demo,),
        churn.episodes: (demo, 120), churn.kaplan_meier: (surv, "channel"),
        churn.split_follow_up: (surv.assign(x=1.0), [6.0], ["x"]),
        churn.time_varying_concordance: (long, [0.0] * len(long)),
        churn.sbg_vs_kaplan_meier: (surv.assign(duration=surv["duration"].round()),),
        churn.known_at: (demo, "2024-06-30"), churn.snapshot_features: (demo, "2024-06-30"),
        churn.time_split: (demo, "2024-06-30", 120, _Kw(threshold_days=90)),
        churn.evaluate_warning: (demo, load_demo_truth(), warning,
                                 _Kw(dates=["2024-09-01"])),
    }


def _winback_calls(demo):
    """The win-back module's functions that take tables, with small arguments."""
    from segkit import winback

    lost = winback.lost_customers(demo, threshold_days=120)
    uplift = pd.DataFrame({"a": [0.1, 0.3], "b": [0.05, 0.02]})
    frame = winback.learning_frame(demo.campaigns, demo.transactions, demo.complaints)
    return {
        winback.lost_customers: (demo, "broad"),
        winback.lost_in_period: (demo, "2024-01-01", "2024-03-31", 120), winback.loss_reasons: (lost,),
        winback.cost_of_churn: (lost,), winback.offer_effects: (demo.campaigns,),
        winback.learning_frame: (demo.campaigns, demo.transactions, demo.complaints),
        winback.allocate: (uplift, [100.0, 50.0], {"a": 5.0, "b": 1.0}, 6.0),
        winback.compare_policies: (uplift, [100.0, 50.0], {"a": 5.0, "b": 1.0}, 6.0,
                                   _Kw(predicted_uplift=uplift, risk=[0.2, 0.1])),
        winback.evaluate_reason_text: (demo.complaints,),
        winback.reasons_from_text: (demo.complaints,),
        winback.value_if_won_back: (demo.transactions, "2024-06-30"),
        winback.compare_learners: (frame, _Kw(learners={"T": winback.TLearner(random_state=0)})),
        winback.targeting_inputs: (demo, frame, "2023-12-31", {"discount_10": (0.0, 0.1)}),
        winback.cost_table: (pd.DataFrame({"value": [1.0], "cost_a": [2.0]}),),
        winback.backtest_targeting: (frame, [100.0] * len(frame),
                                     {"discount_10": 2.0, "discount_25": 5.0,
                                      "service_call": 15.0}, 500.0,
                                     _Kw(learner=winback.TLearner(random_state=0))),
    }


def test_no_public_function_modifies_its_input_frames(demo):
    calls = _calls(demo)
    for function, args in calls.items():
        before = [_snapshot(a) for a in args]
        _call(function, args)
        for i, (snap, arg) in enumerate(zip(before, args, strict=True)):
            _assert_same(snap, arg, f"{function.__module__}.{function.__name__} argument {i}")


def test_every_public_function_that_takes_frames_is_in_the_mutation_test(demo):
    from segkit import churn, data, features, privacy, quality, schema, segment, winback
    from segkit.features import contracts, summary

    covered = set(_calls(demo))
    for module in (data, features, contracts, summary, privacy, quality, schema, segment, churn,
                   winback):
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not inspect.isfunction(obj):
                continue
            first = next(iter(inspect.signature(obj).parameters.values()), None)
            takes_frames = first is not None and any(
                t in str(first.annotation) for t in ("DataFrame", "CustomerData")
            )
            if takes_frames:
                assert obj in covered, f"{module.__name__}.{name} takes tables: add it to _calls"


# ----------------------------------------------------------------- one list of tables


def test_tables_are_named_alike_everywhere(demo):
    from segkit import glossary
    from segkit.datasets import simulate
    from segkit.schema import data_model

    names = list(TABLES)
    fields = [f.name for f in dataclasses.fields(CustomerData) if f.name in TABLES]
    assert fields == names, "CustomerData has one field per table, in the data model's order"
    assert [f.name for f in dataclasses.fields(CustomerData)] == [*names, "observation_end",
                                                                 "source"]
    model = data_model()
    assert list(dict.fromkeys(model["table"])) == names
    sim = simulate(n_customers=300, seed=3).tables
    for source, company in (("simulate", sim), ("load_demo", demo)):
        assert list(company.tables()) == names, f"{source} returns every table"
        for name, df in company.tables().items():
            assert list(df.columns) == list(TABLES[name].names), f"{source}.{name} columns"
    for name in names:
        for lang in glossary.LANGS:
            assert glossary.t(f"table_{name}", lang), f"glossary: table_{name} in {lang}"
    for name, spec in TABLES.items():
        assert model.loc[model["table"] == name, "column"].tolist() == list(spec.names)
