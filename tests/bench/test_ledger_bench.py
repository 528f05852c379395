"""The fund-ledger benchmark (bench/ledger.py) measures what it says: the journal it builds has the
entries asked for, and a projection's size does not grow with them while the whole journal does."""

from __future__ import annotations

from bench import ledger


def test_a_projection_stays_small_as_the_journal_grows() -> None:
    small, large = ledger.measure(100, runs=2), ledger.measure(400, runs=2)
    assert (small["entries"], large["entries"]) == (100, 400)
    assert abs(large["projection_bytes"] - small["projection_bytes"]) < 50  # the one new entry, whatever came before
    assert large["projection_bytes_before"] > 3.5 * small["projection_bytes_before"]
    assert large["continue_as_new_input_bytes"] > 3.5 * small["continue_as_new_input_bytes"]
    assert small["projection_bytes"] < small["projection_bytes_before"] / 10
