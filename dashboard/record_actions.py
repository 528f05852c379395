"""Actions on a student record: plan a term abroad, record thesis progress, request a credit transfer.

Offered by the record's rules (`domain.student_record`): terms and theses by the program's
coordinators; a credit transfer by a coordinator or the student. The workflow still decides.
Each form reads its fields in its callback and sends one update whose id is derived from the
record's version and the fields, so a double click counts once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from dashboard import common
from dashboard import program_common as pc
from domain.credit_transfer import CreditTransferRequest
from domain.parties import Person
from domain.student_record import RecordPhase, StudentRecordState
from domain.students import ThesisStatus
from domain.terms import normalize_term, term_of
from domain.transfer_rules import readable

COURSE_COLUMNS = ["course_code", "title", "credits", "grade"]


def is_coordinator(state: StudentRecordState, me: Person) -> bool:
    return any(p.id == me.id for p in state.roster.coordinators)


def may_request(state: StudentRecordState, me: Person) -> bool:
    return is_coordinator(state, me) or state.record.person.id == me.id


def workflow_id(state: StudentRecordState) -> str:
    return f"student-{state.record.student_id}"


def version(state: StudentRecordState) -> int:
    return state.projected_seq


def _text(key: str) -> str:
    value = st.session_state.get(key)
    return value.strip() if isinstance(value, str) else ""


# ---------------------------------------------------------------- terms and thesis


def _add_term(state: StudentRecordState, me_id: str, key: str, scope: str) -> None:
    term = _text(f"{key}-term")
    if not term:
        common.flash(False, "Please give the term, e.g. 2027-spring.", scope)
        return
    data = {"actor_id": me_id, "institution_id": st.session_state.get(f"{key}-inst"), "term": term}
    pc.send(workflow_id(state), "add_term_abroad", data, version(state), scope)


def add_term_form(state: StudentRecordState, me: Person, scope: str) -> None:
    prog, home = state.program, state.record.home_institution_id
    partners = [i.organisation_id for i in prog.institutions if i.organisation_id != home]
    key = f"term-{state.record.student_id}"
    with st.form(key, border=True):
        st.markdown("**Add a term abroad**")
        st.selectbox("At", partners, key=f"{key}-inst", format_func=lambda i: pc.institution_name(prog, i))
        st.text_input("Term", key=f"{key}-term", placeholder="2027-spring", help="YEAR-spring or YEAR-fall")
        st.form_submit_button("Add term", icon=":material/flight_takeoff:", on_click=_add_term, args=(state, me.id, key, scope))


def _thesis(state: StudentRecordState, me_id: str, key: str, scope: str) -> None:
    data = {
        "actor_id": me_id,
        "institution_id": st.session_state.get(f"{key}-inst"),
        "status": st.session_state.get(f"{key}-status"),
    }
    pc.send(workflow_id(state), "set_thesis_status", data, version(state), scope)


def thesis_form(state: StudentRecordState, me: Person, scope: str) -> None:
    prog = state.program
    key = f"thesis-{state.record.student_id}"
    with st.form(key, border=True):
        st.markdown("**Thesis status**")
        st.selectbox("At", prog.institution_ids, key=f"{key}-inst", format_func=lambda i: pc.institution_name(prog, i))
        st.selectbox(
            "Status",
            [s.value for s in ThesisStatus],
            key=f"{key}-status",
            format_func=lambda s: s.replace("_", " ").capitalize(),
        )
        st.form_submit_button(
            "Record thesis status", icon=":material/history_edu:", on_click=_thesis, args=(state, me.id, key, scope)
        )


# ---------------------------------------------------------------- a credit transfer request


def build_request(state: StudentRecordState, term: str, taken_at: str, rows: list[dict[str, Any]]) -> CreditTransferRequest | str:
    """The request from the form, or the sentence saying what to correct. Empty rows are skipped."""
    try:
        term = normalize_term(term)
    except ValueError as e:
        return str(e)
    courses = []
    for row in rows:
        values = {c: row.get(c) for c in COURSE_COLUMNS}
        if all(v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "" for v in values.values()):
            continue
        if isinstance(values["credits"], float) and pd.isna(values["credits"]):
            values["credits"] = None
        courses.append({k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()})
    if not courses:
        return "Please list at least one course taken, with its code, title, credits and grade."
    for c in courses:
        if c["credits"] is not None:
            c["credits"] = str(c["credits"])
        if c["grade"] is not None:
            c["grade"] = str(c["grade"])
    try:
        return CreditTransferRequest(
            id=f"req-{state.record.student_id}-{term}",
            program_id=state.program.id,
            student_id=state.record.student_id,
            term=term,
            taken_at=taken_at,
            credited_at=state.record.home_institution_id,
            courses=courses,  # type: ignore[arg-type]
        )
    except ValidationError as e:
        return readable(e)


def _start_transfer(state: StudentRecordState, me_id: str, key: str, scope: str, edited: pd.DataFrame) -> bool:
    """Send the request the form describes; True when the workflow took it."""
    rows = edited.to_dict("records") if isinstance(edited, pd.DataFrame) else []
    request = build_request(state, _text(f"{key}-term"), str(st.session_state.get(f"{key}-at")), rows)
    if isinstance(request, str):
        common.flash(False, f"Please check the request: {request}", scope)
        return False
    data = {"actor_id": me_id, "request": request.model_dump(mode="json")}
    return pc.send(workflow_id(state), "start_credit_transfer", data, version(state), scope)


def start_transfer_form(state: StudentRecordState, me: Person, scope: str) -> None:
    prog, record = state.program, state.record
    partners = [i.organisation_id for i in prog.institutions if i.organisation_id != record.home_institution_id]
    requested = {t.term for t in state.transfers}
    open_terms = [t.term for t in record.terms_abroad if t.term not in requested]
    default_term = open_terms[0] if open_terms else term_of(datetime.now(UTC).date())
    key = f"start-{record.student_id}"
    with st.form(key, border=True):
        st.markdown("**Request a credit transfer**")
        st.caption(
            f"The courses taken at the partner in one term, as its transcript shows them (its credits, its grades); "
            f"they are checked at once and decided by {pc.institution_name(prog, record.home_institution_id)}'s department."
        )
        c1, c2 = st.columns(2)
        c1.text_input("Term", value=default_term, key=f"{key}-term", help="YEAR-spring or YEAR-fall")
        c2.selectbox("Taken at", partners, key=f"{key}-at", format_func=lambda i: pc.institution_name(prog, i))
        frame = pd.DataFrame({"course_code": pd.Series(dtype="str"), "title": pd.Series(dtype="str"),
                              "credits": pd.Series(dtype="float"), "grade": pd.Series(dtype="str")})  # fmt: skip
        edited = st.data_editor(
            frame,
            num_rows="dynamic",
            key=f"{key}-courses",
            hide_index=True,
            column_config={
                "course_code": st.column_config.TextColumn("Course code", required=True, max_chars=32),
                "title": st.column_config.TextColumn("Title", required=True, max_chars=300, width="large"),
                "credits": st.column_config.NumberColumn("Credits", min_value=0.0, max_value=60.0, step=0.5, required=True),
                "grade": st.column_config.TextColumn("Grade", required=True, max_chars=20),
            },
        )
        submitted = st.form_submit_button("Request credit transfer", type="primary", icon=":material/send:")
    # Handled in the run, not a callback: the editor's rows are only a DataFrame here.
    if submitted:
        if _start_transfer(state, me.id, key, scope, edited):
            st.session_state.pop(f"{key}-courses", None)  # a fresh, empty table for the next request
        st.rerun()


def record_actions(state: StudentRecordState, me: Person, scope: str) -> bool:
    """The forms this person may use on the record; False when there are none."""
    if state.phase is RecordPhase.COMPLETE:
        return False
    coordinator = is_coordinator(state, me)
    if not coordinator and not may_request(state, me):
        return False
    if coordinator:
        left, right = st.columns(2)
        with left:
            add_term_form(state, me, scope)
        with right:
            thesis_form(state, me, scope)
    start_transfer_form(state, me, scope)
    return True
