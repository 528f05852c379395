"""Fixtures borrowed from tests/workflows and tests/dashboard, and the figures printed at the end of the run."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.dashboard.conftest import app, data_dir, template_dir  # noqa: F401 - the seeded dashboard: test_dashboard_hides
from tests.workflows.conftest import env, worker  # noqa: F401 - the time-skipping server and a worker: test_validators

FIGURES: dict[str, object] = {}
VALIDATORS: Counter[str] = Counter()  # real updates sent by test_validators: accepted, refused


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if VALIDATORS:
        terminalreporter.write_line(
            f"validators on the test server: {VALIDATORS['accepted'] + VALIDATORS['refused']} real updates, "
            f"{VALIDATORS['accepted']} accepted, {VALIDATORS['refused']} refused without a trace"
        )
    if not FIGURES:
        return
    t = FIGURES["totals"]
    assert isinstance(t, dict)
    terminalreporter.write_line(
        f"authorization matrix: {t['tried']} actions tried ({FIGURES['people']} people × {FIGURES['scenarios']} item steps × "
        f"their lifecycle's actions), {t['accepted']} accepted, {t['refused']} refused, {t['discrepancies']} known "
        f"discrepancies; checked in {FIGURES['seconds']['matrix_seconds']} s (states built in "  # type: ignore[index]
        f"{FIGURES['seconds']['build_seconds']} s) — {FIGURES['path']}"  # type: ignore[index]
    )
