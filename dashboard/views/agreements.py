"""Agreements: every agreement the person may see, filtered, with the way into each one."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import common
from domain import access
from domain.agreements import NEGOTIATION_PHASES, TERMINAL_PHASES, AgreementKind, Phase
from domain.parties import Person
from domain.reference import COUNTRIES
from store import directory, queries
from store.models import ItemPublic

LIST_LIMIT = 1000


def filters(me: Person) -> dict[str, Any]:
    engine = common.engine()
    orgs = {o.id: o.name() for o in directory.list_organisations(engine)}
    c1, c2, c3, c4 = st.columns([2, 2, 1, 2])
    phases = c1.multiselect(
        "Phase", [str(p) for p in Phase], format_func=common.phase_label, key="flt-phase", placeholder="Any phase"
    )
    kind = c2.selectbox(
        "Kind",
        [None, *[str(k) for k in AgreementKind]],
        key="flt-kind",
        format_func=lambda k: "Any kind" if k is None else common.kind_label(k),
    )
    country = c3.selectbox(
        "Country",
        [None, *sorted(COUNTRIES)],
        key="flt-country",
        format_func=lambda c: "Any country" if c is None else f"{common.country_name(c)} ({c})",
    )
    org = c4.selectbox(
        "Organisation",
        [None, *sorted(orgs, key=lambda o: orgs[o])],
        key="flt-org",
        format_func=lambda o: "Any organisation" if o is None else orgs[o],
    )
    text = st.text_input("Search", key="flt-text", placeholder="Title, id or party name", icon=":material/search:")
    return {"phase": phases or None, "kind": kind, "country": country, "organisation_id": org, "text": text.strip() or None}


def visible(me: Person, items: list[ItemPublic]) -> list[ItemPublic]:
    return [i for i in items if access.can_view_item(me, i.countries, i.organisation_ids)]


def table(items: list[ItemPublic]) -> pd.DataFrame:
    rows = []
    for i in items:
        s = i.summary
        rows.append(
            {
                "id": i.item_id,
                "Title": i.title,
                "Kind": common.kind_label(i.kind),
                "Phase": common.phase_label(i.phase),
                "Parties": ", ".join(s.get("party_names") or i.organisation_ids),
                "Signed": f"{s.get('parties_signed', 0)}/{s.get('parties_total', len(i.organisation_ids))}",
                "Version": s.get("version"),
                "Updated": i.updated_at,
            }
        )
    return pd.DataFrame(rows)


def metrics(items: list[ItemPublic]) -> None:
    negotiating = sum(i.phase in NEGOTIATION_PHASES for i in items)
    in_force = sum(i.phase in {Phase.ACTIVE, Phase.RENEWAL, Phase.TERMINATING, Phase.EXECUTING} for i in items)
    closed = sum(i.phase in TERMINAL_PHASES for i in items)
    m = st.columns(4)
    m[0].metric("Agreements", len(items), border=True)
    m[1].metric("In negotiation", negotiating, border=True)
    m[2].metric("In force", in_force, border=True)
    m[3].metric("Closed", closed, border=True)


me = common.me()
st.title("Agreements")
if access.sees_everything(me):
    st.caption("Every agreement of the network" + ("" if access.can_act(me) else " (read-only)") + ".")
else:
    st.caption("Agreements with a party from your country or organisation, and those you take part in.")

chosen = filters(me)
items = visible(me, queries.list_items(common.engine(), item_type="agreement", limit=LIST_LIMIT, **chosen))
metrics(items)

if not items:
    st.info("No agreement matches these filters.", icon=":material/filter_alt_off:")
else:
    frame = table(items)
    event = st.dataframe(
        frame,
        hide_index=True,
        column_order=["Title", "Kind", "Phase", "Parties", "Signed", "Version", "Updated"],
        column_config={
            "Title": st.column_config.TextColumn(width="large"),
            "Parties": st.column_config.TextColumn(width="large"),
            "Version": st.column_config.NumberColumn(format="v%d"),
            "Updated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="agreements-table",
    )
    selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if selected:
        common.open_agreement(frame.iloc[selected[0]]["id"])
    st.caption("Select a row to open the agreement, or choose it below.")
    titles = {i.item_id: i.title for i in items}
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    target = pick.selectbox("Open agreement", list(titles), format_func=titles.__getitem__, key="open-pick")
    if go.button("Open", icon=":material/open_in_new:", key="open-go", width="stretch"):
        common.open_agreement(target)
