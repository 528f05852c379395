"""My reviews: the applications awaiting my score, each with its summary and the scoring form
inline (or the way to step down), then the reviews I have done."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common, grant_actions
from dashboard import grant_common as gc
from domain.grants.application_state import ApplicationState
from domain.grants.money import format_money, format_share, share_of
from domain.parties import Person
from store import queries
from store.models import ItemDetail, StepPublic

SCOPE = "my-reviews"


def summary(s: ApplicationState) -> None:
    a, p = s.application, s.application.project
    st.markdown(p.logline)
    st.caption(
        f"{p.genre} · {p.format.value.replace('_', ' ')}"
        + (f" · {p.runtime_minutes} min" if p.runtime_minutes else "")
        + f" · team: {', '.join(f'{c.name} ({c.country})' for c in a.team)}"
    )
    matching = share_of(a.matching(), a.budget_total)
    st.caption(
        f"Requested {format_money(a.requested_amount, a.currency)} of a {format_money(a.budget_total, a.currency)} budget "
        f"· matching {format_share(matching)}" + (f" · priorities: {', '.join(a.priorities)}" if a.priorities else "")
    )


def review_card(step: StepPublic, item: ItemDetail, s: ApplicationState, me: Person) -> None:
    with st.container(border=True):
        st.markdown(f"#### {s.application.project.title}")
        with st.container(horizontal=True):
            gc.stage_badge(s.stage.value)
            st.badge(s.call.name(), color="gray", icon=":material/campaign:")
            gc.due_badge(step)
        summary(s)
        gc.application_link(item.item_id, "Open the whole application")
        grant_actions.application_actions(item.item_id, s, me, SCOPE)


def page() -> None:
    me = common.me()
    st.title("My reviews")
    st.caption("Applications awaiting your score, oldest first. Each reviewer scores independently; "
               "the other reviewers' scores are not shown to you.")  # fmt: skip
    common.show_flash(SCOPE)
    engine = common.engine()
    steps = [s for s in queries.open_steps(engine, person_id=me.id) if s.kind == "score" and s.item_type == gc.APPLICATION]
    m = st.columns(2)
    m[0].metric("Awaiting my score", len(steps), border=True)
    if not steps:
        st.success("No application awaits your score.", icon=":material/done_all:")
    for step in steps:
        item = queries.get_item(engine, step.item_id)
        state = gc.load_application(item.detail) if item else None
        if item is None or state is None or not gc.can_see_application(me, state):
            st.warning(f"“{step.item_title}”: {step.label} — this application cannot be shown here yet.")
            continue
        review_card(step, item, state, me)

    done = []
    for item, s in gc.visible_applications(me):
        r = next((r for r in s.reviews if r.reviewer.id == me.id and (r.score is not None or r.left_reason)), None)
        if r is not None:
            done.append(
                {
                    "id": item.item_id,
                    "Project": s.application.project.title,
                    "Call": s.call.name(),
                    "My score": float(r.weighted) if r.weighted is not None else None,
                    "Status": "scored" if r.score is not None else ("conflict declared" if r.conflict else "declined"),
                    "When": r.scored_at,
                    "Stage now": gc.stage_label(s.stage.value),
                }
            )
    m[1].metric("Reviews done", sum(1 for d in done if d["Status"] == "scored"), border=True)
    st.subheader("Reviews done")
    if not done:
        st.caption("You have not scored any application yet.")
        return
    frame = pd.DataFrame(done)
    st.dataframe(
        frame,
        hide_index=True,
        column_order=["Project", "Call", "My score", "Status", "When", "Stage now"],
        column_config={
            "My score": st.column_config.NumberColumn(format="%.2f", help="Your weighted score, 0–100"),
            "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
        },
    )
    for row in done:
        gc.application_link(row["id"], f"{row['Project']} — {row['Stage now']}")


page()
