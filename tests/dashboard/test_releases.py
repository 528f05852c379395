"""The award-to-release pages end to end in AppTest: the films × countries matrix, a liaison's queue
and forms, the target, and the festival office's award form — on the seeded 2026 festival
(`tests/dashboard/release_seed.py`).

Temporal is the fake `send_action`; the read model is the seeded SQLite copy of each test.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import release_actions as ra
from services.errors import ActionRejected
from tests.dashboard.conftest import FakeTemporal
from tests.dashboard.release_seed import CRANES, FESTIVAL_ITEM, NOW, STEPPE, TUNDUK, release_item
from tests.dashboard.test_app import no_failure, sign_in, texts

ADMIN, LIAISON_KZ, FESTIVAL_OFFICE, DISTRIBUTOR = "t.admin", "t.liaison.kz", "t.festival.wu", "t.dist.moskino"
CRANES_KZ, TUNDUK_KZ = release_item(CRANES, "KZ"), release_item(TUNDUK, "KZ")


def open_release(at: AppTest, item_id: str) -> AppTest:
    at.query_params["id"] = item_id
    return at.switch_page("views/release.py").run()


def form_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key and b.key.startswith("FormSubmitter:")}


# ---------------------------------------------------------------- the matrix


def test_the_matrix_shows_the_stage_of_every_film_in_every_country(app: AppTest) -> None:
    sign_in(app, ADMIN)
    app.switch_page("views/releases.py").run()
    no_failure(app)
    assert {m.label: m.value for m in app.metric} == {
        "Country releases": "29", "In progress": "25", "Released": "2", "Refused or declined": "2",
    }  # fmt: skip
    frame = app.dataframe[0].value.set_index("Film")
    assert list(frame.index) == ["Paper Cranes over the Volga", "The Steppe Wind", "Tunduk"]
    assert list(frame.columns) == ["BY", "CN", "IN", "IR", "KG", "KR", "KZ", "PK", "RU", "TJ", "UZ"]
    steppe, cranes, tunduk = frame.loc["The Steppe Wind"], frame.loc["Paper Cranes over the Volga"], frame.loc["Tunduk"]
    assert (steppe["RU"], steppe["KR"], steppe["UZ"], steppe["CN"], steppe["KZ"], steppe["KG"]) == (
        "Released", "Released", "Scheduled", "Import quota", "Home country", "To acknowledge",
    )  # fmt: skip
    assert (cranes["CN"], cranes["RU"], cranes["KZ"], cranes["KR"]) == (
        "Home country",
        "Home country",
        "To acknowledge",
        "Declined",
    )
    assert (tunduk["KZ"], tunduk["KR"], tunduk["KG"]) == ("Classification", "Refused", "Home country")

    app.multiselect(key="rel-films").select("Tunduk").run()
    assert list(app.dataframe[0].value["Film"]) == ["Tunduk"]
    app.selectbox(key="rel-pick").select(TUNDUK_KZ)
    app.button(key="rel-go").click().run()
    no_failure(app)
    assert "Tunduk in Kazakhstan" in texts(app)
    assert not form_keys(app)  # the administrator follows; only Kazakhstan's liaison acts


def test_a_distributor_sees_only_the_releases_it_is_party_to(app: AppTest) -> None:
    sign_in(app, DISTRIBUTOR)
    no_failure(app)
    app.switch_page("views/releases.py").run()
    no_failure(app)
    frame = app.dataframe[0].value
    assert frame.to_dict("records") == [{"Film": "The Steppe Wind", "RU": "Released"}]
    open_release(app, release_item(STEPPE, "RU"))
    no_failure(app)
    assert "Released on" in texts(app) and "Moskino Distribution" in texts(app)
    open_release(app, release_item(STEPPE, "KR"))
    assert "not visible to you" in texts(app)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/festival.py").run()


# ---------------------------------------------------------------- the liaison


def test_the_liaison_finds_the_steps_in_my_tasks_and_the_queue_oldest_first(app: AppTest) -> None:
    sign_in(app, LIAISON_KZ)
    no_failure(app)
    page = texts(app)
    assert "Acknowledge the release recommendation" in page and "Record the classification decision" in page
    app.switch_page("views/my_country.py").run()
    no_failure(app)
    queue = app.dataframe[0].value
    assert list(queue["Film"]) == ["Paper Cranes over the Volga", "Tunduk"]  # oldest first
    assert list(queue["Stage"]) == ["To acknowledge", "Classification"]
    assert list(queue["Age (days)"]) == [6, 2]
    assert queue["Due in (days)"][0] < 0 < queue["Due in (days)"][1]  # five days to acknowledge: overdue
    assert {m.label: m.value for m in app.metric} == {"Under way": "2", "Overdue": "1", "Ended": "0"}


def test_the_liaison_acknowledges(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, LIAISON_KZ)
    open_release(app, CRANES_KZ)
    no_failure(app)
    key = "ack-paper-cranes-kz"
    assert form_keys(app) == {f"FormSubmitter:{key}-Acknowledge", "FormSubmitter:decline-paper-cranes-kz-Decline"}
    app.text_area(key=f"{key}-note").input("Received; the ministry reviews it next week.")
    app.button(key=f"FormSubmitter:{key}-Acknowledge").click().run()
    no_failure(app)
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action, data) == (CRANES_KZ, "acknowledge",
                                   {"actor_id": "aigerim-nurlanova", "note": "Received; the ministry reviews it next week."})  # fmt: skip
    assert uid.startswith(f"{CRANES_KZ}:acknowledge:aigerim-nurlanova:r0:")
    assert app.success[0].value == "Acknowledge recorded."
    app.button(key=f"FormSubmitter:{key}-Acknowledge").click().run()  # a double click sends the same update id
    assert temporal.calls[1][3] == uid


def test_the_liaison_classifies_on_the_countrys_scale(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, LIAISON_KZ)
    open_release(app, TUNDUK_KZ)
    no_failure(app)
    key = "classify-tunduk-kz"
    assert form_keys(app) == {f"FormSubmitter:{key}-Record classification", "FormSubmitter:decline-tunduk-kz-Decline"}
    assert app.selectbox(key=f"{key}-rating").options == ["K", "BA", "B14", "E16", "E18", "HA"]
    app.radio(key=f"{key}-outcome").set_value("approved_with_cuts")
    app.selectbox(key=f"{key}-rating").select("B14")
    app.button(key=f"FormSubmitter:{key}-Record classification").click().run()
    assert temporal.calls == []
    assert [e.value for e in app.error] == ["Please describe the cuts required: the distributor must make them."]
    app.radio(key=f"{key}-outcome").set_value("approved")
    app.button(key=f"FormSubmitter:{key}-Record classification").click().run()
    no_failure(app)
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action, data) == (
        TUNDUK_KZ, "classify", {"actor_id": "aigerim-nurlanova", "outcome": "approved", "rating": "B14", "cuts": "", "reason": ""}
    )  # fmt: skip
    assert uid.startswith(f"{TUNDUK_KZ}:classify:aigerim-nurlanova:r1:")


def test_a_rejection_from_the_workflow_is_shown(app: AppTest, temporal: FakeTemporal) -> None:
    message = "You cannot acknowledge it now: “Paper Cranes over the Volga” in KZ is at the classification review, not the acknowledgement."
    temporal.error = ActionRejected(message)
    sign_in(app, LIAISON_KZ)
    open_release(app, CRANES_KZ)
    app.button(key="FormSubmitter:ack-paper-cranes-kz-Acknowledge").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [message]
    assert temporal.calls[-1][1] == "acknowledge"


def test_declining_needs_a_reason(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, LIAISON_KZ)
    open_release(app, CRANES_KZ)
    app.button(key="FormSubmitter:decline-paper-cranes-kz-Decline").click().run()
    assert temporal.calls == [] and "Please say why" in app.error[0].value
    app.text_area(key="decline-paper-cranes-kz-reason").input("No distributor has screens free this year.")
    app.button(key="FormSubmitter:decline-paper-cranes-kz-Decline").click().run()
    assert temporal.calls[-1][1:3] == ("decline", {"actor_id": "aigerim-nurlanova",
                                                   "reason": "No distributor has screens free this year."})  # fmt: skip


def test_the_release_page_shows_path_stages_letter_and_timeline(app: AppTest) -> None:
    sign_in(app, ADMIN)
    open_release(app, release_item(STEPPE, "RU"))
    no_failure(app)
    page = texts(app)
    assert "Ministry of Culture of the Russian Federation" in page and "Licence lic-ru-steppe-wind" in page
    chain = next(d.value for d in app.dataframe if "Stage" in d.value.columns)
    assert list(chain["Stage"]) == ["To acknowledge", "Classification", "Subsidy", "Licence", "Scheduling", "Scheduled"]
    assert set(chain["Status"]) == {"done"}
    assert any(b.proto.label.startswith("Recommendation letter") for b in app.get("download_button"))


# ---------------------------------------------------------------- the target


def test_the_target_counts_a_film_released_abroad_once(app: AppTest) -> None:
    sign_in(app, ADMIN)
    app.switch_page("views/release_target.py").run()
    no_failure(app)
    assert {m.label: m.value for m in app.metric} == {"Films released abroad": "1 of 5", "To go": "4", "Countries releasing": "2"}
    counted = app.dataframe[0].value
    first = (NOW - timedelta(days=60)).date().isoformat()  # Russia's release, before Korea's
    assert counted.to_dict("records") == [
        {"Film": "The Steppe Wind", "Origin": "KZ", "Released in": "Republic of Korea, Russia", "First release abroad": first}
    ]
    by_country = app.dataframe[1].value
    assert by_country.to_dict("records") == [{"Country": "Republic of Korea", "Films": 1}, {"Country": "Russia", "Films": 1}]


# ---------------------------------------------------------------- the festival office


def test_the_festival_office_records_an_award(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str, dict[str, Any], str]] = []

    def send(wid: str, action: str, data: dict[str, Any], uid: str) -> Any:
        calls.append((wid, action, data, uid))
        started = [f"release-harbour-lights-{c}" for c in ("by", "cn", "in", "ir", "kg", "kz", "pk", "ru", "tj", "uz")]
        return SimpleNamespace(message="Award recorded; “Harbour Lights” is recommended to 10 member countries.", started=started)

    monkeypatch.setattr("dashboard.client.send_action", send)
    sign_in(app, FESTIVAL_OFFICE)
    no_failure(app)
    app.switch_page("views/festival.py").run()
    no_failure(app)
    key = "award-sco-2026"
    app.selectbox(key=f"{key}-film").select("steppe-wind").run()
    assert app.selectbox(key=f"{key}-category").options[0] == "Best Film"  # the main competition's categories
    app.selectbox(key=f"{key}-category").select("best_film")
    app.button(key=f"FormSubmitter:{key}-Record award").click().run()
    assert calls == [] and app.error[0].value == "Award sco-2026-steppe-wind-best-film is already recorded."

    app.selectbox(key=f"{key}-film").select("harbour-lights").run()
    app.selectbox(key=f"{key}-category").select("best_actor")
    app.text_area(key=f"{key}-note").input("For a fisherman's silence.")
    app.button(key=f"FormSubmitter:{key}-Record award").click().run()
    no_failure(app)
    [(wid, action, data, uid)] = calls
    assert (wid, action) == (FESTIVAL_ITEM, "record_award")
    assert data == {"actor_id": "fest-wu", "award": {
        "id": "sco-2026-harbour-lights-best-actor", "edition_id": "sco-2026", "film_id": "harbour-lights",
        "category_id": "best_actor", "jury_note": "For a fisherman's silence.", "awarded_on": "2026-06-18",
    }}  # fmt: skip
    assert uid.startswith(f"{FESTIVAL_ITEM}:record_award:fest-wu:r3:")
    assert "recommended to 10 member countries" in app.success[0].value
    assert "Country releases started (10)" in app.success[0].value


def test_a_liaison_has_no_festival_page(app: AppTest) -> None:
    sign_in(app, LIAISON_KZ)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("views/festival.py").run()


# ---------------------------------------------------------------- the forms' rules, without a browser


def test_form_data_rules() -> None:
    assert (
        ra.classify_data("a", "refused", None) == "Please say why classification was refused: the rights holder reads the reason."
    )
    assert ra.quota_data("a", False) == "Please say why the import-quota exception was refused."
    assert ra.subsidy_data("a", "granted", "dubbing", "12 000 000", "kzt") == {
        "actor_id": "a", "outcome": "granted", "reason": "", "kind": "dubbing", "amount": "12000000.00", "currency": "KZT",
    }  # fmt: skip
    assert ra.subsidy_data("a", "skipped") == {"actor_id": "a", "outcome": "skipped", "reason": ""}
    data = ra.licence_data("a", "lic-kz-tunduk", "arman-cinemas", ["streaming", "theatrical"], date(2027, 1, 1),
                           date(2028, 12, 31), True, "25,000", "usd")  # fmt: skip
    assert data == {"actor_id": "a", "deal_id": "lic-kz-tunduk", "licensee_id": "arman-cinemas",
                    "media": ["theatrical", "streaming"], "starts_on": "2027-01-01", "ends_on": "2028-12-31", "exclusive": True,
                    "fee": "25000.00", "currency": "USD"}  # fmt: skip
    assert ra.licence_data("a", "x1", None, ["tv"], None, None, False, "1", "USD") == "Please choose the distributor."
    assert ra.dated_data("a", "release_on", date(2027, 2, 1), "x").startswith("Please name the platform")
    assert ra.award_id("sco-2026", "harbour-lights", "best_actor") == "sco-2026-harbour-lights-best-actor"


def test_the_content_catalog_is_rendered_on_demand(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.program_common.font_cache_kwargs", lambda fn: {})
    sign_in(app, ADMIN)
    app.switch_page("views/release_target.py").run()
    year = app.selectbox(key="target-year").value
    assert not app.get("download_button")  # nothing is rendered until asked
    app.button(key=f"catalog-{year}-make").click().run()
    no_failure(app)
    pdf, pages = app.session_state[f"ondemand-catalog-{year}"]
    assert pdf.startswith(b"%PDF") and pages >= 1
    [download] = app.get("download_button")
    assert download.proto.label.startswith(f"Download sco-content-catalog-{year}.pdf")


def test_the_licence_form_offers_the_countrys_distributors(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "t.liaison.uz")
    wid = release_item(CRANES, "UZ")
    open_release(app, wid)
    no_failure(app)
    key = "licence-paper-cranes-uz"
    assert form_keys(app) == {f"FormSubmitter:{key}-Propose licence", "FormSubmitter:decline-paper-cranes-uz-Decline"}
    assert "Kino UZ" in app.selectbox(key=f"{key}-licensee").options  # the directory's distributors in Uzbekistan
    assert app.text_input(key=f"{key}-deal").value == "lic-uz-paper-cranes"
    app.selectbox(key=f"{key}-licensee").select("kino-uz")
    app.multiselect(key=f"{key}-media").select("streaming")
    app.date_input(key=f"{key}-starts").set_value(date(2027, 1, 1))
    app.date_input(key=f"{key}-ends").set_value(date(2028, 12, 31))
    app.text_input(key=f"{key}-fee").input("8000")
    app.button(key=f"FormSubmitter:{key}-Propose licence").click().run()
    no_failure(app)
    [(sent_to, action, data, uid)] = temporal.calls
    assert (sent_to, action) == (wid, "propose_licence") and uid.startswith(f"{wid}:propose_licence:dilshod-yusupov:r4:")
    assert data == {"actor_id": "dilshod-yusupov", "deal_id": "lic-uz-paper-cranes", "licensee_id": "kino-uz",
                    "media": ["theatrical", "streaming"], "starts_on": "2027-01-01", "ends_on": "2028-12-31", "exclusive": False,
                    "fee": "8000.00", "currency": "USD"}  # fmt: skip


def test_the_liaison_confirms_a_scheduled_release(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "t.liaison.uz")
    wid = release_item(STEPPE, "UZ")
    open_release(app, wid)
    no_failure(app)
    key = "confirm-steppe-wind-uz"
    assert form_keys(app) == {f"FormSubmitter:{key}-Confirm release"}  # a signed licence: no declining any more
    assert app.text_input(key=f"{key}-platform").value == "Kino UZ cinemas"
    app.button(key=f"FormSubmitter:{key}-Confirm release").click().run()
    no_failure(app)
    assert temporal.calls[-1][1:3] == ("confirm_release", {"actor_id": "dilshod-yusupov",
                                       "released_on": (NOW + timedelta(days=10)).date().isoformat(), "platform": "Kino UZ cinemas"})  # fmt: skip
