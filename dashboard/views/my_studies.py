"""My studies: a student's own records — progress toward each degree, what is still missing — their
credit transfer requests, and the department's questions awaiting their answer."""

from __future__ import annotations

import streamlit as st

from dashboard import common, transfer_actions
from dashboard import program_common as pc
from domain.parties import Person
from domain.transfer_decisions import TransferStage

SCOPE = "mystudies"


def records(me: Person) -> None:
    mine = pc.own(me, pc.visible_records(me))
    if not mine:
        st.info("No joint-program record is in your name yet. Your coordinator enrols you.", icon=":material/school:")
        return
    for item, s in mine:
        with st.container(border=True):
            st.subheader(s.program.name())
            with st.container(horizontal=True):
                pc.record_phase_badge(s.phase.value)
                st.badge(f"Home: {pc.institution_name(s.program, s.record.home_institution_id)}", color="gray")
            for a in s.audits:
                name = pc.institution_name(s.program, a.institution_id)
                st.progress(
                    min(max(float(a.percent_complete) / 100, 0.0), 1.0),
                    text=(
                        f"{name}: {a.percent_complete}% · {pc.number(a.earned_credits)} of "
                        f"{pc.credits(a.required_credits, a.credit_system)}"
                        + (" · met" if a.met else f" · projected {a.projected_completion_term or '—'}")
                    ),
                )
                if a.missing:
                    with st.expander(f"Still missing for the {name} degree ({len(a.missing)})"):
                        for line in a.missing:
                            st.markdown(f"- {line}")
            pc.student_link(item.item_id, "My full record, transcript and requests")


def requests(me: Person) -> None:
    mine = pc.own(me, pc.visible_transfers(me))
    st.subheader("My credit transfer requests")
    if not mine:
        st.caption("You have no credit transfer request.")
        return
    for item, s in mine:
        summary = s.summary()
        with st.container(border=True):
            head, right = st.columns([3, 1])
            with head:
                pc.transfer_link(item.item_id, f"{s.request.term} at {pc.institution_name(s.program, s.partner_id)}")
                st.caption(
                    f"{summary['approved']} approved · {summary['rejected']} rejected · {summary['pending']} pending"
                    + (
                        f" · requested {pc.age_days(item.created_at or s.created_at)} days ago"
                        if s.stage is not TransferStage.POSTED
                        else ""
                    )
                )
            with right:
                pc.stage_badge(s.stage.value)
            if s.stage is TransferStage.DEPARTMENT:
                for q in s.awaiting_information():
                    transfer_actions.answer_form(item.item_id, s, q, me, SCOPE)


me = common.me()
st.title("My studies")
st.caption("Your progress toward each degree, your credit transfer requests and the questions awaiting your answer.")
common.show_flash(SCOPE)
records(me)
requests(me)
