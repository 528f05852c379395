"""Students: per program, every student the person may see, with one progress bar per degree."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import program_common as pc
from domain import access
from domain.parties import Person
from domain.student_record import RecordPhase, StudentRecordState, TransferStatus
from store import programs
from store.models import ItemDetail


def degree_key(institution_id: str) -> str:
    return institution_id.upper()


def rows(pairs: list[tuple[ItemDetail, StudentRecordState]]) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    for item, s in sorted(pairs, key=lambda p: (p[1].record.person.name.casefold(), p[1].record.student_id)):
        prog = s.program
        row: dict[str, Any] = {
            "id": item.item_id,
            "Student": s.record.person.name,
            "Student id": s.record.student_id,
            "Home": pc.institution_name(prog, s.record.home_institution_id),
            "Phase": pc.RECORD_PHASE_LABELS.get(s.phase.value, s.phase.value),
        }
        for a in s.audits:
            k = degree_key(a.institution_id)
            row[f"{k} progress"] = float(a.percent_complete)
            row[f"{k} credits"] = f"{pc.number(a.earned_credits)} / {pc.credits(a.required_credits, a.credit_system)}"
            row[f"{k} completion"] = a.projected_completion_term or "—"
            row[f"{k} met"] = a.met
        row["Transfers in progress"] = sum(1 for t in s.transfers if t.status is TransferStatus.IN_PROGRESS)
        out.append(row)
    return pd.DataFrame(out)


def filters(programs_seen: dict[str, str]) -> tuple[str | None, list[str], str]:
    wanted = st.query_params.get("program")
    options = list(programs_seen)
    c1, c2, c3 = st.columns([2, 2, 3])
    program_id = c1.selectbox(
        "Program",
        options,
        index=options.index(wanted) if wanted in options else 0,
        format_func=programs_seen.__getitem__,
        key="stu-program",
    )
    phases = c2.multiselect(
        "Phase",
        [p.value for p in RecordPhase],
        format_func=lambda p: pc.RECORD_PHASE_LABELS.get(p, p),
        key="stu-phase",
        placeholder="Any phase",
    )
    name = c3.text_input("Name", key="stu-name", placeholder="Student name or id", icon=":material/search:")
    return program_id, phases, name.strip().casefold()


def table(frame: pd.DataFrame, pairs: list[tuple[ItemDetail, StudentRecordState]]) -> None:
    program = pairs[0][1].program
    config: dict[str, Any] = {"Student": st.column_config.TextColumn(width="medium")}
    # Both degrees' bars side by side first, so a narrow screen still shows each student's progress.
    order = ["Student", "Phase"]
    details: list[str] = []
    for inst in program.institutions:
        k = degree_key(inst.organisation_id)
        config[f"{k} progress"] = st.column_config.ProgressColumn(
            f"{k} degree",
            help=f"{inst.degree()} — {inst.name()}",
            min_value=0,
            max_value=100,
            format="%.1f%%",
            width="small",
        )
        config[f"{k} credits"] = st.column_config.TextColumn(f"{k} credits")
        config[f"{k} completion"] = st.column_config.TextColumn(f"{k} projected", help="Projected completion term")
        config[f"{k} met"] = st.column_config.CheckboxColumn(f"{k} met")
        order.append(f"{k} progress")
        details += [f"{k} credits", f"{k} completion", f"{k} met"]
    order += details
    order += ["Transfers in progress", "Home"]
    event = st.dataframe(
        frame,
        hide_index=True,
        column_order=order,
        column_config=config,
        on_select="rerun",
        selection_mode="single-row",
        key="students-table",
    )
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if selected:
        pc.open_student(frame.iloc[selected[0]]["id"])


def page() -> None:
    me: Person = common.me()
    st.title("Students")
    st.caption(
        "Students of the joint programs"
        + (" of the network" if access.sees_everything(me) else " your organisation takes part in")
        + ", with their progress toward each degree (credits posted, requirements met)."
    )
    all_records = pc.visible_records(me)
    titles = {d.program.id: d.program.name() for d in programs.list_programs(common.engine())}
    seen = {s.program.id: titles.get(s.program.id, s.program.name()) for _, s in all_records}
    if not seen:
        st.info("No student of a program you take part in is recorded yet.", icon=":material/school:")
        return
    program_id, phases, name = filters(seen)
    pairs = [
        (i, s)
        for i, s in all_records
        if s.program.id == program_id
        and (not phases or s.phase.value in phases)
        and (not name or name in s.record.person.name.casefold() or name in s.record.student_id.casefold())
    ]
    m = st.columns(4)
    in_program = [s for i, s in all_records if s.program.id == program_id]
    m[0].metric("Students", len(in_program), border=True)
    m[1].metric("Abroad now", sum(s.phase is RecordPhase.ABROAD for s in in_program), border=True)
    m[2].metric("Complete", sum(s.phase is RecordPhase.COMPLETE for s in in_program), border=True)
    m[3].metric(
        "Transfers in progress",
        sum(1 for s in in_program for t in s.transfers if t.status is TransferStatus.IN_PROGRESS),
        border=True,
    )
    if not pairs:
        st.info("No student matches these filters.", icon=":material/filter_alt_off:")
        return
    frame = rows(pairs)
    table(frame, pairs)
    st.caption("Select a row to open the student, or choose below.")
    names = {i.item_id: f"{s.record.person.name} ({s.record.student_id})" for i, s in pairs}
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    target = pick.selectbox("Open student", list(names), format_func=names.__getitem__, key="stu-pick")
    if go.button("Open", icon=":material/open_in_new:", key="stu-go", width="stretch"):
        pc.open_student(target)


page()
