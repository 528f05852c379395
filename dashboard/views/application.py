"""One grant application: the project, its team, budget and financing, eligibility with reasons,
screening, the panel, the board's votes and decision, the letters — and what the person may do.

Panels score independently: every reviewer's marks are shown to the fund's overseers only; a
reviewer sees their own review, the applicant sees neither (but the panel's score once decided).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common, grant_actions
from dashboard import grant_common as gc
from dashboard import program_common as pc
from domain import access
from domain.grants.application_state import ApplicationState, ReviewAssignment, decide
from domain.grants.applications import ROLE_NAMES
from domain.grants.money import format_money, format_share, plain, share_of
from domain.parties import Person
from store.models import ItemDetail

SCOPE = "application"


def header(item: ItemDetail, s: ApplicationState, me: Person) -> None:
    a = s.application
    st.title(a.project.title)
    with st.container(horizontal=True):
        gc.stage_badge(s.stage.value)
        st.badge(s.call.name(), color="gray", icon=":material/campaign:")
        st.badge(a.project.format.value.replace("_", " "), color="gray")
    st.caption(
        f"`{a.id}` · lead {a.lead.name} ({common.country_name(a.lead_country)}) · contact {a.contact.name} · "
        f"submitted {common.when(s.submitted_at)} · updated {common.when(item.updated_at)}"
    )
    show_result = access.can_see_result(me, a.contact.id, gc.decided(s))
    m = st.columns(5)
    m[0].metric("Requested", gc.short_money(a.requested_amount, a.currency), border=True)
    m[1].metric("Budget", gc.short_money(a.budget_total, a.currency), border=True)
    m[2].metric("Panel score", gc.score_text(s.score) if show_result else "—", border=True,
                help="The mean of the reviewers' weighted scores, 0–100" if show_result else "Shown once decided")  # fmt: skip
    m[3].metric("Priority bonus", f"+{plain(s.bonus)}", border=True)
    done = sum(1 for r in s.active_reviews if r.score is not None)
    m[4].metric("Reviews", f"{done}/{len(s.active_reviews)}", border=True)
    if s.award_amount is not None:
        st.success(f"{format_money(s.award_amount, s.fund.currency)} awarded.", icon=":material/verified:")
    if s.grant_workflow_id and access.can_view_grant(
        me, a.contact.id, [p.id for p in s.parties.grantee_party.signatories] if s.parties else []
    ):
        gc.grant_link(s.grant_workflow_id, "Open the grant: agreement, tranches and reports")
    if s.stage.value in {"rejected", "waitlisted", "withdrawn"} and (s.reasons or s.ledger_message) and show_result:
        st.warning(" ".join(s.reasons) or s.ledger_message or "", icon=":material/info:")


def project_section(s: ApplicationState) -> None:
    a, p = s.application, s.application.project
    st.markdown(f"**{p.title}**" + (f" ({p.original_title})" if p.original_title else ""))
    st.markdown(p.logline)
    st.caption(
        f"{p.genre} · {p.format.value.replace('_', ' ')}"
        + (f" · {p.runtime_minutes} min" if p.runtime_minutes else "")
        + (f" · languages: {', '.join(p.languages)}" if p.languages else "")
    )
    st.dataframe(
        pd.DataFrame([{"Company": c.name, "Country": common.country_name(c.country), "Role": ROLE_NAMES[c.role],
                       "Share": f"{plain(c.share)} %"} for c in a.team]),
        hide_index=True,
    )  # fmt: skip
    names = {x.id: x.name() for x in s.call.priorities}
    if a.priorities:
        st.caption("Priorities claimed: " + "; ".join(names.get(x, x) for x in a.priorities))
    if a.attachments:
        st.caption("Attachments: " + ", ".join(f"{f.name} ({f.size / 1024:.0f} KB)" for f in a.attachments))


def budget_section(s: ApplicationState) -> None:
    a = s.application
    cur = a.currency
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Budget** — {format_money(a.budget_total, cur)}")
        st.dataframe(
            pd.DataFrame([{"Category": b.category.value.replace("_", " "), "Description": b.description,
                           "Amount": format_money(b.amount, cur)} for b in a.budget]),
            hide_index=True,
        )  # fmt: skip
    with right:
        st.markdown(f"**Financing** — {format_money(a.financing_total, cur)}")
        st.dataframe(
            pd.DataFrame([{"Source": f.name, "Type": f.source_type.value, "Amount": format_money(f.amount, cur),
                           "Confirmed": f.confirmed} for f in a.financing]),
            hide_index=True,
            column_config={"Confirmed": st.column_config.CheckboxColumn()},
        )  # fmt: skip
    share = share_of(a.matching(), a.budget_total)
    st.caption(
        f"From this fund: {format_money(a.from_this_fund, cur)} · matching from other sources: "
        f"{format_money(a.matching(), cur)} ({format_share(share)} of the budget; the call asks at least "
        f"{format_share(s.call.matching_share)})"
    )


def eligibility_section(s: ApplicationState) -> None:
    e = s.eligibility
    if e is None:
        st.caption("The eligibility check has not run yet.")
    else:
        (st.success if e.eligible else st.warning)(
            "Eligible: every rule of the call is met." if e.eligible else "Not eligible: " + " ".join(e.reasons)
        )
        st.dataframe(
            pd.DataFrame([{"Check": c.name.replace("_", " "), "Passed": c.passed, "Detail": c.detail} for c in e.checks]),
            hide_index=True,
            column_config={"Passed": st.column_config.CheckboxColumn(), "Detail": st.column_config.TextColumn(width="large")},
        )
        for note in e.notes:
            st.caption(f"Note: {note}")
    sc = s.screening
    st.markdown("**Screening**")
    if sc is None:
        st.caption("Awaiting the fund manager's screening." if s.stage.value == "screening" else "Not screened.")
    else:
        verdict = "passed to the panel" if sc.passed else "screened out"
        st.caption(f"{sc.by.name} {verdict} on {common.when(sc.at)}" + (f": {sc.reason}" if sc.reason else "."))


def review_status(r: ReviewAssignment) -> str:
    if r.conflict:
        return "conflict declared"
    if r.left_reason:
        return "declined"
    return "scored" if r.score is not None else "pending"


def review_row(s: ApplicationState, r: ReviewAssignment, with_marks: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Reviewer": r.reviewer.name,
        "Status": review_status(r),
        "Assigned": r.assigned_at,
        "Due": r.due_at,
        "Scored": r.scored_at,
        "Weighted score": float(r.weighted) if r.weighted is not None else None,
    }
    if with_marks:
        for c in s.call.rubric.criteria:
            row[c.name()] = plain(r.score.values[c.id]) if r.score and c.id in r.score.values else ""
        row["Comment"] = r.score.comment if r.score else (r.left_reason or "")
    return row


def panel_section(s: ApplicationState, me: Person) -> None:
    if access.can_see_panel(me):
        reviews = s.reviews
    else:
        reviews = [r for r in s.reviews if access.can_see_review(me, r.reviewer.id)]
    done = sum(1 for r in s.active_reviews if r.score is not None)
    st.caption(
        f"{done} of {len(s.active_reviews)} reviews done" + (f"; {s.shortfall} reviewer(s) still to find" if s.shortfall else "")
    )
    if not reviews:
        st.caption("The panel's individual reviews are confidential." if s.reviews else "No reviewer is assigned yet.")
        return
    if not access.can_see_panel(me):
        st.caption("Your own review. Other reviewers' scores are not shown: each reviewer scores independently.")
    st.dataframe(
        pd.DataFrame([review_row(s, r, with_marks=True) for r in reviews]),
        hide_index=True,
        column_config={
            "Assigned": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
            "Due": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
            "Scored": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
            "Weighted score": st.column_config.NumberColumn(format="%.2f"),
            "Comment": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption("Criteria: " + "; ".join(f"{c.name()} {plain(c.weight)} % ({c.scale_text})" for c in s.call.rubric.criteria))


def board_section(s: ApplicationState, me: Person) -> None:
    board = {m.id: m.name for m in s.people.board}
    if access.can_see_panel(me):
        if s.votes:
            st.dataframe(
                pd.DataFrame([{"Member": board.get(v.member_id, v.member_id), "Vote": v.choice.value,
                               "Amount": format_money(v.amount, s.fund.currency) if v.amount else "",
                               "Reason": v.reason} for v in s.votes]),
                hide_index=True,
            )  # fmt: skip
        else:
            st.caption("No vote has been cast." if s.stage.value == "board" else "The board has not voted on it.")
        voted = {v.member_id for v in s.votes}
        waiting = [name for mid, name in board.items() if mid not in voted]
        if s.stage.value == "board":
            st.caption(f"Awaiting: {', '.join(waiting) or 'nobody'} · tally so far: {decide(s, s.votes).summary}")
    contact = s.application.contact.id
    if s.decision is not None and access.can_see_result(me, contact, gc.decided(s)):
        st.info(f"Decision: {s.decision.summary}", icon=":material/gavel:")
    elif me.id == contact and not gc.decided(s):
        st.caption("The board's decision is shown here once it is taken.")
    elif not access.can_see_panel(me):
        st.caption("The board's votes and the panel's mean score are not shown to reviewers.")


def letters_section(item: ItemDetail, s: ApplicationState) -> None:
    if not gc.stored_downloads(item.item_id, ["award_letter", "rejection_letter"], s.application.id):
        st.caption("The award or rejection letter is issued with the decision.")


def visible_item(me: Person) -> tuple[ItemDetail, ApplicationState] | None:
    return common.item_from_query('Application', 'Choose an application from the pipeline, your reviews or your applications.', gc.APPLICATION, gc.load_application, lambda _, s: gc.can_see_application(me, s))


def page() -> None:
    me = common.me()
    found = visible_item(me)
    if found is None:
        return
    item, s = found
    header(item, s, me)
    common.show_flash(SCOPE)
    actions = st.container()
    with actions:
        grant_actions.application_actions(item.item_id, s, me, SCOPE)
    names = ["Project & team", "Budget & financing", "Eligibility & screening", "Panel", "Board & decision"]
    overseer = access.can_see_panel(me)
    contact = me.id == s.application.contact.id
    if overseer or contact:
        names.append("Letters")
    if overseer:
        names.append("Timeline")
    tabs = dict(zip(names, st.tabs(names), strict=True))
    with tabs["Project & team"]:
        project_section(s)
    with tabs["Budget & financing"]:
        budget_section(s)
    with tabs["Eligibility & screening"]:
        eligibility_section(s)
    with tabs["Panel"]:
        panel_section(s, me)
    with tabs["Board & decision"]:
        board_section(s, me)
    if "Letters" in tabs:
        with tabs["Letters"]:
            letters_section(item, s)
    if "Timeline" in tabs:
        with tabs["Timeline"]:
            pc.timeline(item.item_id)


page()
