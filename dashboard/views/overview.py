"""Network overview: every lifecycle at a glance for the board (or a liaison's country, or a
university's programs), with funnels, ageing, completions and countries, and the items behind
any figure. Live figures refresh every 30 seconds; a past day is read from the event history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import board_common as bc
from dashboard import common
from domain.board import LIFECYCLE_LABELS, Lifecycle, Overview, Scope
from domain.grants.money import format_money
from store import board, board_snapshot

IN_FORCE = ("active", "renewal", "terminating", "pending", "executing")


@dataclass(frozen=True)
class Figure:
    """A figure someone can drill into: its label and how to list what is behind it."""

    label: str
    items: dict[str, Any] | None = None  # keyword arguments of store.board.items_behind
    steps: dict[str, Any] | None = None  # keyword arguments of store.board.open_steps


def figures_of(ov: Overview) -> dict[str, Figure]:
    out: dict[str, Figure] = {}

    def add(f: Figure) -> None:
        out[f.label] = f

    add(Figure("Open steps", steps={}))
    add(Figure("Signed this year", items={"item_type": "agreement", "reached": "executed", "since_year": True}))
    add(Figure("Overdue steps", steps={"overdue_only": True}))
    for b in ov.ageing:
        add(Figure(f"Open steps waiting {b.label}", steps={"min_age_days": b.min_days, "max_age_days": b.max_days}))
    if Lifecycle.AGREEMENTS in ov.lifecycles:
        for phase in sorted(ov.agreements_by_phase):
            add(Figure(f"Agreements · {common.phase_label(phase)}", items={"item_type": "agreement", "phase": phase}))
    for f in ov.funnels:
        for s in f.steps:
            add(Figure(f"{f.title} · {s.label}", items={"item_type": f.item_type, "reached": s.event_kinds[0]}))
    for c in ov.completions:
        kind = {"Agreements executed": "executed", "Degrees completed": "degrees_complete", "Grants awarded": "awarded",
                "Films released": "released"}[c.what]  # fmt: skip
        item_type = {"executed": "agreement", "degrees_complete": "student", "awarded": "grant_application",
                     "released": "country_release"}[kind]  # fmt: skip
        add(Figure(f"{c.what} in {c.month}", items={"item_type": item_type, "reached": kind, "completed_in": c.month}))
    for r in ov.countries:
        add(Figure(f"Country · {common.country_name(r.country)}", items={"country": r.country}))
        if r.open_steps:
            add(Figure(f"Open steps awaiting {common.country_name(r.country)}", steps={"country": r.country}))
    return out


def metrics(ov: Overview) -> None:
    tiles: list[tuple[str, str, str | None]] = []
    if Lifecycle.AGREEMENTS in ov.lifecycles:
        in_force = sum(n for p, n in ov.agreements_by_phase.items() if p in IN_FORCE)
        tiles += [("Signed this year", str(ov.agreements_signed_this_year), "Agreements executed since 1 January"),
                  ("Agreements in force", str(in_force), None)]  # fmt: skip
    if Lifecycle.PROGRAMS in ov.lifecycles:
        p = ov.programs
        tiles += [("Students", str(p.students), f"{p.students_complete} completed · {p.programs} programs"),
                  ("Credits posted", f"{p.credits_posted:,.1f}", f"{p.transfers_open} transfers open")]  # fmt: skip
    if Lifecycle.GRANTS in ov.lifecycles:
        for m in ov.money or []:
            budget = f" of {format_money(m.budget, m.currency)}" if m.budget else ""
            tiles += [(f"Committed ({m.currency})", f"{m.committed:,.0f}", f"{ov.applications} applications{budget}"),
                      (f"Disbursed ({m.currency})", f"{m.disbursed:,.0f}", f"{ov.grants} grants")]  # fmt: skip
        if not ov.money:
            tiles.append(("Grant applications", str(ov.applications), f"{ov.grants} grants"))
    if Lifecycle.RELEASES in ov.lifecycles:
        r = ov.releases
        tiles += [("Films released abroad", f"{r.films_abroad} of {r.target}", f"target for {r.year}"),
                  ("Country releases", f"{r.released} released", f"{r.recommended} recommended · {r.licensed} licensed")]  # fmt: skip
    tiles += [("Open steps", str(ov.open_steps), None), ("Overdue steps", str(ov.overdue_steps), None)]
    per_row = 5
    for start in range(0, len(tiles), per_row):
        cols = st.columns(per_row)
        for col, (label, value, help_) in zip(cols, tiles[start : start + per_row], strict=False):
            col.metric(label, value, help=help_, border=True)


def funnel_charts(ov: Overview) -> str | None:
    """A bar chart per lifecycle funnel; returns the figure a click selected, if any."""
    picked = None
    cols = st.columns(2)
    for i, f in enumerate(ov.funnels):
        frame = pd.DataFrame([{"Stage": s.label, "Items": s.count, "order": n, "figure": f"{f.title} · {s.label}"}
                              for n, s in enumerate(f.steps)])  # fmt: skip
        select = alt.selection_point(name="pick", fields=["figure"])
        bars = (
            alt.Chart(frame, title=f"{f.title} ({LIFECYCLE_LABELS[f.lifecycle]})")
            .mark_bar()
            .encode(
                x=alt.X("Items:Q", title="Items that reached the stage", axis=alt.Axis(format="d", tickMinStep=1)),
                y=alt.Y("Stage:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=220)),
                color=alt.condition(select, alt.value("#1f6fb2"), alt.value("#a9c4dc")),
                tooltip=["Stage", "Items"],
            )
            .add_params(select)
        )
        labels = bars.mark_text(align="left", dx=3).encode(text="Items:Q", color=alt.value("#333"))
        with cols[i % 2]:
            event = st.altair_chart(bars + labels, on_select="rerun", key=f"funnel-{f.item_type}", width="stretch")
            picked = picked or _picked(event)
    return picked


def _picked(event: Any) -> str | None:
    try:
        points = event["selection"]["pick"]
    except (KeyError, TypeError):
        return None
    if isinstance(points, list) and points and isinstance(points[0], dict):
        return points[0].get("figure")
    return None


def ageing_chart(ov: Overview) -> str | None:
    frame = pd.DataFrame(
        [{"Waiting": b.label, "order": i, "Steps": n, "Status": status, "figure": f"Open steps waiting {b.label}"}
         for i, b in enumerate(ov.ageing) for status, n in (("Overdue", b.overdue), ("On time", b.count - b.overdue))]
    )  # fmt: skip
    select = alt.selection_point(name="pick", fields=["figure"])
    chart = (
        alt.Chart(frame, title="How long open steps have waited")
        .mark_bar()
        .encode(
            x=alt.X("Waiting:N", sort=alt.SortField("order"), title=None),
            y=alt.Y("Steps:Q", title="Open steps", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("Status:N", scale=alt.Scale(domain=["On time", "Overdue"], range=["#7aa974", "#d0473d"])),
            tooltip=["Waiting", "Status", "Steps"],
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.5)),
        )
        .add_params(select)
    )
    return _picked(st.altair_chart(chart, on_select="rerun", key="ageing", width="stretch"))


def completions_chart(ov: Overview) -> str | None:
    if not ov.completions:
        st.caption("Nothing was completed in the last twelve months.")
        return None
    frame = pd.DataFrame([{"Month": c.month, "Completed": c.count, "What": c.what, "figure": f"{c.what} in {c.month}"}
                          for c in ov.completions])  # fmt: skip
    select = alt.selection_point(name="pick", fields=["figure"])
    chart = (
        alt.Chart(frame, title="Completed per month")
        .mark_bar()
        .encode(
            x=alt.X("Month:O", title=None),
            y=alt.Y("Completed:Q", title="Items", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("What:N", title=None),
            xOffset="What:N",
            tooltip=["Month", "What", "Completed"],
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.6)),
        )
        .add_params(select)
    )
    picked = _picked(st.altair_chart(chart, on_select="rerun", key="completions", width="stretch"))
    table = frame.pivot_table(index="Month", columns="What", values="Completed", aggfunc="sum", fill_value=0).reset_index()
    st.dataframe(table, hide_index=True)
    bc.export_buttons(table, "completions", "completions")
    return picked


def country_section(ov: Overview) -> str | None:
    if not ov.countries:
        st.caption("No item in scope has a party with a country.")
        return None
    frame = pd.DataFrame(
        [{"Country": common.country_name(r.country), "Code": r.country, "Agreements": r.agreements, "In force": r.agreements_active,
          "Students": r.students, "Applications": r.applications, "Grants": r.grants, "Releases": r.releases,
          "Released": r.released, "Open steps": r.open_steps, "Overdue": r.overdue_steps} for r in ov.countries]
    )  # fmt: skip
    chart_frame = frame.assign(figure=[f"Open steps awaiting {c}" for c in frame["Country"]])
    select = alt.selection_point(name="pick", fields=["figure"])
    chart = (
        alt.Chart(chart_frame, title="Open steps awaiting each country")
        .mark_bar()
        .encode(
            x=alt.X("Country:N", sort="-y", title=None),
            y=alt.Y("Open steps:Q", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("Overdue:Q", scale=alt.Scale(scheme="orangered"), title="Overdue"),
            tooltip=["Country", "Open steps", "Overdue"],
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.6)),
        )
        .add_params(select)
    )
    picked = _picked(st.altair_chart(chart, on_select="rerun", key="countries-chart", width="stretch"))
    event = st.dataframe(frame.drop(columns=["Code"]), hide_index=True, on_select="rerun", selection_mode="single-row",
                         key="countries-table")  # fmt: skip
    bc.export_buttons(frame, "countries", "countries")
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if rows:
        picked = f"Country · {frame.iloc[rows[0]]['Country']}"
    return picked


def phase_table(ov: Overview) -> None:
    if Lifecycle.AGREEMENTS not in ov.lifecycles or not ov.agreements_by_phase:
        return
    frame = pd.DataFrame([{"Phase": common.phase_label(p), "Agreements": n} for p, n in sorted(ov.agreements_by_phase.items())])
    st.dataframe(frame, hide_index=True)
    bc.export_buttons(frame, "agreements-by-phase", "phases")


def drill(scope: Scope, as_of: datetime | None, figures: dict[str, Figure], picked: str | None) -> None:
    st.subheader("Behind the figures")
    labels = list(figures)
    if picked in figures and st.session_state.get("ov-last-pick") != picked:
        st.session_state["ov-drill"] = picked  # a click on a chart chooses the figure
        st.session_state["ov-last-pick"] = picked
    if st.session_state.get("ov-drill") not in figures:
        st.session_state.pop("ov-drill", None)
    choice = st.selectbox("Figure", labels, index=None, key="ov-drill", placeholder="Choose a figure, or click a bar above")
    if choice is None:
        return
    fig = figures[choice]
    engine = common.engine()
    if fig.steps is not None:
        steps = board.open_steps(engine, scope, as_of, **fig.steps)
        bc.steps_table(steps, key="ov-steps", name="open-steps")
        return
    kwargs = dict(fig.items or {})
    if kwargs.pop("since_year", False):
        year = (as_of or datetime.now().astimezone()).year
        kwargs["completed_in"] = None
        items = [i for i in board.items_behind(engine, scope, as_of, **kwargs) if _signed_in(i, year)]
    else:
        items = board.items_behind(engine, scope, as_of, **kwargs)
    bc.items_table(items, key="ov-items", name="items")


def _signed_in(item: Any, year: int) -> bool:
    executed = str((item.summary or {}).get("executed_at") or "")
    return executed.startswith(str(year))


def page() -> None:
    scope = bc.my_scope()
    st.title("Network overview")
    bc.scope_caption(scope, "Agreements, joint programs, the co-production fund and award-to-release")
    as_of = bc.as_of_picker("ov-as-of")
    live = as_of is None

    @st.fragment(run_every=bc.REFRESH_SECONDS if live else None)
    def body() -> None:
        kept = board_snapshot.overview(common.engine(), scope, as_of)
        ov = kept.value
        if not kept.current:
            when = "Being brought up to date: on a network this size the figures are recomputed every minute"
        else:
            when = "Live, refreshed every 30 seconds" if live else "From the event history"
        st.caption(f"{when} · as of {common.when(ov.as_of)}")
        metrics(ov)
        picked: str | None = None
        tabs = st.tabs(["Funnels", "Ageing", "Completions", "Countries", "Agreements by phase"])
        with tabs[0]:
            picked = funnel_charts(ov) or picked
        with tabs[1]:
            picked = ageing_chart(ov) or picked
        with tabs[2]:
            picked = completions_chart(ov) or picked
        with tabs[3]:
            picked = country_section(ov) or picked
        with tabs[4]:
            phase_table(ov)
        drill(scope, as_of, figures_of(ov), picked)

    body()
    digest: Callable[[], None] | None = _digest_section()
    if digest is not None and scope.everything:
        st.divider()
        digest()


def _digest_section() -> Callable[[], None] | None:
    try:
        from dashboard.board_digest import digest_section
    except ImportError:
        return None
    return digest_section


page()
