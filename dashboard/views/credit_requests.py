"""Credit requests: every open credit transfer the person may see, oldest first, with its age,
stage, courses decided so far and who is awaited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import program_common as pc
from domain import access
from domain.parties import Person
from domain.transfer_decisions import TransferStage
from domain.transfer_state import CreditTransferState
from store import queries
from store.models import ItemDetail, StepPublic

OPEN_STAGES = [s.value for s in TransferStage if s is not TransferStage.POSTED]


def steps_by_item() -> dict[str, list[StepPublic]]:
    out: dict[str, list[StepPublic]] = {}
    for s in queries.open_steps(common.engine(), limit=2000):
        if s.item_type == pc.TRANSFER:
            out.setdefault(s.item_id, []).append(s)
    return out


def rows(pairs: list[tuple[ItemDetail, CreditTransferState]], steps: dict[str, list[StepPublic]], now: datetime) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    for item, s in pairs:
        summary = s.summary()
        waiting = steps.get(item.item_id, [])
        due = min((w.due_at for w in waiting), default=None)
        out.append(
            {
                "id": item.item_id,
                "Student": s.student.name,
                "Program": s.program.name(),
                "Term": s.request.term,
                "Partner": pc.institution_name(s.program, s.partner_id),
                "Home": pc.institution_name(s.program, s.home_id),
                "Stage": pc.stage_label(s.stage.value),
                "Age (days)": pc.age_days(item.created_at or s.created_at, now),
                "Pending": summary["pending"],
                "Approved": summary["approved"],
                "Rejected": summary["rejected"],
                "Awaiting": ", ".join(dict.fromkeys(n for w in waiting for n in w.awaited_names)) or "—",
                "Due": due,
                "Overdue": any(w.overdue for w in waiting),
            }
        )
    frame = pd.DataFrame(out)
    return frame.sort_values("Age (days)", ascending=False, kind="stable") if not frame.empty else frame


def page() -> None:
    me: Person = common.me()
    st.title("Credit requests")
    st.caption(
        "Open credit transfers"
        + (" of the network" if access.sees_everything(me) else " of the programs your organisation takes part in")
        + ", oldest first. Age counts days since the request was made."
    )
    pairs = [(i, s) for i, s in pc.visible_transfers(me) if s.stage is not TransferStage.POSTED]
    programs_seen = {s.program.id: s.program.name() for _, s in pairs}
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    stages = c1.multiselect("Stage", OPEN_STAGES, format_func=pc.stage_label, key="req-stage", placeholder="Any open stage")
    program_id = c2.selectbox(
        "Program",
        [None, *programs_seen],
        format_func=lambda p: "Any program" if p is None else programs_seen[p],
        key="req-program",
    )
    mine = c3.toggle("Awaiting me", key="req-mine")
    steps = steps_by_item()
    pairs = [
        (i, s)
        for i, s in pairs
        if (not stages or s.stage.value in stages)
        and (program_id is None or s.program.id == program_id)
        and (not mine or any(me.id in w.awaited_ids for w in steps.get(i.item_id, [])))
    ]
    now = datetime.now(UTC)
    frame = rows(pairs, steps, now)
    m = st.columns(4)
    m[0].metric("Open requests", len(pairs), border=True)
    m[1].metric("Older than 30 days", int((frame["Age (days)"] >= 30).sum()) if not frame.empty else 0, border=True)
    m[2].metric("Courses pending", int(frame["Pending"].sum()) if not frame.empty else 0, border=True)
    m[3].metric("Overdue steps", int(frame["Overdue"].sum()) if not frame.empty else 0, border=True)
    if frame.empty:
        st.info("No open credit request matches these filters.", icon=":material/filter_alt_off:")
        return
    event = st.dataframe(
        frame,
        hide_index=True,
        column_order=["Student", "Term", "Partner", "Stage", "Age (days)", "Pending", "Approved", "Rejected", "Awaiting", "Due"],
        column_config={
            "Age (days)": st.column_config.NumberColumn(format="%d d", help="Days since the request was made"),
            "Awaiting": st.column_config.TextColumn(width="medium"),
            "Due": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="requests-table",
    )
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if selected:
        pc.open_transfer(frame.iloc[selected[0]]["id"])
    st.caption("Select a row to open the request, or choose below.")
    labels = {r["id"]: f"{r['Student']} — {r['Term']} at {r['Partner']}" for r in frame.to_dict("records")}
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    target = pick.selectbox("Open request", list(labels), format_func=labels.__getitem__, key="req-pick")
    if go.button("Open", icon=":material/open_in_new:", key="req-go", width="stretch"):
        pc.open_transfer(target)


page()
