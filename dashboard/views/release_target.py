"""The network's target: films released outside their origin countries in a year, against the
five the network committed to (`domain.releases.targets.progress`), by country, with the films
counted; and the year's SCO Content Catalog as a PDF."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import common
from dashboard import program_common as pc
from dashboard import release_common as rc
from domain.agreement_rules import Rejected
from domain.releases.targets import NETWORK_TARGET, progress


def catalog_button(year: int) -> None:
    module = pc.optional_module("documents.releases")
    if module is None:
        return
    render = module.render_content_catalog

    def produce() -> tuple[bytes, int]:
        films, awards, _ = rc.catalog_inputs(year)
        ledgers = {k: v for k, v in rc.ledgers().items() if k in {f.id for f in films}}
        return render(year, films, ledgers, awards, on=datetime.now(UTC).date(), territories=rc.member_countries(),
                      **pc.font_cache_kwargs(render))  # fmt: skip

    films, _, _ = rc.catalog_inputs(year)
    pc.on_demand_download(
        f"catalog-{year}", "Content catalog (PDF)", produce, f"sco-content-catalog-{year}.pdf",
        help="The year's films and awards with the rights still available in each territory today.",
        disabled_because=None if films else "No festival edition is recorded yet.",
    )  # fmt: skip


def page() -> None:
    common.me()
    st.title("Release target")
    st.caption(f"Films released outside their origin countries through the network, per year; the network committed to "
               f"{NETWORK_TARGET}. A film counts once a year, however many countries release it.")  # fmt: skip
    done = rc.released()
    this_year = datetime.now(UTC).year
    years = sorted({r.record.released_on.year for r in done} | {this_year}, reverse=True)
    year = st.selectbox("Year", years, index=years.index(this_year), key="target-year")
    try:
        p = progress([r.record for r in done], year)
    except Rejected as e:
        st.error(str(e))
        return
    m = st.columns(3)
    m[0].metric("Films released abroad", f"{p.achieved} of {p.target}", border=True)
    m[1].metric("To go", p.remaining, border=True)
    m[2].metric("Countries releasing", len(p.by_country), border=True)
    st.progress(min(p.achieved / p.target, 1.0), text=p.summary())
    titles = {r.state.film.id: r.state.film.english_title for r in done}
    origins = {r.state.film.id: r.state.film.origin_countries for r in done}
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Films counted")
        if not p.films:
            st.caption(f"No film was released abroad through the network in {year} yet.")
        else:
            st.dataframe(
                pd.DataFrame([{"Film": titles.get(f.film_id, f.film_id), "Origin": ", ".join(origins.get(f.film_id, ())),
                               "Released in": ", ".join(common.country_name(c) for c in f.countries),
                               "First release abroad": f.first_released_on.isoformat()} for f in p.films]),
                hide_index=True,
            )  # fmt: skip
    with right:
        st.subheader("By country")
        if p.by_country:
            st.dataframe(
                pd.DataFrame([{"Country": common.country_name(c), "Films": n} for c, n in p.by_country.items()]),
                hide_index=True,
            )
        else:
            st.caption("No country has released a film from abroad this year yet.")
    in_year = [r for r in done if r.record.released_on.year == year]
    if in_year:
        with st.expander(f"Every confirmed release in {year} ({len(in_year)})"):
            rows = [{"Film": r.state.film.english_title, "Country": common.country_name(r.state.country),
                     "Released on": r.record.released_on.isoformat(), "Medium": r.record.platform.value,
                     "Abroad": r.record.abroad, "id": r.item.item_id} for r in in_year]  # fmt: skip
            st.dataframe(pd.DataFrame(rows).drop(columns="id"), hide_index=True,
                         column_config={"Abroad": st.column_config.CheckboxColumn()})  # fmt: skip
    st.subheader("Content catalog")
    catalog_button(year)


page()
