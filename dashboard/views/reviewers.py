"""Reviewer workload: for each reviewer of the pool, the reviews open and done, the mean score
they give and their maximum load, from the applications' panels as the workflows hold them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import grant_common as gc
from domain import access
from domain.grants.application_state import ApplicationState
from domain.grants.conflicts import Reviewer
from domain.grants.money import round_half_up


def workload(pool: list[Reviewer], states: list[ApplicationState]) -> list[dict[str, Any]]:
    """One row per reviewer (the pool's, then anyone else who sat on a panel): open = assigned and
    not yet scored on an application still in review; mean = of the weighted scores they gave."""
    rows: dict[str, dict[str, Any]] = {}

    def row(pid: str, name: str, r: Reviewer | None) -> dict[str, Any]:
        return rows.setdefault(pid, {
            "Reviewer": name, "Country": common.country_name(r.country) if r else "", "Expertise": ", ".join(r.expertise) if r else "",
            "Open": 0, "Done": 0, "Declined": 0, "Max load": r.max_load if r else None, "_scores": [],
        })  # fmt: skip

    for r in pool:
        row(r.person.id, r.person.name, r)
    for s in states:
        for a in s.reviews:
            x = row(a.reviewer.id, a.reviewer.name, None)
            if a.left_reason:
                x["Declined"] += 1
            elif a.score is not None:
                x["Done"] += 1
                if a.weighted is not None:
                    x["_scores"].append(a.weighted)
            elif s.stage.value == "review":
                x["Open"] += 1
    out = []
    for x in rows.values():
        scores: list[Decimal] = x.pop("_scores")
        x["Mean score given"] = float(round_half_up(Fraction(sum(scores, Decimal(0))) / len(scores))) if scores else None
        x["Load"] = x["Open"] / x["Max load"] if x["Max load"] else None
        out.append(x)
    return sorted(out, key=lambda x: (-x["Open"], x["Reviewer"]))


def page() -> None:
    me = common.me()
    st.title("Reviewer workload")
    if not access.sees_grants(me):
        st.warning("The reviewers' workload is for the fund's managers and board.", icon=":material/visibility_off:")
        return
    st.caption("Open reviews are assigned and not yet scored; the load compares them with each reviewer's maximum.")
    states = [s for _, s in gc.visible_applications(me)]
    table = workload(gc.reviewer_pool(), states)
    if not table:
        st.info("No reviewer is in a fund's pool yet.", icon=":material/group_off:")
        return
    m = st.columns(3)
    m[0].metric("Reviewers", len(table), border=True)
    m[1].metric("Open reviews", sum(x["Open"] for x in table), border=True)
    m[2].metric("Reviews done", sum(x["Done"] for x in table), border=True)
    st.dataframe(
        pd.DataFrame(table),
        hide_index=True,
        column_order=["Reviewer", "Country", "Expertise", "Open", "Done", "Declined", "Mean score given", "Max load", "Load"],
        column_config={
            "Mean score given": st.column_config.NumberColumn(format="%.2f", help="Mean of the weighted scores given, 0–100"),
            "Load": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1,
                                                    help="Open reviews / maximum load"),
        },
    )  # fmt: skip


page()
