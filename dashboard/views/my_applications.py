"""My applications: the producer's own applications to the fund and the grants that came of them."""

from __future__ import annotations

import streamlit as st

from dashboard import common
from dashboard import grant_common as gc
from domain.grants.money import format_money
from domain.grants.tranches import paid_total


def page() -> None:
    me = common.me()
    st.title("My applications")
    st.caption("The applications you are the contact for, and their grants. Reviews are confidential; "
               "the panel's score and the board's decision appear once the application is decided.")  # fmt: skip
    apps = [(i, s) for i, s in gc.visible_applications(me) if s.application.contact.id == me.id]
    grants = {
        s.application.id: (i, s) for i, s in gc.visible_grants(me) if me.id in {s.application.contact.id, *gc.grantee_ids(s)}
    }
    if not apps and not grants:
        st.info("You are not the contact of any application.", icon=":material/movie:")
        return
    for item, s in apps:
        a = s.application
        with st.container(border=True):
            st.markdown(f"#### {a.project.title}")
            with st.container(horizontal=True):
                gc.stage_badge(s.stage.value)
                st.badge(s.call.name(), color="gray", icon=":material/campaign:")
            st.caption(f"Requested {format_money(a.requested_amount, a.currency)} · submitted {common.when(s.submitted_at)}"
                       + (f" · awarded {format_money(s.award_amount, s.fund.currency)}" if s.award_amount is not None else ""))  # fmt: skip
            gc.application_link(item.item_id, "Open the application")
            found = grants.pop(a.id, None)
            if found:
                g_item, g = found
                with st.container(horizontal=True, vertical_alignment="center"):
                    gc.grant_link(g_item.item_id, "Open the grant")
                    gc.grant_stage_badge(g.stage.value)
                st.caption(
                    f"Paid {format_money(paid_total(g.tranches), g.fund.currency)} of {format_money(g.amount, g.fund.currency)}"
                )
    for g_item, g in grants.values():  # grants whose application is not yours to see (you sign for the producer)
        with st.container(border=True):
            st.markdown(f"#### {g.application.project.title}")
            gc.grant_link(g_item.item_id, "Open the grant")


page()
