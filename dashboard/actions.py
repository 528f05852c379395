"""The action widgets of the inbox: what a person may do about a step, sent as workflow updates.

Each widget captures the version hash *shown on screen* when it is drawn and sends it with the
action (through the button's callback arguments, not a fresh read), so someone who approves a
page that has gone stale meets the workflow's conflict message instead of approving text they
never saw. Update ids are derived from the step's opening, the action, the person and that hash:
a double click, or a retry after a timeout, counts once, while a step reopened later (after a
declined signature, say) gets fresh ids. Outcomes are kept for the next run (`common.flash`),
which redraws the list from the read model the workflow has already updated.
"""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from dashboard import client, common
from dashboard.revision import revision_form
from domain import access
from domain import agreement_rules as rules
from domain.agreement_rules import Rejected, signer_for
from domain.agreements import AgreementState, Phase, TerminateAction
from domain.human_steps import StepKind
from domain.parties import Person
from store.models import StepPublic


def update_id(step: StepPublic, action: str, person_id: str, version_hash: str | None, extra: str = "") -> str:
    """Same click on the same screen → same id; a reopened step or another version → a new one."""
    opened = f"{step.opened_at:%Y%m%dT%H%M%S}"
    parts = [step.step_id, opened, action, person_id, (version_hash or "-")[:16]]
    if extra:
        parts.append(hashlib.sha256(extra.encode()).hexdigest()[:16])
    return ":".join(parts)


def _send(workflow_id: str, action: str, data: dict[str, Any], uid: str, scope: str) -> None:
    outcome = client.perform(workflow_id, action, data, uid)
    common.flash(outcome.ok, outcome.message, scope)


def _send_form(
    workflow_id: str,
    action: str,
    base: dict[str, Any],
    fields: dict[str, str],
    uid: str,
    scope: str,
    required: str | None = None,
) -> None:
    """A form's callback: read the fields from the session, insist on the required text, send."""
    data = dict(base)
    for field, key in fields.items():
        value = st.session_state.get(key)
        data[field] = value.strip() if isinstance(value, str) else value
    if required and not data.get(required):
        common.flash(False, f"Please fill in the {required.replace('_', ' ')} before sending.", scope)
        return
    text = "|".join(str(data[f]) for f in fields)
    _send(workflow_id, action, data, f"{uid}:{hashlib.sha256(text.encode()).hexdigest()[:16]}", scope)


def _comment_box(item_id: str, key: str, uid: str, me: Person, scope: str) -> None:
    """A comment form on the current version, sent under `uid` (plus the text's hash)."""
    with st.form(key, clear_on_submit=True, border=False):
        st.text_area("Comment", key=f"{key}-text", placeholder="Your comment on the current version", height=90)
        st.form_submit_button(
            "Add comment",
            icon=":material/chat:",
            on_click=_send_form,
            args=(item_id, "comment", {"actor_id": me.id}, {"text": f"{key}-text"}, uid, scope, "text"),
        )


def _comment_form(step: StepPublic, me: Person, state: AgreementState, scope: str) -> None:
    key = f"comment-{step.item_id}-{step.step_id}"
    _comment_box(step.item_id, key, update_id(step, "comment", me.id, state.current_hash), me, scope)


def step_actions(step: StepPublic, state: AgreementState, me: Person, scope: str) -> None:
    """The widgets for one open step, by its kind."""
    h = state.current_hash
    number = state.current.number if state.current else None
    wid, key = step.item_id, f"{step.item_id}-{step.step_id}"
    version = {"actor_id": me.id, "version_hash": h}
    if step.kind == "approve":
        st.button(
            f"Approve version {number}",
            key=f"approve-{key}",
            type="primary",
            icon=":material/check_circle:",
            on_click=_send,
            args=(wid, "approve", version, update_id(step, "approve", me.id, h), scope),
        )
        _comment_form(step, me, state, scope)
        revision_form(wid, state, me, scope)
    elif step.kind == "review":
        st.caption("Read the current version and comment on it; approvals open when the review round closes.")
        _comment_form(step, me, state, scope)
        revision_form(wid, state, me, scope)
    elif step.kind == "sign":
        st.button(
            f"Sign version {number}",
            key=f"sign-{key}",
            type="primary",
            icon=":material/signature:",
            on_click=_send,
            args=(wid, "sign", version, update_id(step, "sign", me.id, h), scope),
        )
        _decline_form(step, me, state, scope)
        _delegate_form(step, me, state, scope)
    elif step.kind == "renew":
        _renew_form(step, me, state, scope)


def _decline_form(step: StepPublic, me: Person, state: AgreementState, scope: str) -> None:
    key = f"decline-{step.item_id}-{step.step_id}"
    with st.expander("Decline to sign"), st.form(key, border=False):
        st.text_area("Reason", key=f"{key}-reason", help="Declining sends the agreement back to review.", height=80)
        st.form_submit_button(
            "Decline",
            icon=":material/block:",
            on_click=_send_form,
            args=(
                step.item_id,
                "decline",
                {"actor_id": me.id, "version_hash": state.current_hash},
                {"reason": f"{key}-reason"},
                update_id(step, "decline", me.id, state.current_hash),
                scope,
                "reason",
            ),
        )


def _delegate_form(step: StepPublic, me: Person, state: AgreementState, scope: str) -> None:
    party = state.spec.party(step.organisation_id) if step.organisation_id else None
    if party is None:
        return
    others = {s.id: s for s in party.signatories if s.id != signer_for(state, party).id}
    if not others:
        return
    key = f"delegate-{step.item_id}-{step.step_id}"
    with st.expander("Delegate signing"), st.form(key, border=False):
        st.selectbox(
            f"Another signatory of {party.name()}",
            list(others),
            key=f"{key}-to",
            format_func=lambda pid: f"{others[pid].name}" + (f" — {others[pid].title}" if others[pid].title else ""),
        )
        st.text_area("Reason", key=f"{key}-reason", height=80)
        st.form_submit_button(
            "Delegate",
            icon=":material/forward:",
            on_click=_send_form,
            args=(
                step.item_id,
                "delegate",
                {"actor_id": me.id},
                {"to_person_id": f"{key}-to", "reason": f"{key}-reason"},
                update_id(step, "delegate", me.id, state.current_hash),
                scope,
                "reason",
            ),
        )


def _renew_form(step: StepPublic, me: Person, state: AgreementState, scope: str) -> None:
    key = f"renew-{step.item_id}-{step.step_id}"
    with st.form(key, border=False):
        st.number_input(
            "New term in months",
            min_value=1,
            max_value=600,
            value=state.spec.term.term_months,
            step=1,
            key=f"{key}-months",
        )
        st.form_submit_button(
            "Renew",
            type="primary",
            icon=":material/autorenew:",
            on_click=_send_form,
            args=(
                step.item_id,
                "renew",
                {"actor_id": me.id},
                {"term_months": f"{key}-months"},
                update_id(step, "renew", me.id, state.current_hash),
                scope,
            ),
        )


# ---------------------------------------------------------------- what the initiator may do


def initiator_actions(item_id: str, state: AgreementState, me: Person, scope: str) -> None:
    """Open or close a review round, or void the agreement, where the phase allows it: voiding only
    before execution (a renewal being signed is ended by declining it, an agreement in force by notice).
    An initiator who is also an approver awaited on the review or approval step proposes revisions
    from that step's card, which draws the same form."""
    base = {"actor_id": me.id}
    key = f"init-{item_id}"
    phase = state.phase
    round_tag = f"r{state.review_round}"
    cols = st.columns(2)
    if phase is Phase.DRAFT:
        cols[0].button(
            "Open review round",
            key=f"{key}-open",
            icon=":material/rate_review:",
            on_click=_send,
            args=(item_id, "open_review", base, f"{item_id}:open_review:{round_tag}:{me.id}", scope),
        )
    if phase is Phase.REVIEW:
        cols[0].button(
            "Close review now",
            key=f"{key}-close",
            icon=":material/event_available:",
            help="End the review round early and open internal approvals.",
            on_click=_send,
            args=(item_id, "close_review", base, f"{item_id}:close_review:{round_tag}:{me.id}", scope),
        )
    awaited = any(st.kind in (StepKind.REVIEW, StepKind.APPROVE) and me.id in {p.id for p in st.awaited} for st in state.steps)
    if phase in {Phase.DRAFT, Phase.REVIEW, Phase.APPROVAL} and not awaited:
        revision_form(item_id, state, me, scope)
    if phase in {Phase.DRAFT, Phase.REVIEW, Phase.APPROVAL, Phase.SIGNING} and state.executed_at is None:
        with cols[1].expander("Void this agreement"), st.form(f"{key}-void", border=False):
            st.text_area(
                "Reason",
                key=f"{key}-void-reason",
                height=80,
                help="Voiding ends the negotiation for every party; it cannot be undone.",
            )
            st.form_submit_button(
                "Void",
                icon=":material/delete_forever:",
                on_click=_send_form,
                args=(item_id, "void", base, {"reason": f"{key}-void-reason"}, f"{item_id}:void:{me.id}", scope, "reason"),
            )


# ---------------------------------------------------------------- on the agreement's own page


def participation(item_id: str, state: AgreementState, me: Person, scope: str) -> None:
    """Comment on the current version, or propose a revision, for everyone the workflow accepts it
    from — not only whom a step awaits: a party's liaison or signatory during review, an approver
    whose party has already approved (a revision reopens the approvals)."""
    if not access.can_act(me) or not rules.may_comment(state, me.id):
        return
    h = state.current_hash
    key = f"page-comment-{item_id}"
    number = state.current.number if state.current else None
    with st.expander(f"Comment on version {number}" if number else "Comment", icon=":material/chat:"):
        _comment_box(item_id, key, f"{item_id}:comment:{me.id}:{(h or '-')[:16]}", me, scope)
    if rules.may_revise(state, me.id):
        revision_form(item_id, state, me, scope)


# ---------------------------------------------------------------- an agreement in force


def termination_form(item_id: str, state: AgreementState, me: Person, scope: str) -> None:
    """Notice of termination, for whom the workflow accepts it from (the initiator or a party's
    signatory) while the agreement is in force or awaiting its start. The workflow decides again
    when the notice arrives; the form only spares others a button they could not use. Not for an
    agreement another workflow started (a grant agreement, a licence): a grant goes on paying after
    its agreement ends, so its end is decided where the money is."""
    if not access.can_act(me):
        return
    try:
        rules.check_terminate(state, TerminateAction(actor_id=me.id, reason="(checked before the form is drawn)"))
    except Rejected:
        return
    if state.spec.parent_workflow_id:  # a grant agreement or a licence: its grant or release decides what its end means
        st.caption(
            f"This agreement belongs to `{state.spec.parent_workflow_id}`; it is ended from there (a grant is"
            " cancelled by the fund, a release declined by its country), not by notice here."
        )
        return
    notice = state.spec.term.termination_notice_days
    key = f"terminate-{item_id}"
    with st.expander("Give notice of termination", icon=":material/cancel:"), st.form(key, border=False):
        st.caption(
            f"The agreement ends {notice} days after the notice, or when its term ends if that is sooner."
            " Every party sees the notice and its reason; it cannot be withdrawn here."
        )
        st.text_area("Reason", key=f"{key}-reason", height=80, max_chars=2000)
        st.form_submit_button(
            "Give notice",
            icon=":material/gavel:",
            on_click=_send_form,
            args=(
                item_id,
                "terminate",
                {"actor_id": me.id},
                {"reason": f"{key}-reason"},
                f"{item_id}:terminate:t{state.term_number}:{me.id}",
                scope,
                "reason",
            ),
        )
