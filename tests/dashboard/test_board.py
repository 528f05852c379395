"""The board pages in AppTest, and every page of the dashboard for one person of every role:
nothing fails, nobody reaches a page beyond their role, and the overview keeps to each scope."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.app import PAGES
from dashboard.board_common import excel_bytes
from domain import access
from settings import get_settings
from store import directory
from store.db import make_engine
from tests.dashboard.test_app import no_failure, sign_in, texts

# One person of every kind the demo has: board, admin, liaison, signatory, university staff,
# student, fund manager, reviewer, producer, distributor.
ACCOUNTS = ["board.chair", "admin", "liaison.kr", "signer.kofic", "coordinator.kafa", "dept.vgik", "registrar.kafa",
            "ministry.kr", "student.han", "fund.manager", "reviewer.aigerim", "producer.mumbai", "distributor.kr"]  # fmt: skip


def open_page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"views/{PAGES[name]['file']}")
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_board_member_lands_on_the_overview_of_the_whole_network(app: AppTest) -> None:
    sign_in(app, "board.chair")
    no_failure(app)
    assert app.title[0].value == "Network overview"
    shown = metrics(app)
    for label in ("Signed this year", "Students", "Credits posted", "Films released abroad", "Open steps", "Overdue steps"):
        assert label in shown
    assert int(shown["Open steps"]) > 0
    assert "Read-only" in texts(app)
    assert any(m.startswith("Committed") for m in shown)


def test_drilling_into_a_figure_lists_the_items_behind_it(app: AppTest) -> None:
    sign_in(app, "board.chair")
    drill = app.selectbox(key="ov-drill")
    assert "Open steps" in drill.options
    drill.set_value("Open steps").run()
    no_failure(app)
    steps = app.dataframe[-1].value
    assert len(steps) == int(metrics(app)["Open steps"]) and "Awaited" in steps.columns
    agreements = next(o for o in drill.options if o.startswith("Agreement · "))
    app.selectbox(key="ov-drill").set_value(agreements).run()
    no_failure(app)
    assert "Title" in app.dataframe[-1].value.columns and len(app.dataframe[-1].value) > 0


def test_a_past_day_is_read_from_the_history(app: AppTest) -> None:
    sign_in(app, "board.chair")
    app.date_input(key="ov-as-of").set_value(date(2020, 1, 2)).run()
    no_failure(app)
    assert "From the event history" in texts(app)
    assert metrics(app)["Open steps"] == "0"  # in 2020 nothing had started


def test_bottlenecks_show_who_is_awaited_and_the_slowest_steps(app: AppTest) -> None:
    sign_in(app, "board.chair")
    open_page(app, access.PAGE_BOTTLENECKS)
    no_failure(app)
    assert app.title[0].value == "Bottlenecks"
    table = app.dataframe[0].value
    assert {"Item", "Step", "Awaited", "Country", "Waiting", "Overdue"} <= set(table.columns)
    app.toggle(key="bn-overdue").set_value(True).run()
    no_failure(app)
    assert "Slowest steps" in [s.value for s in app.subheader]


def test_a_liaison_sees_the_overview_of_their_country_only(app: AppTest) -> None:
    sign_in(app, "liaison.kr")
    open_page(app, access.PAGE_OVERVIEW)
    no_failure(app)
    assert "Korea" in app.caption[0].value
    countries = app.dataframe  # the country table lists only Korea
    tables = [t.value for t in countries if "Country" in t.value.columns and "Open steps" in t.value.columns]
    assert tables and set(tables[0]["Country"]) <= {"Republic of Korea", "Korea"}


def test_university_staff_see_only_their_programs(app: AppTest) -> None:
    sign_in(app, "coordinator.kafa")
    open_page(app, access.PAGE_OVERVIEW)
    no_failure(app)
    shown = metrics(app)
    assert "Students" in shown and "Signed this year" not in shown and not any(m.startswith("Committed") for m in shown)


@pytest.mark.parametrize("username", ["reviewer.aigerim", "producer.mumbai", "student.han", "distributor.kr"])
def test_people_without_a_board_scope_get_no_board_pages(app: AppTest, username: str) -> None:
    sign_in(app, username)
    no_failure(app)
    for name in (access.PAGE_OVERVIEW, access.PAGE_BOTTLENECKS):  # not in their navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            open_page(app, name)


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_of_every_role_runs(app: AppTest, username: str) -> None:
    """Each page a person's menu offers runs without an error; detail pages without an item say so."""
    engine = make_engine(get_settings().resolved_database_url)
    account = directory.get_account(engine, username) if hasattr(directory, "get_account") else None
    sign_in(app, username)
    no_failure(app)
    person = app.session_state["helix_person"]
    if account is not None:
        assert person.id == account.person_id
    contact, festival, party = _item_roles(person)
    pages = access.visible_pages(person, grant_contact=contact, release_party=party, festival_admin=festival)
    assert pages
    for name in pages:
        open_page(app, name)
        assert not app.exception, (username, name, app.exception)
        assert not [e.value for e in app.error], (username, name, [e.value for e in app.error])


def _item_roles(person):  # type: ignore[no-untyped-def]
    from dashboard import grant_common, release_common
    from dashboard.common import engine

    return (grant_common.is_grant_contact(engine(), person.id), release_common.is_festival_admin(engine(), person),
            release_common.is_release_party(engine(), person))  # fmt: skip


def test_tables_export_to_excel_with_times_in_utc() -> None:
    frame = pd.DataFrame({"Title": ["MOU <b>1</b>"], "Updated": [pd.Timestamp("2026-11-24 09:00", tz="Asia/Seoul")]})
    back = pd.read_excel(io.BytesIO(excel_bytes(frame, "agreements")))
    assert back.loc[0, "Title"] == "MOU <b>1</b>"
    assert back.loc[0, "Updated"] == pd.Timestamp("2026-11-24 00:00")
