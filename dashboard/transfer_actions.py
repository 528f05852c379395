"""The action widgets of a credit transfer, offered by the person's roles in it.

Which widget appears follows `domain.transfer_rules` (`roles_of`, `STAGE_ROLES`, `STUDENT_SIDE`):
the department decides courses and approves or declines learning-agreement changes; the student
and the coordinators answer questions and propose or withdraw changes; each registrar and the
ministry move their own stage on. The workflow's validator still has the last word, and its
sentence is shown when it says no. Stage actions carry `expected_revision` (the revision drawn on
screen), so a decision taken on a stale page is refused instead of applied to something unseen.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from dashboard import common
from dashboard import program_common as pc
from domain import transfer_rules as rules
from domain.catalogs import code_key
from domain.credit_transfer import CourseDecision, PrecheckLine, RejectReason
from domain.learning_agreements import ChangeKind, ChangeReason
from domain.parties import Person
from domain.transfer_decisions import TransferStage
from domain.transfer_state import ChangeProposal, CreditTransferState, InfoRequest

DECISION_LABELS = {
    CourseDecision.APPROVE: "Approve as a home course",
    CourseDecision.APPROVE_AS_ELECTIVE: "Approve as elective credit",
    CourseDecision.REJECT: "Reject",
    CourseDecision.ASK_FOR_INFORMATION: "Ask the student for information",
}
REASON_LABELS = {
    RejectReason.CONTENT_MISMATCH: "Content does not match",
    RejectReason.LEVEL_TOO_LOW: "Level too low",
    RejectReason.DUPLICATE_CREDIT: "Duplicate credit",
    RejectReason.INSUFFICIENT_HOURS: "Insufficient hours",
    RejectReason.FAILING_GRADE: "Failing grade",
    RejectReason.OTHER: "Other (say which in the note)",
}
CHANGE_REASON_LABELS = {
    ChangeReason.COURSE_CANCELLED: "Course cancelled",
    ChangeReason.TIMETABLE_CLASH: "Timetable clash",
    ChangeReason.LANGUAGE: "Language of instruction",
    ChangeReason.OTHER: "Other (say which in the comment)",
}


def workflow_id(state: CreditTransferState) -> str:
    return f"credit-transfer-{state.record.student_id}-{state.request.term}"


def _text(key: str) -> str:
    value = st.session_state.get(key)
    return value.strip() if isinstance(value, str) else ""


def _send(wid: str, state: CreditTransferState, action: str, data: dict[str, Any], scope: str) -> None:
    pc.send(wid, action, data, state.revision, scope)


# ---------------------------------------------------------------- department: decide each course


def decision_data(
    me_id: str,
    course_code: str,
    decision: str,
    *,
    revision: int,
    home_course_code: str | None = None,
    elective_category: str = "",
    reason_code: str | None = None,
    note: str = "",
    save: bool = False,
) -> dict[str, Any] | str:
    """The fields of `decide_course` for what the form says, only those that go with the decision;
    or the sentence saying what is missing."""
    data: dict[str, Any] = {"actor_id": me_id, "course_code": course_code, "decision": decision, "expected_revision": revision}
    note = note.strip()
    if decision == CourseDecision.APPROVE:
        if home_course_code:
            data["home_course_code"] = home_course_code
        data["save_as_equivalency"] = save
    elif decision == CourseDecision.APPROVE_AS_ELECTIVE:
        if elective_category.strip():
            data["elective_category"] = elective_category.strip()
        data["save_as_equivalency"] = save
    elif decision == CourseDecision.REJECT:
        if not reason_code:
            return f"Please choose the reason for rejecting {course_code}."
        if reason_code == RejectReason.OTHER and not note:
            return f"Please say in the note why {course_code} is rejected."
        data["reason_code"] = reason_code
    elif decision == CourseDecision.ASK_FOR_INFORMATION and not note:
        return f"Please write the question about {course_code} for the student in the note."
    if note:
        data["note"] = note
    return data


def _decide(wid: str, state: CreditTransferState, me_id: str, code: str, key: str, scope: str) -> None:
    ss = st.session_state
    data = decision_data(
        me_id,
        code,
        str(ss.get(f"{key}-decision")),
        revision=state.revision,
        home_course_code=ss.get(f"{key}-home") or None,
        elective_category=_text(f"{key}-category"),
        reason_code=ss.get(f"{key}-reason"),
        note=_text(f"{key}-note"),
        save=bool(ss.get(f"{key}-save")),
    )
    if isinstance(data, str):
        common.flash(False, data, scope)
        return
    _send(wid, state, "decide_course", data, scope)


def decide_form(wid: str, state: CreditTransferState, line: PrecheckLine, me: Person, scope: str) -> None:
    code = line.partner_course.code
    key = f"decide-{code_key(code)}"
    latest = state.latest().get(code_key(code))
    decisions = [d.value for d in CourseDecision]
    default = (latest.decision if latest else None) or line.suggested or CourseDecision.APPROVE
    reasons = [r.value for r in RejectReason]
    home_catalog = state.catalogs.get(state.home_id)
    home_codes = [c.code for c in home_catalog.courses] if home_catalog else []
    eq = line.equivalency
    with st.form(f"{key}-form", border=True):
        st.markdown(f"**Decide on {code}** — {line.course.title}")
        for q in (q for q in state.info if code_key(q.course_code) == code_key(code)):
            answer = f"answered: “{q.answer}”" if q.answer is not None else "not answered yet"
            asked_by = pc.transfer_people(state).get(q.asked_by, q.asked_by)
            st.caption(f"{asked_by} asked: “{q.question}” — {answer}")
        if line.suggested:
            st.caption(
                f"Suggested by the pre-check: {DECISION_LABELS[line.suggested].lower()}"
                + (f" ({REASON_LABELS[line.suggested_reason].lower()})" if line.suggested_reason else "")
                + (f"; equivalency: {eq.target_label}" if eq else "")
                + "."
            )
        st.selectbox(
            "Decision",
            decisions,
            index=decisions.index(default),
            key=f"{key}-decision",
            format_func=lambda d: DECISION_LABELS[CourseDecision(d)],
        )
        c1, c2 = st.columns(2)
        c1.selectbox(
            "Home course (approve)",
            [None, *home_codes],
            key=f"{key}-home",
            format_func=lambda c: (
                (f"From the equivalency ({eq.home_course_code})" if eq and eq.home_course_code else "— choose —")
                if c is None
                else f"{c} {home_catalog.find(c).name() if home_catalog and home_catalog.find(c) else ''}".strip()
            ),
        )
        c2.text_input(
            "Elective category (approve as elective)",
            value=(eq.elective_category or "") if eq else "",
            key=f"{key}-category",
            placeholder="major_elective",
        )
        c3, c4 = st.columns(2)
        c3.selectbox(
            "Reason (reject)",
            reasons,
            index=reasons.index(line.suggested_reason) if line.suggested_reason else 0,
            key=f"{key}-reason",
            format_func=lambda r: REASON_LABELS[RejectReason(r)],
        )
        c4.checkbox(
            "Save as an equivalency for later requests",
            key=f"{key}-save",
            help="Only an approval can be saved; the next student's pre-check will find it.",
        )
        st.text_area(
            "Note",
            key=f"{key}-note",
            height=80,
            help="The question for the student when asking for information; otherwise a comment kept with the decision.",
        )
        st.form_submit_button(
            "Record decision",
            type="primary",
            icon=":material/gavel:",
            on_click=_decide,
            args=(wid, state, me.id, code, key, scope),
        )


def department_forms(wid: str, state: CreditTransferState, me: Person, scope: str) -> None:
    awaiting = {code_key(c) for c in state.awaiting_department()}
    lines = sorted(state.lines, key=lambda ln: code_key(ln.partner_course.code) not in awaiting)
    for line in lines:
        code = line.partner_course.code
        latest = state.latest().get(code_key(code))
        question = state.open_question(code)
        status = (
            "waiting for the student's answer"
            if question
            else (
                "to decide"
                if code_key(code) in awaiting
                else f"decided: {latest.decision.value.replace('_', ' ')}"
                if latest
                else ""
            )
        )
        with st.expander(f"{code} — {line.course.title} ({status})", expanded=code_key(code) in awaiting):
            decide_form(wid, state, line, me, scope)


# ---------------------------------------------------------------- student side: answers


def _answer(wid: str, state: CreditTransferState, me_id: str, code: str, key: str, scope: str) -> None:
    text = _text(f"{key}-text")
    if not text:
        common.flash(False, "Please write your answer before sending.", scope)
        return
    _send(wid, state, "provide_information", {"actor_id": me_id, "course_code": code, "text": text}, scope)


def answer_form(wid: str, state: CreditTransferState, q: InfoRequest, me: Person, scope: str) -> None:
    key = f"answer-{code_key(q.course_code)}-{q.seq}"
    people = pc.transfer_people(state)
    with st.form(key, border=True):
        st.markdown(f"**Question on {q.course_code}** from {people.get(q.asked_by, q.asked_by)}, {common.when(q.asked_at)}")
        st.text(q.question)
        st.text_area("Your answer", key=f"{key}-text", height=90)
        st.form_submit_button(
            "Send answer",
            type="primary",
            icon=":material/reply:",
            on_click=_answer,
            args=(wid, state, me.id, q.course_code, key, scope),
        )


# ---------------------------------------------------------------- registrars and ministry


def _stage(wid: str, state: CreditTransferState, me_id: str, action: str, key: str, scope: str) -> None:
    data = {"actor_id": me_id, "comment": _text(f"{key}-comment"), "expected_revision": state.revision}
    _send(wid, state, action, data, scope)


STAGE_ACTIONS = {
    TransferStage.HOME_REGISTRAR: ("approve", "Approve the department's decisions", ":material/check_circle:"),
    TransferStage.PARTNER_REGISTRAR: ("confirm_grades", "Confirm the grades as taken", ":material/verified:"),
    TransferStage.MINISTRY: ("authorize", "Authorize the credit transfer", ":material/approval:"),
}


def stage_form(wid: str, state: CreditTransferState, me: Person, scope: str) -> None:
    action, label, icon = STAGE_ACTIONS[state.stage]
    key = f"stage-{action}"
    with st.form(key, border=True):
        st.markdown(f"**{label}**")
        st.text_area("Comment (optional)", key=f"{key}-comment", height=70)
        st.form_submit_button(label, type="primary", icon=icon, on_click=_stage, args=(wid, state, me.id, action, key, scope))


def _return(wid: str, state: CreditTransferState, me_id: str, key: str, scope: str) -> None:
    reason = _text(f"{key}-reason")
    if not reason:
        common.flash(False, "Please say why the decisions go back to the department.", scope)
        return
    data = {
        "actor_id": me_id,
        "reason": reason,
        "course_codes": list(st.session_state.get(f"{key}-courses") or []),
        "expected_revision": state.revision,
    }
    _send(wid, state, "return_to_department", data, scope)


def return_form(wid: str, state: CreditTransferState, me: Person, scope: str) -> None:
    key = "return"
    with st.expander("Return decisions to the department"), st.form(key, border=False):
        st.multiselect(
            "Courses to decide again",
            [c.course_code for c in state.request.courses],
            key=f"{key}-courses",
            placeholder="All courses",
        )
        st.text_area("Reason", key=f"{key}-reason", height=80)
        st.form_submit_button("Return", icon=":material/undo:", on_click=_return, args=(wid, state, me.id, key, scope))


# ---------------------------------------------------------------- learning-agreement changes


def proposal_id(state: CreditTransferState, kind: str, course_code: str) -> str:
    """A fresh id for a proposal: kind, course and how many proposals came before (so a repeated
    click proposes once, and the same change proposed again later gets its own id)."""
    slug = re.sub(r"[^a-z0-9_.-]+", "-", code_key(course_code)).strip("-") or "course"
    return f"{kind}-{slug}-{len(state.proposals) + 1}"[:64]


def _propose(wid: str, state: CreditTransferState, me_id: str, key: str, scope: str) -> None:
    ss = st.session_state
    kind = str(ss.get(f"{key}-kind"))
    code = str(ss.get(f"{key}-course") or "")
    if not code:
        common.flash(False, "Please choose the course to add or drop.", scope)
        return
    partner = state.catalogs.get(state.partner_id)
    course = partner.find(code) if partner else None
    title = course.name() if course else next((c.title for c in state.learning_agreement.courses if c.course_code == code), code)
    data: dict[str, Any] = {
        "actor_id": me_id,
        "proposal_id": proposal_id(state, kind, code),
        "kind": kind,
        "course_code": code,
        "title": title if kind == ChangeKind.ADD else "",
        "reason": ss.get(f"{key}-reason"),
        "comment": _text(f"{key}-comment"),
        "base_revision": state.learning_agreement.revision,
    }
    if kind == ChangeKind.ADD and ss.get(f"{key}-home"):
        data["home_course_code"] = ss.get(f"{key}-home")
    if data["reason"] == ChangeReason.OTHER and not data["comment"]:
        common.flash(False, "Please say in the comment why the change is needed.", scope)
        return
    _send(wid, state, "propose_change", data, scope)


def propose_form(wid: str, state: CreditTransferState, me: Person, scope: str) -> None:
    la = state.learning_agreement
    partner = state.catalogs.get(state.partner_id)
    home = state.catalogs.get(state.home_id)
    planned = [c.course_code for c in la.courses]
    offered = [c.code for c in partner.courses if not la.has(c.code)] if partner else []
    key = "propose"
    with st.expander("Propose a learning-agreement change"), st.form(key, border=False):
        st.caption(f"Against revision {la.revision} of the learning agreement; the department approves it.")
        c1, c2 = st.columns(2)
        c1.selectbox("Change", [k.value for k in ChangeKind], key=f"{key}-kind", format_func=lambda k: k.capitalize())
        c2.selectbox(
            "Course",
            [*offered, *planned],
            key=f"{key}-course",
            format_func=lambda c: f"{c} (to add)" if c in offered else f"{c} (planned, to drop)",
        )
        c3, c4 = st.columns(2)
        c3.selectbox(
            "Reason",
            [r.value for r in ChangeReason],
            key=f"{key}-reason",
            format_func=lambda r: CHANGE_REASON_LABELS[ChangeReason(r)],
        )
        c4.selectbox(
            "Expected to count as (optional)", [None, *([c.code for c in home.courses] if home else [])], key=f"{key}-home",
            format_func=lambda c: "—" if c is None else c,
        )  # fmt: skip
        st.text_area("Comment", key=f"{key}-comment", height=70)
        st.form_submit_button(
            "Propose change", icon=":material/edit_note:", on_click=_propose, args=(wid, state, me.id, key, scope)
        )


def _close(wid: str, state: CreditTransferState, me_id: str, pid: str, key: str | None, scope: str) -> None:
    reason = _text(f"{key}-reason") if key else ""
    if key and not reason:
        common.flash(False, "Please give the reason for declining: the student reads it.", scope)
        return
    data = {"actor_id": me_id, "proposal_id": pid, "reason": reason, "decline": key is not None}
    _send(wid, state, "close_change", data, scope)


def proposal_actions(
    wid: str, state: CreditTransferState, p: ChangeProposal, roles: set[rules.TransferRole], me: Person, scope: str
) -> None:
    pid = p.change.proposal_id
    outdated = p.change.base_revision != state.learning_agreement.revision
    with st.container(border=True):
        st.markdown(f"**{p.change.summary}** — proposed {common.when(p.proposed_at)} against revision {p.change.base_revision}")
        if p.change.comment:
            st.caption(p.change.comment)
        if outdated:
            st.caption(f"Outdated: the learning agreement is now at revision {state.learning_agreement.revision}.")
        cols = st.columns(2)
        if rules.TransferRole.DEPARTMENT in roles:
            if not outdated:
                cols[0].button(
                    "Approve change",
                    key=f"approve-change-{pid}",
                    icon=":material/check:",
                    on_click=_send,
                    args=(wid, state, "approve_change", {"actor_id": me.id, "proposal_id": pid}, scope),
                )
            with cols[1].expander("Decline"), st.form(f"decline-{pid}", border=False):
                st.text_area("Reason", key=f"decline-{pid}-reason", height=70)
                st.form_submit_button("Decline change", icon=":material/block:", on_click=_close,
                                      args=(wid, state, me.id, pid, f"decline-{pid}", scope))  # fmt: skip
        if roles & rules.STUDENT_SIDE:
            cols[0].button(
                "Withdraw",
                key=f"withdraw-{pid}",
                icon=":material/undo:",
                on_click=_close,
                args=(wid, state, me.id, pid, None, scope),
            )


# ---------------------------------------------------------------- everything this person may do


def transfer_actions(wid: str, state: CreditTransferState, me: Person, scope: str) -> bool:
    """Draw the widgets for this person's roles at this stage; False when there is nothing to do."""
    roles = rules.roles_of(state, me.id)
    if not roles or state.stage is TransferStage.POSTED:
        return False
    drawn = False
    stage_role = rules.STAGE_ROLES.get(state.stage)
    if state.stage is TransferStage.DEPARTMENT and rules.TransferRole.DEPARTMENT in roles:
        st.subheader("Decide course by course")
        department_forms(wid, state, me, scope)
        drawn = True
    if state.stage is TransferStage.DEPARTMENT and roles & rules.STUDENT_SIDE:
        questions = state.awaiting_information()
        if questions:
            st.subheader("Questions awaiting an answer")
            for q in questions:
                answer_form(wid, state, q, me, scope)
            drawn = True
    if stage_role is not None and stage_role in roles and state.stage in STAGE_ACTIONS:
        st.subheader("Your sign-off")
        stage_form(wid, state, me, scope)
        if state.stage is TransferStage.HOME_REGISTRAR:
            return_form(wid, state, me, scope)
        drawn = True
    pending = state.pending_proposals()
    if pending and roles & (rules.STUDENT_SIDE | {rules.TransferRole.DEPARTMENT}):
        st.subheader("Learning-agreement proposals")
        for p in pending:
            proposal_actions(wid, state, p, roles, me, scope)
        drawn = True
    if roles & rules.STUDENT_SIDE:
        propose_form(wid, state, me, scope)
        drawn = True
    return drawn
