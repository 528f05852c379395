"""My tasks: every step awaiting me, oldest first, with what I may do about it; then the
agreements I initiated, with the moves only an initiator makes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import actions, common
from dashboard import grant_common as gc
from dashboard import program_common as pc
from dashboard import release_common as rc
from domain import access
from domain.agreements import NEGOTIATION_PHASES, AgreementState
from domain.parties import Person
from store import queries
from store.models import ItemDetail, StepPublic

STEP_ICONS = {
    "review": ":material/rate_review:",
    "approve": ":material/check_circle:",
    "sign": ":material/signature:",
    "renew": ":material/autorenew:",
    "decide": ":material/gavel:",
    "answer": ":material/reply:",
    "confirm": ":material/verified:",
    "authorize": ":material/approval:",
    "screen": ":material/fact_check:",
    "score": ":material/grading:",
    "vote": ":material/how_to_vote:",
    "report": ":material/upload_file:",
    "release": ":material/local_movies:",
}
TRANSFER_STEP_HINTS = {
    "decide": "Decide on each course of the request: approve, approve as elective, reject or ask the student.",
    "answer": "The department asked a question about a course; answer it on the request's page.",
    "approve": "Approve or return the department's decisions, or a learning-agreement change.",
    "confirm": "Confirm the grades as they were taken at your institution.",
    "authorize": "Authorize the credit transfer for the ministry.",
}


GRANT_STEP_HINTS = {
    "screen": "Screen the application: pass it to the panel, or screen it out with the reason.",
    "score": "Score the application on each criterion of the call's rubric.",
    "vote": "Vote to approve (optionally with an amount), reject with a reason, or abstain.",
    "report": "Submit the report the tranche waits for.",
}
GRANT_REVIEW_HINT = "Review the submitted report: approve it (the tranche becomes payable) or return it with a reason."


def grant_step_card(step: StepPublic, item: ItemDetail) -> None:
    """A step on an application or a grant: what it asks, and the page where its form is."""
    on_application = step.item_type == gc.APPLICATION
    with st.container(border=True):
        info, act = st.columns([3, 2], gap="large")
        with info:
            st.markdown(f"#### {step.label}")
            st.caption(item.title)
            with st.container(horizontal=True):
                (gc.stage_badge if on_application else gc.grant_stage_badge)(item.phase)
                st.badge(step.kind, color="gray", icon=STEP_ICONS.get(step.kind, ":material/task:"))
                due_badge(step)
                if step.escalation:
                    st.badge("escalated", color="red")
            st.caption(f"Awaited since {common.when(step.opened_at)} · due {common.when(step.due_at)}")
        with act:
            reviewing = step.kind == "report" and step.step_id.startswith("review-")
            st.caption(GRANT_REVIEW_HINT if reviewing else GRANT_STEP_HINTS.get(step.kind, ""))
            if on_application:
                gc.application_link(step.item_id, "Open the application" + (" and score it" if step.kind == "score" else ""))
            else:
                gc.grant_link(step.item_id, "Open the grant")


RELEASE_STEP_HINTS = {
    "acknowledge": "Acknowledge the festival's recommendation; classification review is next.",
    "classification": "Record the classification decision with the country's rating.",
    "quota": "Record whether the import-quota exception was granted.",
    "subsidy": "Record the dubbing or subtitling subsidy, or skip it.",
    "licence": "Choose a distributor and propose the licence; it goes to both parties for signature.",
    "scheduling": "Schedule the release: the date and the cinema chain, service or channel.",
    "releasing": "Confirm the release once the film is out.",
}


def release_step_card(step: StepPublic, item: ItemDetail) -> None:
    """A step on a country release: what the stage asks, and the release's page, where the form is."""
    with st.container(border=True):
        info, act = st.columns([3, 2], gap="large")
        with info:
            st.markdown(f"#### {step.label}")
            st.caption(item.title)
            with st.container(horizontal=True):
                rc.stage_badge(item.phase)
                st.badge(common.country_name(step.country), color="gray", icon=":material/flag:")
                due_badge(step)
                if step.escalation:
                    st.badge("escalated", color="red")
            st.caption(f"Awaited since {common.when(step.opened_at)} · due {common.when(step.due_at)}")
        with act:
            st.caption(RELEASE_STEP_HINTS.get(step.step_id, ""))
            rc.release_link(step.item_id, "Open the country release")


def due_badge(step: StepPublic) -> None:
    if step.overdue:
        st.badge(common.due_text(step.due_in_days), color="red", icon=":material/warning:")
    elif step.due_in_days < 3:
        st.badge(common.due_text(step.due_in_days), color="orange", icon=":material/schedule:")
    else:
        st.badge(common.due_text(step.due_in_days), color="gray", icon=":material/schedule:")


def transfer_step_card(step: StepPublic, item: ItemDetail) -> None:
    """A step on a credit transfer: what it asks and the way to the request, where the forms are."""
    with st.container(border=True):
        info, act = st.columns([3, 2], gap="large")
        with info:
            st.markdown(f"#### {step.label}")
            st.caption(item.title)
            with st.container(horizontal=True):
                pc.stage_badge(item.phase)
                due_badge(step)
                if step.escalation:
                    st.badge("escalated", color="red")
            st.caption(f"Awaited since {common.when(step.opened_at)} · due {common.when(step.due_at)}")
        with act:
            st.caption(TRANSFER_STEP_HINTS.get(step.kind, ""))
            pc.transfer_link(step.item_id, "Open the credit transfer")


def step_card(step: StepPublic, item: ItemDetail, state: AgreementState, me: Person, scope: str) -> None:
    with st.container(border=True):
        info, act = st.columns([3, 2], gap="large")
        with info:
            st.markdown(f"#### {step.label}")
            common.agreement_link(step.item_id, item.title)
            badges = st.container(horizontal=True)
            with badges:
                common.phase_badge(item.phase)
                if step.overdue:
                    st.badge(common.due_text(step.due_in_days), color="red", icon=":material/warning:")
                elif step.due_in_days < 3:
                    st.badge(common.due_text(step.due_in_days), color="orange", icon=":material/schedule:")
                else:
                    st.badge(common.due_text(step.due_in_days), color="gray", icon=":material/schedule:")
                if step.escalation:
                    st.badge("escalated to the board" if step.escalation > 1 else "escalated to the liaison", color="red")
            cur = state.current
            st.caption(
                f"Awaited since {common.when(step.opened_at)} · due {common.when(step.due_at)}"
                + (f" · reminders sent: {step.reminders_sent}" if step.reminders_sent else "")
            )
            if cur:
                st.caption(
                    f"Current version {cur.number} (hash `{common.short_hash(cur.text_sha256)}`) by "
                    f"{cur.author_name}: “{cur.summary}”"
                )
            if len(step.awaited_names) > 1:
                st.caption(
                    "Also awaited: "
                    + ", ".join(n for n, i in zip(step.awaited_names, step.awaited_ids, strict=False) if i != me.id)
                )
        with act:
            actions.step_actions(step, state, me, scope)


def my_steps(me: Person) -> None:
    engine = common.engine()
    steps = queries.open_steps(engine, person_id=me.id)
    overdue = sum(s.overdue for s in steps)
    soon = sum(not s.overdue and s.due_in_days < 3 for s in steps)
    m1, m2, m3 = st.columns(3)
    m1.metric("Open tasks", len(steps), border=True)
    m2.metric("Overdue", overdue, border=True)
    m3.metric("Due within 3 days", soon, border=True)
    if not steps:
        st.success("Nothing is awaiting you. New tasks appear here and in your mail.", icon=":material/done_all:")
        return
    items: dict[str, tuple[ItemDetail, AgreementState] | None] = {}
    for step in steps:
        if step.item_type in (pc.TRANSFER, gc.APPLICATION, gc.GRANT, rc.RELEASE):
            item = queries.get_item(engine, step.item_id)
            if item is None:
                st.warning(f"“{step.item_title}”: {step.label} — this item cannot be shown here yet.")
            elif step.item_type == rc.RELEASE:
                release_step_card(step, item)
            elif step.item_type == pc.TRANSFER:
                transfer_step_card(step, item)
            else:
                grant_step_card(step, item)
            continue
        if step.item_id not in items:
            item = queries.get_item(engine, step.item_id)
            state = common.load_state(item.detail) if item and item.item_type == "agreement" else None
            items[step.item_id] = (item, state) if item and state else None
        found = items[step.item_id]
        if found is None:
            st.warning(f"“{step.item_title}”: {step.label} — this item cannot be shown here yet.")
            continue
        step_card(step, found[0], found[1], me, scope="tasks")


def initiated(me: Person) -> None:
    """Agreements still in negotiation that I started. The summary's initiator name narrows the
    list cheaply; the detail's initiator id decides."""
    engine = common.engine()
    candidates = queries.list_items(engine, item_type="agreement", phase=[str(p) for p in NEGOTIATION_PHASES], limit=1000)
    mine: list[tuple[ItemDetail, AgreementState]] = []
    for row in candidates:
        if row.summary.get("initiator") not in (None, me.name):
            continue
        item = queries.get_item(engine, row.item_id)
        state = common.load_state(item.detail) if item else None
        if item and state and state.spec.initiator.id == me.id:
            mine.append((item, state))
    st.subheader("Agreements I initiated")
    if not mine:
        st.caption("No agreement you initiated is in negotiation.")
        return
    for item, state in mine:
        with st.container(border=True):
            head, act = st.columns([3, 2], gap="large")
            with head:
                common.agreement_link(item.item_id, item.title)
                common.phase_badge(item.phase)
                signed = item.summary.get("parties_signed", 0)
                st.caption(
                    f"{common.kind_label(item.kind)} · {len(state.spec.parties)} parties · "
                    f"review round {state.review_round} · signed {signed}/{len(state.spec.parties)}"
                )
            with act:
                actions.initiator_actions(item.item_id, state, me, scope="tasks")


def overdue_in_my_countries(me: Person) -> None:
    """Liaisons are the first escalation for their country: show them what is late there."""
    countries = sorted(access.liaison_countries(me))
    if not countries:
        return
    engine = common.engine()
    late = [s for c in countries for s in queries.open_steps(engine, country=c)  # agreements only: a student's steps are the program's business
            if s.overdue and me.id not in s.awaited_ids and s.item_id.startswith("agreement-")]
    names = ", ".join(common.country_name(c) for c in countries)
    st.subheader(f"Overdue in {names}")
    if not late:
        st.caption("Nothing is overdue with the parties of your country.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Agreement": s.item_title,
                    "Step": s.label,
                    "Awaiting": ", ".join(s.awaited_names),
                    "Due": s.due_at,
                    "Days late": round(-s.due_in_days, 1),
                }
                for s in late
            ]
        ),
        hide_index=True,
        column_config={"Due": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC")},
    )


me = common.me()
st.title("My tasks")
st.caption("Steps awaiting you, oldest first. Each action is checked by the item's workflow before it counts.")
common.show_flash("tasks")
if access.can_act(me):
    my_steps(me)
    overdue_in_my_countries(me)
    if not access.only_student(me):
        st.divider()
        initiated(me)
elif access.is_board(me) or queries.open_steps(common.engine(), person_id=me.id, limit=1):
    my_steps(me)  # a board seat votes on awards; a producer without a role submits reports
else:
    st.info("Your role is oversight only: you can read every agreement, but there is nothing for you to act on.")
