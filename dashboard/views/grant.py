"""One grant: the award, its agreement, the tranches with their reports and payments, the final
report, amendments with the board's votes, the fund's account of it — and what the person may do."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard import common, grant_actions
from dashboard import grant_common as gc
from dashboard import program_common as pc
from domain import access
from domain.grants.grant_state import GrantState, closeout_missing
from domain.grants.money import format_money
from domain.grants.tranches import paid_total
from domain.parties import Person
from store.models import ItemDetail

SCOPE = "grant"


def header(item: ItemDetail, s: GrantState) -> None:
    a, cur = s.application, s.fund.currency
    st.title(a.project.title)
    with st.container(horizontal=True):
        gc.grant_stage_badge(s.stage.value)
        st.badge(s.call.name(), color="gray", icon=":material/campaign:")
    st.caption(
        f"`{item.item_id}` · {a.lead.name} ({common.country_name(a.lead_country)}) · contact {a.contact.name} · "
        f"updated {common.when(item.updated_at)}"
    )
    paid = paid_total(s.tranches)
    m = st.columns(4)
    m[0].metric("Award", gc.short_money(s.amount, cur), border=True)
    m[1].metric("Paid", gc.short_money(paid, cur), border=True)
    m[2].metric("Still to pay", gc.short_money(sum((t.amount for t in s.tranches if not t.settled), Decimal(0)), cur), border=True)
    m[3].metric("Clawed back", gc.short_money(s.clawed_back, cur), border=True)
    if s.cancel_reason:
        st.warning(f"Cancelled: {s.cancel_reason}", icon=":material/cancel:")
    if s.held:
        st.error("The ledger refused to release: " + ", ".join(s.held) + ". A fund manager must resolve it.")


def agreement_section(s: GrantState) -> None:
    st.markdown("**Grant agreement**")
    if not s.agreement_workflow_id:
        st.caption("The agreement is being prepared.")
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        common.agreement_link(s.agreement_workflow_id, "Open the grant agreement")
        if s.agreement_phase:
            common.phase_badge(s.agreement_phase.value)
    st.caption(f"Signed on {s.signed_on}." if s.signed_on else "Not executed yet: no money moves before it is.")


def tranches_section(item: ItemDetail, s: GrantState) -> None:
    cur = s.fund.currency
    if not s.tranches:
        st.caption("The tranches are scheduled when the agreement is executed.")
        return
    payments = {p.reference: p for p in s.payments}
    rows = []
    for t in s.tranches:
        if t.report_kind is None:
            report = "none (paid on signature)"
        elif t.report_approved_on:
            report = f"approved {t.report_approved_on}"
        elif t.report_submitted_on:
            report = f"submitted {t.report_submitted_on}, awaiting review"
        elif t.report_returned_reason:
            report = f"returned: {t.report_returned_reason}"
        else:
            report = f"{t.report_name} awaited"
        rows.append(
            {
                "Tranche": t.label,
                "Amount": format_money(t.amount, cur),
                "Status": t.status.value.replace("_", " "),
                "Due": t.due_on,
                "Report": report,
                "Reference": t.report_reference or "",
                "Paid on": t.paid_on,
                "Payment reference": t.payment_reference or "",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={"Report": st.column_config.TextColumn(width="medium")})
    paid = [t for t in s.tranches if t.payment_reference and t.payment_reference in payments]
    if paid:
        st.markdown("**Payment instructions**")
        with st.container(horizontal=True):
            for t in paid:
                p = payments[t.payment_reference or ""]
                gc.blob_download(
                    p.pdf_sha256, f"{p.reference} — {t.label} (PDF)", f"{p.reference}.pdf", key=f"{item.item_id}-{p.reference}"
                )


def final_report_section(s: GrantState) -> None:
    f = s.final_report
    st.markdown("**Final report**")
    if f.approved_on:
        st.caption(f"Approved on {f.approved_on}.")
    elif f.submitted_on and not f.returned_reason:
        st.caption(f"Submitted on {f.submitted_on} (reference `{f.reference}`), awaiting the fund manager's review.")
    elif f.returned_reason:
        st.caption(f"Returned to the producer: {f.returned_reason}")
    else:
        st.caption("Due at closeout, once every tranche is settled.")
    if f.summary:
        st.text(f.summary)
    missing = closeout_missing(s)
    if missing and s.stage.value in {"active", "closeout"}:
        st.caption("Before closeout: " + " ".join(missing))


def amendments_section(s: GrantState, me: Person) -> None:
    if not s.amendments:
        st.caption("No amendment has been proposed.")
        return
    board = {m.id: m.name for m in s.people.board}
    cur = s.fund.currency
    for am in reversed(s.amendments):
        with st.container(border=True):
            status = "before the board" if am.decision is None else ("applied" if am.applied else am.decision.outcome.value)
            st.markdown(f"**Amendment {am.number}**: {format_money(am.new_amount, cur)} — {status}")
            st.caption(f"Proposed by {am.proposed_by.name} on {common.when(am.proposed_at)}: {am.reason}")
            if am.votes and access.can_see_panel(me):
                st.dataframe(
                    pd.DataFrame([{"Member": board.get(v.member_id, v.member_id), "Vote": v.choice.value, "Reason": v.reason}
                                  for v in am.votes]),
                    hide_index=True,
                )  # fmt: skip
            if am.decision is not None:
                st.caption(f"Decision: {am.decision.summary}")


def ledger_section(s: GrantState) -> None:
    books = next((b for b in gc.fund_books() if b.fund.id == s.fund.id), None)
    account = books.ledger.accounts().get(s.award_id) if books else None
    if account is None:
        st.caption("The fund's ledger has no account for this award yet.")
        return
    cur = s.fund.currency
    st.caption(
        f"In the fund's books: committed {format_money(account.committed, cur)} · disbursed "
        f"{format_money(account.released, cur)} · outstanding {format_money(account.outstanding, cur)}"
        + (f" · clawed back {format_money(account.clawed_back, cur)}" if account.clawed_back else "")
        + (" · cancelled" if account.cancelled else "")
    )


def visible_item(me: Person) -> tuple[ItemDetail, GrantState] | None:
    return common.item_from_query('Grant', 'Choose a grant from the ledger, your tasks or your applications.', gc.GRANT, gc.load_grant, lambda _, s: gc.can_see_grant(me, s))


def page() -> None:
    me = common.me()
    found = visible_item(me)
    if found is None:
        return
    item, s = found
    header(item, s)
    common.show_flash(SCOPE)
    with st.container():
        grant_actions.grant_actions(item.item_id, s, me, SCOPE)
    overview, tranches, amendments, timeline = st.tabs(["Agreement & reports", "Tranches & payments", "Amendments", "Timeline"])
    with overview:
        agreement_section(s)
        final_report_section(s)
        ledger_section(s)
        gc.application_link(f"application-{s.application.id}", "The application")
    with tranches:
        tranches_section(item, s)
    with amendments:
        amendments_section(s, me)
    with timeline:
        # the producer reads the grant's story, not how each board member voted or the fund's figures
        private = frozenset() if access.sees_grants(me) else frozenset({"amendment_voted", "payment_held", "release_refused", "clawback_refused"})
        pc.timeline(item.item_id, hide=private)


page()
