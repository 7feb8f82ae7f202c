"""docs/reliability.md's fault table is the one the tests recorded (tests/reliability.py)."""

from __future__ import annotations

import ast

from tests import reliability


def test_the_fault_table_is_generated_from_the_recorded_cases() -> None:
    text = reliability.DOC.read_text()
    assert reliability.section(text) == reliability.render(), (
        "docs/reliability.md is out of date: run `python -m tests.reliability`"
    )


def test_every_recorded_case_names_a_test_that_records_it() -> None:
    data = reliability.load()
    assert data, "no fault case recorded"
    for case, row in data.items():
        path, _, name = row["test"].partition("::")
        source = (reliability.REPO / path).read_text()
        functions = {n.name: n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)}
        assert name in functions, f"{case}: {row['test']} does not exist"
        assert f'"{case}"' in ast.get_source_segment(source, functions[name]), f"{case}: {name} does not record it"
        assert row["level"] in reliability.LEVELS


def test_render_escapes_cells_and_orders_engine_cases_first() -> None:
    rows = {
        "b": {"level": "unit", "fault": "a | b", "outcome": "o", "test": "tests/unit/test_x.py::test_b"},
        "a": {"level": "engine", "fault": "f", "outcome": "line\nbreak", "test": "tests/e2e/test_y.py::test_a"},
    }
    table = reliability.render(rows).splitlines()
    assert table[2].startswith("| `a` | f | line break | [test_a](../tests/e2e/test_y.py) (engine) |")
    assert "a \\| b" in table[3]
