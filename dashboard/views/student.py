"""One student of a joint program: the audit of each degree, the credits on each institution's
books, terms abroad, credit transfers, timeline and documents — and the coordinator's actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import common, record_actions
from dashboard import program_common as pc
from domain.degree_audit import DegreeAudit
from domain.parties import Person
from domain.student_record import StudentRecordState
from store import queries
from store.blobs import BlobError
from store.models import ItemDetail

SCOPE = "student"


def header(item: ItemDetail, s: StudentRecordState) -> None:
    r, prog = s.record, s.program
    st.title(r.person.name)
    with st.container(horizontal=True):
        pc.record_phase_badge(s.phase.value)
        st.badge(prog.name(), color="gray", icon=":material/school:")
        st.badge(f"MOU {s.mou_phase.value}", color="green" if s.mou_phase.value in {"active", "renewal"} else "orange")
    st.caption(
        f"Student `{r.student_id}` · home: {pc.institution_name(prog, r.home_institution_id)} · enrolled {r.enrolled_term}"
        + (f" · completed {common.when(s.completed_at)}" if s.completed_at else "")
        + f" · updated {common.when(item.updated_at)}"
    )


def audit_section(s: StudentRecordState, a: DegreeAudit) -> None:
    prog = s.program
    with st.container(border=True):
        st.markdown(f"**{pc.institution_name(prog, a.institution_id)}** — {a.degree_title.get('en', a.institution_id)}")
        percent = float(a.percent_complete)
        st.progress(
            min(max(percent / 100, 0.0), 1.0),
            text=f"{a.percent_complete}% · {pc.number(a.earned_credits)} of {pc.credits(a.required_credits, a.credit_system)}",
        )
        m = st.columns(4)
        m[0].metric("Credits earned", pc.number(a.earned_credits), border=True)
        m[1].metric("Still needed", pc.number(a.credits_needed), border=True)
        m[2].metric("GPA", str(a.gpa) if a.gpa is not None else "—", border=True)
        m[3].metric(
            "Met" if a.met else "Projected completion",
            "Yes" if a.met else (a.projected_completion_term or "—"),
            border=True,
            help=None if a.met else f"{a.terms_remaining} more term(s) at {pc.number(a.planned_load_per_term)} credits a term",
        )
        rows = [
            {
                "Requirement": req.label,
                "Met": req.met,
                "Progress": (
                    f"{pc.number(req.earned)} / {pc.number(req.required)}"
                    if req.required is not None
                    else (req.satisfied_by or "")
                ),
                "Missing": req.missing or "",
            }
            for req in a.requirements
        ]
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={
                "Met": st.column_config.CheckboxColumn(),
                "Requirement": st.column_config.TextColumn(width="large"),
                "Missing": st.column_config.TextColumn(width="large"),
            },
        )


def posted_section(s: StudentRecordState) -> None:
    prog = s.program
    tabs = st.tabs([f"On {i.name()}'s books" for i in prog.institutions])
    for tab, inst in zip(tabs, prog.institutions, strict=True):
        with tab:
            posted = s.record.posted_at(inst.organisation_id)
            if not posted:
                st.caption(f"No credits are posted at {inst.name()} yet.")
                continue
            rows = [
                {
                    "Term": p.term,
                    "Course": p.course_code,
                    "Title": p.title,
                    "Credits": pc.credits(p.credits, inst.credit_system),
                    "Grade": p.grade,
                    "Taken at": pc.institution_name(prog, p.taken_at),
                    "Counts as": p.home_course_code
                    if not p.transferred or p.home_course_code
                    else f"elective ({p.elective_category})",
                    "Original credits": pc.number(p.original_credits) if p.transferred else "",
                    "Original grade": (p.original_grade or "") if p.transferred else "",
                    "Request": p.source_request_id or "",
                }
                for p in posted
            ]
            st.dataframe(
                pd.DataFrame(rows), hide_index=True, column_config={"Title": st.column_config.TextColumn(width="medium")}
            )


def terms_and_transfers(s: StudentRecordState) -> None:
    prog = s.program
    left, right = st.columns(2)
    with left:
        st.markdown("**Terms abroad**")
        if not s.record.terms_abroad:
            st.caption("No term abroad is planned.")
        for t in sorted(s.record.terms_abroad, key=lambda t: t.term):
            st.markdown(f"- {t.term} at {pc.institution_name(prog, t.institution_id)}")
    with right:
        st.markdown("**Credit transfers**")
        if not s.transfers:
            st.caption("No credit transfer has been requested.")
        for t in s.transfers:
            status = "posted " + t.posted_at.strftime("%Y-%m-%d") if t.posted_at else t.status.value.replace("_", " ")
            pc.transfer_link(t.workflow_id, f"{t.term} — {t.request_id} ({status})")


def documents_section(item: ItemDetail, s: StudentRecordState) -> None:
    docs = queries.documents_for(common.engine(), item.item_id)
    store = common.blobs()
    issued = [d for d in docs if d.kind in {"transcript", "certificate"}]
    if issued:
        with st.container(horizontal=True):
            for d in issued:
                label = {"transcript": "Final transcript (PDF)", "certificate": "Certificate (PDF)"}[d.kind]
                if not store.has(d.sha256):
                    st.button(label, disabled=True, key=f"missing-{d.sha256}", help="Not in the document store on this server.")
                    continue

                def read(sha: str = d.sha256) -> bytes:
                    try:
                        return store.get(sha)
                    except BlobError:
                        common.log.exception("document %s could not be served", sha)
                        return b""

                st.download_button(
                    label,
                    read,
                    file_name=f"{s.record.student_id}-{d.kind}.pdf",
                    mime="application/pdf",
                    key=f"doc-{d.sha256}",
                    icon=":material/download:",
                    type="primary",
                )
        st.caption(f"Issued {common.when(issued[0].created_at)}.")
    else:
        st.caption("The final transcript and the certificate are issued when every degree is complete.")
    module = pc.optional_module("documents.programs")
    if module is None:
        st.caption("Transcripts cannot be printed on this server yet.")
        return

    def render() -> tuple[bytes, int]:
        fn = module.render_transcript
        return fn(s, issued_at=datetime.now(UTC), final=False, **pc.font_cache_kwargs(fn))

    pc.on_demand_download(
        f"interim-{s.record.student_id}",
        "Interim transcript (PDF)",
        render,
        f"{s.record.student_id}-interim-transcript.pdf",
        help="An unofficial transcript of the record as it stands, marked interim on every page.",
    )


def visible_item(me: Person) -> tuple[ItemDetail, StudentRecordState] | None:
    return common.item_from_query('Student', 'Choose a student from the list.', pc.STUDENT, pc.load_record, lambda item, s: pc.can_see_record(me, item, s), noun="student record")


def page() -> None:
    me = common.me()
    found = visible_item(me)
    if found is None:
        return
    item, s = found
    header(item, s)
    common.show_flash(SCOPE)
    progress, credits_tab, transfers, docs, history, act = st.tabs(
        ["Degrees", "Credits", "Terms & transfers", "Documents", "Timeline", "Actions"]
    )
    with progress:
        if not s.audits:
            st.caption("The degree audit has not been computed yet.")
        for a in s.audits:
            audit_section(s, a)
    with credits_tab:
        posted_section(s)
    with transfers:
        terms_and_transfers(s)
    with docs:
        documents_section(item, s)
    with history:
        pc.timeline(item.item_id)
    with act:
        if not record_actions.record_actions(s, me, SCOPE):
            st.caption("There is nothing for you to do on this record.")


page()
