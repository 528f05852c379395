"""The grants pipeline: every application by stage, with its panel score, bonus, reviews and
votes, filtered by call and stage; and the ranking of a call's reviewed applications for the board."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import grant_common as gc
from dashboard import program_common as pc
from domain import access
from domain.grants.application_state import ApplicationState
from domain.grants.process import ApplicationStage
from domain.grants.rubric import RankEntry, rank
from domain.parties import Person
from store.models import ItemDetail

STAGES = [s.value for s in ApplicationStage]


def rows(pairs: list[tuple[ItemDetail, ApplicationState]], now: datetime) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    for item, s in pairs:
        a = s.application
        out.append(
            {
                "id": item.item_id,
                "Project": a.project.title,
                "Call": s.call.id,
                "Lead": a.lead.name,
                "Countries": ", ".join(a.countries),
                "Requested": gc.money(a.requested_amount, a.currency),
                "Stage": gc.stage_label(s.stage.value),
                "Panel score": float(s.score) if s.score is not None else None,
                "Bonus": float(s.bonus),
                "Reviews": f"{sum(1 for r in s.active_reviews if r.score is not None)}/{len(s.active_reviews)}",
                "Votes": f"{len(s.votes)}/{len(s.people.board)}" if s.stage.value == "board" or s.votes else "",
                "Age (days)": pc.age_days(s.submitted_at or item.created_at, now),
            }
        )
    return pd.DataFrame(out)


def ranking(pairs: list[tuple[ItemDetail, ApplicationState]], call_id: str) -> pd.DataFrame:
    """The call's reviewed applications, best first by score + priority bonus (`domain.grants.rubric.rank`)."""
    scored = [(i, s) for i, s in pairs if s.call.id == call_id and s.score is not None and s.submitted_at is not None
              and s.stage.value != "withdrawn"]  # fmt: skip
    if not scored:
        return pd.DataFrame()
    call = scored[0][1].call
    by_id = {s.application.id: (i, s) for i, s in scored}
    entries = [RankEntry(application_id=s.application.id, score=s.score, priorities=s.application.priorities,
                         submitted_at=s.submitted_at) for _, s in scored]  # fmt: skip
    out = []
    for r in rank(entries, call.bonuses):
        _, s = by_id[r.application_id]
        out.append(
            {
                "Rank": r.rank,
                "Project": s.application.project.title,
                "Score": float(r.score),
                "Bonus": float(r.bonus),
                "Total": float(r.total),
                "Requested": gc.money(s.application.requested_amount, s.application.currency),
                "Stage": gc.stage_label(s.stage.value),
                "Priorities": ", ".join(r.priorities),
            }
        )
    return pd.DataFrame(out)


def page() -> None:
    me: Person = common.me()
    st.title("Grants pipeline")
    if not access.sees_grants(me):
        st.warning("The pipeline is for the fund's managers and board.", icon=":material/visibility_off:")
        return
    st.caption("Every application to the fund's calls, by stage. Age counts days since submission.")
    pairs = gc.visible_applications(me)
    calls = {s.call.id: s.call.name() for _, s in pairs}
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    call_id = c1.selectbox("Call", [None, *calls], format_func=lambda c: "Every call" if c is None else calls[c], key="pipe-call")
    stages = c2.multiselect("Stage", STAGES, format_func=gc.stage_label, key="pipe-stage", placeholder="Any stage")
    in_call = [(i, s) for i, s in pairs if call_id is None or s.call.id == call_id]
    counts = {st_: sum(1 for _, s in in_call if s.stage.value == st_) for st_ in STAGES}
    shown = [st_ for st_ in STAGES if counts[st_]] or STAGES[:4]
    cols = st.columns(len(shown))
    for col, st_ in zip(cols, shown, strict=True):
        col.metric(gc.stage_label(st_), counts[st_], border=True)
    filtered = [(i, s) for i, s in in_call if not stages or s.stage.value in stages]
    frame = rows(filtered, datetime.now(UTC))
    if frame.empty:
        st.info("No application matches these filters.", icon=":material/filter_alt_off:")
    else:
        frame = frame.sort_values("Age (days)", ascending=False, kind="stable")
        event = st.dataframe(
            frame,
            hide_index=True,
            column_order=["Project", "Lead", "Countries", "Requested", "Stage", "Panel score", "Bonus", "Reviews", "Votes",
                          "Age (days)"],
            column_config={
                "Panel score": st.column_config.NumberColumn(format="%.2f", help="Mean weighted score of the panel, 0–100"),
                "Bonus": st.column_config.NumberColumn(format="+%.0f", help="Priority bonus points"),
                "Reviews": st.column_config.TextColumn(help="Reviews done / reviewers assigned"),
                "Votes": st.column_config.TextColumn(help="Board votes cast / members"),
                "Age (days)": st.column_config.NumberColumn(format="%d d"),
            },
            on_select="rerun",
            selection_mode="single-row",
            key="pipeline-table",
        )  # fmt: skip
        selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        if selected:
            gc.open_application(frame.iloc[selected[0]]["id"])
        labels = {r["id"]: f"{r['Project']} — {r['Stage']}" for r in frame.to_dict("records")}
        pick, go = st.columns([4, 1], vertical_alignment="bottom")
        target = pick.selectbox("Open application", list(labels), format_func=labels.__getitem__, key="pipe-pick")
        if go.button("Open", icon=":material/open_in_new:", key="pipe-go", width="stretch"):
            gc.open_application(target)

    st.subheader("Ranking for the board")
    rank_call = call_id or (next(iter(calls)) if calls else None)
    if len(calls) > 1 and call_id is None:
        rank_call = st.selectbox("Call to rank", list(calls), format_func=calls.__getitem__, key="rank-call")
    table = ranking(pairs, rank_call) if rank_call else pd.DataFrame()
    if table.empty:
        st.caption("No application of this call has a panel score yet.")
        return
    st.caption("Reviewed applications, best first: panel score plus priority bonus; ties go to the earlier submission.")
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "Score": st.column_config.NumberColumn(format="%.2f"),
            "Bonus": st.column_config.NumberColumn(format="+%.0f"),
            "Total": st.column_config.NumberColumn(format="%.2f"),
        },
    )


page()
