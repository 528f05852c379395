"""My country's queue: the liaison's releases still under way in their country, with the stage,
the step's due date and its age, oldest first; then the ones that ended."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import program_common as pc
from dashboard import release_common as rc
from domain import access
from store import queries


def queue_rows(country: str, now: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(open releases oldest first, closed releases) of one country."""
    items = [i for i in rc.release_items() if i.kind == country.upper()]
    steps = {s.item_id: s for s in queries.open_steps(common.engine(), country=country) if s.item_type == rc.RELEASE}
    open_rows, closed_rows = [], []
    for i in items:
        s = i.summary
        if i.phase in rc.CLOSED:
            closed_rows.append({"id": i.item_id, "Film": s.get("film") or i.title, "Outcome": rc.stage_label(i.phase),
                                "Rating": s.get("rating") or "", "Licensee": s.get("licensee") or "",
                                "Released on": s.get("released_on") or "", "Closed": i.closed_at})  # fmt: skip
            continue
        step = steps.get(i.item_id)
        since = step.opened_at if step else i.created_at
        open_rows.append({
            "id": i.item_id,
            "Film": s.get("film") or i.title,
            "Stage": rc.stage_label(i.phase),
            "Waiting for": ", ".join(step.awaited_names) if step else "the licence's parties" if i.phase == "licence" else "",
            "Due": step.due_at if step else None,
            "Due in (days)": round(step.due_in_days, 1) if step else None,
            "Age (days)": pc.age_days(since, now),
            "_since": since,
        })  # fmt: skip
    frame = pd.DataFrame(open_rows)
    if not frame.empty:
        frame = frame.sort_values("_since", kind="stable").drop(columns="_since").reset_index(drop=True)
    return frame, pd.DataFrame(closed_rows)


def page() -> None:
    me = common.me()
    st.title("My country's releases")
    countries = sorted(access.liaison_countries(me))
    if not countries:
        st.warning("This queue is for the liaisons of the member countries.", icon=":material/visibility_off:")
        return
    st.caption("Awarded films recommended for release in your country, oldest first. Each stage is due within the "
               "country's expedited days; the workflow reminds you, then the festival.")  # fmt: skip
    common.show_flash("queue")
    now = datetime.now(UTC)
    for country in countries:
        if len(countries) > 1:
            st.subheader(common.country_name(country))
        frame, closed = queue_rows(country, now)
        m = st.columns(3)
        m[0].metric("Under way", len(frame), border=True)
        m[1].metric("Overdue", int((frame["Due in (days)"] < 0).sum()) if not frame.empty else 0, border=True)
        m[2].metric("Ended", len(closed), border=True)
        if frame.empty:
            st.success(f"Nothing is under way in {common.country_name(country)}.", icon=":material/done_all:")
        else:
            event = st.dataframe(
                frame,
                hide_index=True,
                column_order=["Film", "Stage", "Waiting for", "Due", "Due in (days)", "Age (days)"],
                column_config={
                    "Due": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC"),
                    "Due in (days)": st.column_config.NumberColumn(format="%.1f", help="Negative: overdue"),
                    "Age (days)": st.column_config.NumberColumn(format="%d d", help="Days since the current stage opened"),
                },
                on_select="rerun",
                selection_mode="single-row",
                key=f"queue-{country}",
            )
            selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
            if selected:
                rc.open_release(frame.iloc[selected[0]]["id"])
            for r in frame.to_dict("records"):
                rc.release_link(r["id"], f"{r['Film']} — {r['Stage']}")
        if not closed.empty:
            with st.expander(f"Ended in {common.country_name(country)} ({len(closed)})"):
                st.dataframe(closed.drop(columns="id"), hide_index=True,
                             column_config={"Closed": st.column_config.DatetimeColumn(format="YYYY-MM-DD", timezone="UTC")})  # fmt: skip


page()
