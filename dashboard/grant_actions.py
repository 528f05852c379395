"""The action widgets of a grant application and of a grant, offered by the person's part in it.

Which widget appears follows the workflows' own pure checks (`domain.grants.application_state`,
`domain.grants.grant_state`), run here with a harmless stand-in action: the fund manager screens
and closes the board's vote, each panel reviewer scores or steps down, each board member votes,
the applicant's contact withdraws; on a grant the producer submits reports, the fund manager
reviews them, proposes amendments and cancels, and the board votes on amendments. The workflow's
validator still has the last word, and its sentence is shown when it says no.

The `*_data` functions turn what was typed into an action's fields, or into a sentence saying what
to fix (nothing is sent then); they are pure, so the forms' rules are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import streamlit as st

from dashboard import common
from dashboard import grant_common as gc
from dashboard import program_common as pc
from domain.grants import application_state as apps
from domain.grants import grant_state as grants
from domain.grants.board import VoteChoice
from domain.grants.money import format_money, money_in, plain
from domain.grants.process import (
    FINAL_REPORT,
    GRANT_CLOSED,
    AmendmentVoteAction,
    ApplicationStage,
    CancelGrantAction,
    CloseVoteAction,
    DeclineReviewAction,
    GrantStage,
    ProposeAmendmentAction,
    ReviewReportAction,
    ScreenAction,
    SubmitReportAction,
    VoteAction,
    WithdrawAction,
)
from domain.grants.rubric import Rubric
from domain.parties import Person

CHOICE_LABELS = {VoteChoice.APPROVE: "Approve", VoteChoice.REJECT: "Reject", VoteChoice.ABSTAIN: "Abstain"}


def _text(key: str) -> str:
    return str(st.session_state.get(key) or "").strip()


# ---------------------------------------------------------------- pure: what is sent


def _amount(text: str, what: str) -> Decimal | str:
    try:
        return money_in(text.replace(" ", ""), what)
    except Exception as e:  # noqa: BLE001 - `Rejected` or anything odd typed: a sentence either way
        return str(e)


def screen_data(actor_id: str, passed: bool, reason: str) -> dict[str, Any] | str:
    reason = reason.strip()
    if not passed and not reason:
        return "Please say why the application is screened out: the reason goes into the letter to the applicant."
    return {"actor_id": actor_id, "passed": passed, "reason": reason}


def score_data(
    actor_id: str, rubric: Rubric, marks: Mapping[str, float | int | Decimal | None], comment: str = "",
    notes: Mapping[str, str] | None = None,
) -> dict[str, Any] | str:  # fmt: skip
    """Every criterion needs a mark on its scale, in its steps; marks go as exact decimal strings."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for c in rubric.criteria:
        raw = marks.get(c.id)
        if raw is None:
            problems.append(f"“{c.name()}” has no mark")
            continue
        v = Decimal(str(raw))
        if v == v.to_integral_value():
            v = v.quantize(Decimal(1))
        if not c.scale_min <= v <= c.scale_max or (v - c.scale_min) % c.step != 0:
            problems.append(f"“{c.name()}” must be from {c.scale_text} in steps of {plain(c.step)}")
            continue
        values[c.id] = plain(v)
    if problems:
        return "Please check the marks: " + "; ".join(problems) + "."
    data: dict[str, Any] = {"actor_id": actor_id, "values": values, "comment": comment.strip()}
    kept = {k: v.strip() for k, v in (notes or {}).items() if v and v.strip()}
    if kept:
        data["criterion_comments"] = kept
    return data


def decline_data(actor_id: str, reason: str, conflict: bool) -> dict[str, Any] | str:
    reason = reason.strip()
    if len(reason) < 3:
        return "Please give the reason for stepping down (the fund manager reads it)."
    return {"actor_id": actor_id, "reason": reason, "conflict": conflict}


def vote_data(actor_id: str, choice: str, amount: str = "", reason: str = "", currency: str = "") -> dict[str, Any] | str:
    """An approval may name an amount (else the request); a rejection needs a reason; an abstention neither."""
    choice = VoteChoice(choice)
    reason, amount = reason.strip(), amount.strip()
    data: dict[str, Any] = {"actor_id": actor_id, "choice": choice.value, "reason": reason}
    if choice is VoteChoice.REJECT and not reason:
        return "Please give the reason for rejecting: it goes into the letter to the applicant."
    if amount:
        if choice is not VoteChoice.APPROVE:
            return "An amount goes only with a vote to approve; clear it, or vote to approve."
        value = _amount(amount, "the amount")
        if isinstance(value, str):
            return value
        if value <= 0:
            return "The amount must be more than zero; leave it empty to approve the amount requested."
        data["amount"] = plain(value)
    return data


def report_data(actor_id: str, tranche_id: str, reference: str, summary: str) -> dict[str, Any] | str:
    if not tranche_id:
        return "Please choose the report you submit."
    reference = reference.strip()
    if not reference:
        return "Please attach the report or give its document reference."
    return {"actor_id": actor_id, "tranche_id": tranche_id, "reference": reference[:200], "summary": summary.strip()}


def review_data(actor_id: str, tranche_id: str, approve: bool, reason: str = "") -> dict[str, Any] | str:
    reason = reason.strip()
    if not approve and not reason:
        return "Please say why the report goes back: the producer reads the reason."
    return {"actor_id": actor_id, "tranche_id": tranche_id, "approve": approve, "reason": reason}


def amendment_data(actor_id: str, new_amount: str, reason: str) -> dict[str, Any] | str:
    value = _amount(new_amount, "the new amount")
    if isinstance(value, str):
        return value
    if value <= 0:
        return "The new amount must be more than zero; to end the grant, cancel it."
    if len(reason.strip()) < 3:
        return "Please give the reason for the amendment: the board reads it."
    return {"actor_id": actor_id, "new_amount": plain(value), "reason": reason.strip()}


def amendment_vote_data(actor_id: str, choice: str, reason: str) -> dict[str, Any] | str:
    if VoteChoice(choice) is VoteChoice.REJECT and not reason.strip():
        return "Please give the reason for rejecting the amendment."
    return {"actor_id": actor_id, "choice": VoteChoice(choice).value, "reason": reason.strip()}


def cancel_data(actor_id: str, reason: str, clawback: str) -> dict[str, Any] | str:
    if len(reason.strip()) < 3:
        return "Please give the reason for cancelling: the producer and the board read it."
    value = _amount(clawback or "0", "the amount to claw back")
    if isinstance(value, str):
        return value
    return {"actor_id": actor_id, "reason": reason.strip(), "clawback": plain(value)}


# ---------------------------------------------------------------- sending


def _send(wid: str, revision: int, action: str, data: dict[str, Any] | str, scope: str) -> None:
    if isinstance(data, str):
        common.flash(False, data, scope)
        return
    pc.send(wid, action, data, revision, scope)


# ---------------------------------------------------------------- application: fund manager


def _screen(wid: str, state: apps.ApplicationState, me_id: str, key: str, scope: str) -> None:
    passed = st.session_state.get(f"{key}-decision") == "pass"
    _send(wid, state.revision, "screen", screen_data(me_id, passed, _text(f"{key}-reason")), scope)


def screen_form(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> None:
    key = f"screen-{state.application.id}"
    with st.form(key, border=True):
        st.markdown("**Screen the application**")
        st.caption("Pass it to the panel, or screen it out with the reason the applicant will read in the letter.")
        st.radio(
            "Decision",
            ["pass", "out"],
            key=f"{key}-decision",
            horizontal=True,
            format_func=lambda d: "Pass to the panel" if d == "pass" else "Screen out",
        )
        st.text_area("Reason (required to screen out)", key=f"{key}-reason", height=80)
        st.form_submit_button("Record screening", type="primary", icon=":material/fact_check:",
                              on_click=_screen, args=(wid, state, me.id, key, scope))  # fmt: skip


def close_vote_button(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> None:
    d = apps.decide(state, state.votes)
    blocked = gc.allowed(apps.check_close_vote, state, CloseVoteAction(actor_id=me.id))
    with st.container(border=True):
        st.markdown("**Close the board's vote**")
        st.caption(f"{len(state.votes)} of {len(state.people.board)} members voted. If closed now: {d.summary}")
        st.button(
            "Close the vote",
            key=f"close-vote-{state.application.id}",
            icon=":material/how_to_vote:",
            on_click=_send,
            args=(wid, state.revision, "close_vote", {"actor_id": me.id}, scope),
            disabled=blocked is not None,
            help=blocked,
        )


# ---------------------------------------------------------------- application: reviewer


def score_key(app_id: str) -> str:
    return f"score-{app_id}"


def _score(wid: str, state: apps.ApplicationState, me_id: str, key: str, scope: str) -> None:
    rubric = state.call.rubric
    marks = {c.id: st.session_state.get(f"{key}-{c.id}") for c in rubric.criteria}
    notes = {c.id: _text(f"{key}-note-{c.id}") for c in rubric.criteria}
    _send(wid, state.revision, "score", score_data(me_id, rubric, marks, _text(f"{key}-comment"), notes), scope)


def _number(v: Decimal) -> int | float:
    return int(v) if v == v.to_integral_value() else float(v)


def score_form(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> None:
    """One number per criterion, within its scale and steps, and a comment for the panel."""
    key = score_key(state.application.id)
    rubric = state.call.rubric
    with st.form(key, border=True):
        st.markdown(f"**Score “{state.application.project.title}”**")
        st.caption("Each criterion on its own scale; the weighted score (0–100) is computed from the weights.")
        cols = st.columns(min(len(rubric.criteria), 4))
        for i, c in enumerate(rubric.criteria):
            whole = all(x == x.to_integral_value() for x in (c.scale_min, c.scale_max, c.step))
            cols[i % len(cols)].number_input(
                f"{c.name()} ({plain(c.weight)} %)",
                min_value=_number(c.scale_min) if whole else float(c.scale_min),
                max_value=_number(c.scale_max) if whole else float(c.scale_max),
                step=_number(c.step) if whole else float(c.step),
                value=None,
                key=f"{key}-{c.id}",
                help=f"{c.guidance} (scale {c.scale_text})" if c.guidance else f"Scale {c.scale_text}",
                placeholder=c.scale_text,
            )
        st.text_area("Comment for the panel", key=f"{key}-comment", height=100)
        with st.expander("Notes per criterion (optional)"):
            for c in rubric.criteria:
                st.text_input(c.name(), key=f"{key}-note-{c.id}")
        st.form_submit_button("Submit score", type="primary", icon=":material/grading:",
                              on_click=_score, args=(wid, state, me.id, key, scope))  # fmt: skip


def _decline(wid: str, state: apps.ApplicationState, me_id: str, key: str, scope: str) -> None:
    data = decline_data(me_id, _text(f"{key}-reason"), bool(st.session_state.get(f"{key}-conflict")))
    _send(wid, state.revision, "decline_review", data, scope)


def decline_form(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> None:
    key = f"decline-{state.application.id}"
    with st.expander("Decline the review or declare a conflict of interest"), st.form(key, border=False):
        st.checkbox("I have a conflict of interest with this application", key=f"{key}-conflict")
        st.text_area("Reason", key=f"{key}-reason", height=70)
        st.form_submit_button("Step down from the panel", icon=":material/person_remove:",
                              on_click=_decline, args=(wid, state, me.id, key, scope))  # fmt: skip


# ---------------------------------------------------------------- application: board and applicant


def _vote(wid: str, state: apps.ApplicationState, me_id: str, key: str, scope: str) -> None:
    data = vote_data(me_id, str(st.session_state.get(f"{key}-choice")), _text(f"{key}-amount"), _text(f"{key}-reason"),
                     state.fund.currency)  # fmt: skip
    _send(wid, state.revision, "vote", data, scope)


def vote_form(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> None:
    key = f"vote-{state.application.id}"
    a = state.application
    with st.form(key, border=True):
        st.markdown("**Your vote on the award**")
        st.caption(
            f"Requested {format_money(a.requested_amount, a.currency)}; the call grants at most "
            f"{format_money(state.call.max_amount, state.fund.currency)}. Quorum {state.call.board.quorum}, "
            f"{state.call.board.majority.value.replace('_', ' ')} majority."
        )
        st.radio("Vote", [c.value for c in VoteChoice], key=f"{key}-choice", horizontal=True,
                 format_func=lambda c: CHOICE_LABELS[VoteChoice(c)])  # fmt: skip
        st.text_input(f"Amount to award (optional, {state.fund.currency})", key=f"{key}-amount",
                      placeholder=plain(a.requested_amount), help="Only with an approval; empty approves the amount requested.")  # fmt: skip
        st.text_area("Reason (required to reject; it goes into the letter)", key=f"{key}-reason", height=80)
        st.form_submit_button("Cast vote", type="primary", icon=":material/how_to_vote:",
                              on_click=_vote, args=(wid, state, me.id, key, scope))  # fmt: skip


def _withdraw(wid: str, state: apps.ApplicationState, me_id: str, key: str, scope: str) -> None:
    reason = _text(f"{key}-reason")
    if len(reason) < 3:
        common.flash(False, "Please say why the application is withdrawn.", scope)
        return
    _send(wid, state.revision, "withdraw", {"actor_id": me_id, "reason": reason}, scope)


def withdraw_form(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> None:
    key = f"withdraw-{state.application.id}"
    with st.expander("Withdraw the application"), st.form(key, border=False):
        st.caption("A withdrawn application cannot be reopened; a new submission is needed.")
        st.text_area("Reason", key=f"{key}-reason", height=70)
        st.form_submit_button("Withdraw application", icon=":material/undo:",
                              on_click=_withdraw, args=(wid, state, me.id, key, scope))  # fmt: skip


def application_actions(wid: str, state: apps.ApplicationState, me: Person, scope: str) -> bool:
    """Draw the widgets this person may use now; False when there is nothing for them to do."""
    drawn = False
    if gc.allowed(apps.check_screen, state, ScreenAction(actor_id=me.id, passed=True)) is None:
        screen_form(wid, state, me, scope)
        drawn = True
    if gc.allowed(apps.check_decline_review, state, DeclineReviewAction(actor_id=me.id, reason="---")) is None:
        score_form(wid, state, me, scope)
        decline_form(wid, state, me, scope)
        drawn = True
    if gc.allowed(apps.check_vote_action, state, VoteAction(actor_id=me.id, choice=VoteChoice.ABSTAIN)) is None:
        vote_form(wid, state, me, scope)
        drawn = True
    if state.stage is ApplicationStage.BOARD and any(m.id == me.id for m in state.people.fund_managers):
        close_vote_button(wid, state, me, scope)
        drawn = True
    if gc.allowed(apps.check_withdraw, state, WithdrawAction(actor_id=me.id, reason="---")) is None:
        withdraw_form(wid, state, me, scope)
        drawn = True
    return drawn


# ---------------------------------------------------------------- grant: producer


def report_options(state: grants.GrantState, actor_id: str) -> dict[str, str]:
    """tranche id → label of every report the producer may submit now (the final report as 'final')."""
    out: dict[str, str] = {}
    for t in state.tranches:
        if (
            gc.allowed(grants.check_submit_report, state, SubmitReportAction(actor_id=actor_id, tranche_id=t.id, reference="x"))
            is None
        ):
            again = " — resubmission" if t.report_returned_reason else ""
            out[t.id] = f"{t.label}: {t.report_name}{again}"
    final = SubmitReportAction(actor_id=actor_id, tranche_id=FINAL_REPORT, reference="x")
    if state.stage is GrantStage.CLOSEOUT and gc.allowed(grants.check_submit_report, state, final) is None:
        out[FINAL_REPORT] = "Final report"
    return out


MAX_REPORT_BYTES = 25 * 2**20  # also the server's upload limit (.streamlit/config.toml maxUploadSize)


def _report(wid: str, state: grants.GrantState, me_id: str, key: str, scope: str) -> None:
    reference = _text(f"{key}-reference")
    upload = st.session_state.get(f"{key}-file")
    if upload is not None:
        if upload.size > MAX_REPORT_BYTES:
            common.flash(False, f"The file is {upload.size / 2**20:.1f} MiB; a report may be at most "
                                f"{MAX_REPORT_BYTES // 2**20} MiB. Give its document reference instead.", scope)  # fmt: skip
            return
        if not upload.getvalue().startswith(b"%PDF-"):
            common.flash(False, f"“{upload.name}” is not a PDF file; please upload the report as a PDF.", scope)
            return
        try:
            reference = common.blobs().put(upload.getvalue())
        except Exception:  # noqa: BLE001 - the store's failure is a sentence for the producer
            common.log.exception("storing an uploaded report failed")
            common.flash(False, "The file could not be stored right now; please try again or give its reference.", scope)
            return
    data = report_data(me_id, str(st.session_state.get(f"{key}-tranche") or ""), reference, _text(f"{key}-summary"))
    _send(wid, state.revision, "submit_report", data, scope)


def report_form(wid: str, state: grants.GrantState, me: Person, options: dict[str, str], scope: str) -> None:
    key = f"report-{state.award_id}"
    returned = {t.id: t.report_returned_reason for t in state.tranches if t.report_returned_reason}
    if state.final_report.returned_reason:
        returned[FINAL_REPORT] = state.final_report.returned_reason
    with st.form(key, border=True):
        st.markdown("**Submit a report**")
        for tid, why in returned.items():
            if tid in options:
                st.warning(f"{options[tid]} was returned: {why}", icon=":material/undo:")
        st.selectbox("Report", list(options), key=f"{key}-tranche", format_func=options.__getitem__)
        st.file_uploader("The report (PDF)", type=["pdf"], key=f"{key}-file",
                         help="Stored in the document store; its sha256 becomes the reference.")  # fmt: skip
        st.text_input("…or its document reference (id or sha256)", key=f"{key}-reference")
        st.text_area("Summary for the fund manager", key=f"{key}-summary", height=90)
        st.form_submit_button("Submit report", type="primary", icon=":material/upload_file:",
                              on_click=_report, args=(wid, state, me.id, key, scope))  # fmt: skip


# ---------------------------------------------------------------- grant: fund manager


def reviewable(state: grants.GrantState, actor_id: str) -> dict[str, str]:
    """tranche id → label of every submitted report awaiting this fund manager's review."""
    out: dict[str, str] = {}
    for tid in [*(t.id for t in state.tranches), FINAL_REPORT]:
        a = ReviewReportAction(actor_id=actor_id, tranche_id=tid, approve=True)
        if gc.allowed(grants.check_review_report, state, a) is None:
            t = next((x for x in state.tranches if x.id == tid), None)
            out[tid] = f"{t.label}: {t.report_name}" if t else "Final report"
    return out


def _review(wid: str, state: grants.GrantState, me_id: str, tid: str, approve: bool, key: str | None, scope: str) -> None:
    data = review_data(me_id, tid, approve, _text(f"{key}-reason") if key else "")
    _send(wid, state.revision, "review_report", data, scope)


def review_forms(wid: str, state: grants.GrantState, me: Person, options: dict[str, str], scope: str) -> None:
    for tid, label in options.items():
        t = next((x for x in state.tranches if x.id == tid), None)
        submitted_on = t.report_submitted_on if t else state.final_report.submitted_on
        reference = t.report_reference if t else state.final_report.reference
        key = f"review-{state.award_id}-{tid}"
        with st.container(border=True):
            st.markdown(f"**Review: {label}**")
            st.caption(f"Submitted {submitted_on} · reference `{reference}`"
                       + (f" · releases {format_money(t.amount, state.fund.currency)} once approved" if t else ""))  # fmt: skip
            if not t and state.final_report.summary:
                st.text(state.final_report.summary)
            left, right = st.columns(2)
            left.button("Approve report", key=f"{key}-approve", type="primary", icon=":material/check_circle:",
                        on_click=_review, args=(wid, state, me.id, tid, True, None, scope))  # fmt: skip
            with right.expander("Return to the producer"), st.form(key, border=False):
                st.text_area("Reason", key=f"{key}-reason", height=70)
                st.form_submit_button("Return report", icon=":material/undo:",
                                      on_click=_review, args=(wid, state, me.id, tid, False, key, scope))  # fmt: skip


def _propose(wid: str, state: grants.GrantState, me_id: str, key: str, scope: str) -> None:
    data = amendment_data(me_id, _text(f"{key}-amount"), _text(f"{key}-reason"))
    _send(wid, state.revision, "propose_amendment", data, scope)


def amendment_form(wid: str, state: grants.GrantState, me: Person, scope: str) -> None:
    key = f"amend-{state.award_id}"
    with st.expander("Propose an amendment of the amount"), st.form(key, border=False):
        st.caption(f"The award is {format_money(state.amount, state.fund.currency)}; the board decides on a new amount.")
        st.text_input(f"New amount ({state.fund.currency})", key=f"{key}-amount")
        st.text_area("Reason", key=f"{key}-reason", height=70)
        st.form_submit_button("Propose amendment", icon=":material/edit_note:",
                              on_click=_propose, args=(wid, state, me.id, key, scope))  # fmt: skip


def close_amendment_button(wid: str, state: grants.GrantState, me: Person, scope: str) -> None:
    amendment = state.open_amendment
    if amendment is None:
        return
    d = grants.amendment_decision(state, amendment)
    blocked = gc.allowed(grants.check_close_amendment, state, CloseVoteAction(actor_id=me.id))
    with st.container(border=True):
        st.markdown(f"**Close the vote on amendment {amendment.number}**")
        st.caption(f"{len(amendment.votes)} of {len(state.people.board)} members voted. If closed now: {d.summary}")
        st.button("Close the amendment vote", key=f"close-amendment-{state.award_id}", icon=":material/how_to_vote:",
                  on_click=_send, args=(wid, state.revision, "close_amendment_vote", {"actor_id": me.id}, scope),
                  disabled=blocked is not None, help=blocked)  # fmt: skip


def _cancel(wid: str, state: grants.GrantState, me_id: str, key: str, scope: str) -> None:
    data = cancel_data(me_id, _text(f"{key}-reason"), _text(f"{key}-clawback"))
    _send(wid, state.revision, "cancel", data, scope)


def cancel_form(wid: str, state: grants.GrantState, me: Person, scope: str) -> None:
    key = f"cancel-{state.award_id}"
    with st.expander("Cancel the grant"), st.form(key, border=False):
        st.caption("Unpaid tranches are cancelled and their money returns to the fund; money paid may be clawed back.")
        st.text_area("Reason", key=f"{key}-reason", height=70)
        st.text_input(f"Claw back ({state.fund.currency}, optional)", key=f"{key}-clawback", placeholder="0.00")
        st.form_submit_button("Cancel grant", icon=":material/cancel:", on_click=_cancel, args=(wid, state, me.id, key, scope))


# ---------------------------------------------------------------- grant: board


def _amendment_vote(wid: str, state: grants.GrantState, me_id: str, key: str, scope: str) -> None:
    data = amendment_vote_data(me_id, str(st.session_state.get(f"{key}-choice")), _text(f"{key}-reason"))
    _send(wid, state.revision, "vote_amendment", data, scope)


def amendment_vote_form(wid: str, state: grants.GrantState, me: Person, scope: str) -> None:
    amendment = state.open_amendment
    if amendment is None:
        return
    key = f"amendment-vote-{state.award_id}-{amendment.number}"
    with st.form(key, border=True):
        st.markdown(f"**Your vote on amendment {amendment.number}**: "
                    f"{format_money(state.amount, state.fund.currency)} → {format_money(amendment.new_amount, state.fund.currency)}")  # fmt: skip
        st.caption(f"Proposed by {amendment.proposed_by.name}: {amendment.reason}")
        st.radio("Vote", [c.value for c in VoteChoice], key=f"{key}-choice", horizontal=True,
                 format_func=lambda c: CHOICE_LABELS[VoteChoice(c)])  # fmt: skip
        st.text_area("Reason (required to reject)", key=f"{key}-reason", height=70)
        st.form_submit_button("Cast vote", type="primary", icon=":material/how_to_vote:",
                              on_click=_amendment_vote, args=(wid, state, me.id, key, scope))  # fmt: skip


def grant_actions(wid: str, state: grants.GrantState, me: Person, scope: str) -> bool:
    """Draw the widgets this person may use now; False when there is nothing for them to do."""
    drawn = False
    options = report_options(state, me.id)
    if options:
        report_form(wid, state, me, options, scope)
        drawn = True
    to_review = reviewable(state, me.id)
    if to_review:
        review_forms(wid, state, me, to_review, scope)
        drawn = True
    # A closed or cancelled grant takes no amendment: its vote is over, whatever the check says (it looks at the amendment only).
    live = state.stage not in GRANT_CLOSED
    vote = AmendmentVoteAction(actor_id=me.id, choice=VoteChoice.ABSTAIN)
    if live and gc.allowed(grants.check_amendment_vote, state, vote) is None:
        amendment_vote_form(wid, state, me, scope)
        drawn = True
    manager = any(m.id == me.id for m in state.people.fund_managers)
    if live and manager and state.open_amendment is not None:
        close_amendment_button(wid, state, me, scope)
        drawn = True
    probe = ProposeAmendmentAction(actor_id=me.id, new_amount=state.amount + Decimal("0.01"), reason="---")
    if gc.allowed(grants.check_propose_amendment, state, probe) is None:
        amendment_form(wid, state, me, scope)
        drawn = True
    if gc.allowed(grants.check_cancel, state, CancelGrantAction(actor_id=me.id, reason="---")) is None:
        cancel_form(wid, state, me, scope)
        drawn = True
    return drawn
