"""Bottlenecks: every open step in scope, who is awaited (person, organisation, country) and for how
long, overdue ones first in mind; and how long each step type takes, by country and organisation."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import board_common as bc
from dashboard import common
from domain.board import ITEM_TYPE_LABELS, Scope
from domain.reference import COUNTRIES
from store import board, board_snapshot, directory


def step_filters(scope: Scope) -> dict[str, object]:
    scope_types = scope.item_types()
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
    item_type = c1.selectbox("Process", [None, *[t for t in scope_types if t in bc.DETAIL_PAGES]], key="bn-type",
                             format_func=lambda t: "Every process" if t is None else ITEM_TYPE_LABELS[t])  # fmt: skip
    engine = common.engine()
    countries = sorted(scope.countries or COUNTRIES)
    country = c2.selectbox("Country awaited", [None, *countries], key="bn-country",
                           format_func=lambda c: "Any country" if c is None else common.country_name(c))  # fmt: skip
    orgs = {o.id: o.name() for o in directory.list_organisations(engine)}
    org = c3.selectbox("Organisation awaited", [None, *sorted(orgs, key=orgs.__getitem__)], key="bn-org",
                       format_func=lambda o: "Any organisation" if o is None else orgs[o])  # fmt: skip
    overdue = c4.toggle("Overdue only", key="bn-overdue")
    return {"item_type": item_type, "country": country, "organisation_id": org, "overdue_only": overdue}


def medians_section(scope: Scope, as_of: object) -> None:
    st.subheader("Slowest steps")
    st.caption(f"Median time from a step opening to its decision, over the steps closed in the {board.MEDIAN_WINDOW_DAYS} days "
               "before the chosen day; slowest first.")  # fmt: skip
    by = st.radio("Group by", ["country", "organisation"], horizontal=True, key="bn-by",
                  format_func=lambda b: "Country" if b == "country" else "Organisation")  # fmt: skip
    kept = board_snapshot.step_medians(common.engine(), scope, as_of, by=by)  # type: ignore[arg-type]
    medians = kept.value
    if not kept.current:
        st.caption(f"As of {common.when(kept.computed_at)}; on a network this size the medians are recomputed every minute.")
    if not medians:
        st.info("No step in scope was closed in that period.", icon=":material/hourglass_empty:")
        return
    orgs = {o.id: o.name() for o in directory.list_organisations(common.engine())}
    name = common.country_name if by == "country" else (lambda k: orgs.get(k, k))
    frame = pd.DataFrame(
        [{"Step type": f"{bc.type_label(m.item_type)} · {m.kind.replace('_', ' ')}", "Group": name(m.key),
          "Median": bc.days_text(m.median_days), "Median days": m.median_days, "Steps": m.steps} for m in medians]
    )  # fmt: skip
    top = frame.head(60)
    heat = (
        alt.Chart(top, title="Median days per step type")
        .mark_rect()
        .encode(
            x=alt.X("Group:N", title=None),
            y=alt.Y("Step type:N", title=None),
            color=alt.Color("Median days:Q", scale=alt.Scale(scheme="orangered")),
            tooltip=["Step type", "Group", "Median", "Steps"],
        )
    )
    st.altair_chart(heat, width="stretch")
    st.dataframe(frame.drop(columns=["Median days"]), hide_index=True)
    bc.export_buttons(frame, f"step-medians-by-{by}", "medians")


def page() -> None:
    scope = bc.my_scope()
    st.title("Bottlenecks")
    bc.scope_caption(scope, "Every open step, who is awaited and for how long,")
    as_of = bc.as_of_picker("bn-as-of")
    chosen = step_filters(scope)

    @st.fragment(run_every=bc.REFRESH_SECONDS if as_of is None else None)
    def open_section() -> None:
        steps = board.open_steps(common.engine(), scope, as_of, **chosen)  # type: ignore[arg-type]
        overdue = sum(s.overdue for s in steps)
        m = st.columns(4)
        m[0].metric("Open steps shown", len(steps), border=True)
        m[1].metric("Overdue", overdue, border=True)
        m[2].metric("Longest wait", bc.days_text(steps[0].age_days) if steps else "—", border=True)
        slowest = steps[0] if steps else None
        m[3].metric("Longest awaited", (slowest.awaited_names or ["—"])[0] if slowest else "—", border=True,
                    help=f"{slowest.label} ({', '.join(slowest.awaited_names)})" if slowest else None)  # fmt: skip
        if len(steps) >= board.DRILL_LIMIT:
            st.caption(f"The {board.DRILL_LIMIT} longest-waiting steps are shown; narrow the filters to see others.")
        bc.steps_table(steps, key="bn", name="open-steps")

    open_section()
    st.divider()
    medians_section(scope, as_of)


page()
