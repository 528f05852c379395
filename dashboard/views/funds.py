"""The fund's ledger: per fund the figures (budget, committed, disbursed, remaining, outstanding,
clawed back), each award's account with its project, the journal, and the fund statement PDF.

Every figure is the ledger's own (`Ledger.figures()`, `accounts()`, `statement()`), from the
`FundLedger` workflow's projection, so the page and the statement cannot disagree."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import grant_common as gc
from dashboard import program_common as pc
from domain import access
from domain.grants.money import format_money
from domain.grants.process import FundStatementRequest

LABELS = {"commit": "Commitment", "release": "Release", "amend": "Amendment", "cancel": "Cancellation", "clawback": "Clawback"}


def award_titles() -> dict[str, str]:
    """award id (the application id) → project title, from the grant and application items."""
    titles: dict[str, str] = {}
    for item in pc.items_with_detail(common.engine(), gc.APPLICATION):
        try:
            titles[item.detail["application"]["id"]] = item.detail["application"]["project"]["title"]
        except (KeyError, TypeError):
            continue
    return titles


def figures(b: gc.FundBooks) -> None:
    f, cur = b.ledger.figures(), b.ledger.currency
    m = [*st.columns(3), *st.columns(3)]  # two rows: the figures stay readable on a laptop screen
    money = gc.short_money
    m[0].metric("Budget", money(f.budget, cur), border=True)
    m[1].metric("Committed", money(f.committed, cur), border=True, help="Committed to awards")
    m[2].metric("Remaining", money(f.remaining, cur), border=True, help="Not committed: what new awards can use")
    m[3].metric("Disbursed", money(f.released, cur), border=True, help="Released to producers, net of clawbacks")
    m[4].metric("Outstanding", money(f.outstanding, cur), border=True, help="Committed, not yet released")
    m[5].metric("Clawed back", money(f.clawed_back, cur), border=True)
    bar = pd.DataFrame(
        {"Disbursed": [float(f.released)], "Outstanding": [float(f.outstanding)], "Remaining": [float(f.remaining)]},
        index=[b.fund.name()],
    )
    st.bar_chart(bar, horizontal=True, stack=True, height=140, y_label=cur, color=["#2e7d32", "#f9a825", "#90a4ae"])
    if not b.ledger.figures_add_up():
        st.error("The books do not add up: " + "; ".join(b.ledger.problems()), icon=":material/error:")


def accounts(b: gc.FundBooks, titles: dict[str, str]) -> None:
    cur = b.ledger.currency
    accts = b.ledger.accounts()
    if not accts:
        st.caption("Nothing is committed yet.")
        return
    rows = [
        {
            "Award": a.award_id,
            "Project": titles.get(a.award_id, ""),
            "Committed": format_money(a.committed, cur),
            "Disbursed": format_money(a.released, cur),
            "Outstanding": format_money(a.outstanding, cur),
            "Clawed back": format_money(a.clawed_back, cur),
            "Tranches paid": ", ".join(f"{t} ({format_money(v, cur)})" for t, v in a.tranches.items()),
            "Cancelled": a.cancelled,
        }
        for a in accts.values()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={"Cancelled": st.column_config.CheckboxColumn()})
    for a in accts.values():
        gc.grant_link(f"grant-{a.award_id}", f"{titles.get(a.award_id, a.award_id)} — the grant")


def journal(b: gc.FundBooks) -> None:
    cur = b.ledger.currency
    lines = b.ledger.statement()
    if not lines:
        st.caption("The journal is empty.")
        return
    rows = [
        {
            "#": x.seq,
            "Entry": LABELS.get(x.kind.value, x.kind.value),
            "Description": x.text,
            "Amount": format_money(x.amount, cur),
            "Committed after": format_money(x.committed, cur),
            "Disbursed after": format_money(x.released, cur),
            "Remaining after": format_money(x.remaining, cur),
        }
        for x in reversed(lines)
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config={"Description": st.column_config.TextColumn(width="large")})


def statement_download(b: gc.FundBooks, titles: dict[str, str]) -> None:
    module = pc.optional_module("documents.grants")
    if module is None or not hasattr(module, "render_fund_statement"):
        st.caption("Fund statements cannot be printed on this server yet.")
        return

    def render() -> tuple[bytes, int]:
        fn = module.render_fund_statement
        req = FundStatementRequest(fund=b.fund, ledger=b.ledger, award_titles={k: v for k, v in titles.items()
                                                                                 if k in b.ledger.accounts()},
                                   issued_at=datetime.now(UTC))  # fmt: skip
        return fn(req, **pc.font_cache_kwargs(fn))

    pc.on_demand_download(
        f"statement-{b.fund.id}",
        "Fund statement (PDF)",
        render,
        f"{b.fund.id}-statement-{datetime.now(UTC):%Y%m%d}.pdf",
        help="Every entry of the books with the running figures, as of now.",
    )


def page() -> None:
    me = common.me()
    st.title("Fund ledger")
    if not access.sees_grants(me):
        st.warning("The fund's books are for its managers and board.", icon=":material/visibility_off:")
        return
    books = gc.fund_books()
    if not books:
        st.info("No fund is open yet: a fund manager opens one from its fund file.", icon=":material/account_balance:")
        return
    titles = award_titles()
    for b in books:
        st.subheader(b.fund.name())
        st.caption(
            f"`{b.fund.id}` · {b.ledger.currency} · sponsors: "
            + (", ".join(s.name for s in b.fund.sponsors) or "—")
            + f" · updated {common.when(b.item.updated_at)}"
        )
        figures(b)
        awards, entries = st.tabs(["Awards", "Journal"])
        with awards:
            accounts(b, titles)
        with entries:
            journal(b)
        statement_download(b, titles)


page()
