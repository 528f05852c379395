"""The co-production fund pages end to end in AppTest: the pipeline, an application with its action
widgets by role, a reviewer's inbox, the reviewers' workload, the ledger and a grant's tranches —
on the seeded SCO fund (`tests/dashboard/grant_seed.py`).

Temporal is the fake `send_action`; the read model is the seeded SQLite copy of each test.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import grant_actions
from domain.agreements import Event
from domain.grants.grant_state import GrantState
from domain.human_steps import OpenStep, StepKind
from services.errors import ActionRejected
from settings import get_settings
from store import queries
from store.db import make_engine
from tests.dashboard.conftest import FakeTemporal
from tests.dashboard.grant_seed import (
    CRANES,
    FUND_ITEM,
    HERDERS,
    NOMADS,
    SIGNALS,
    STEPPE,
    STEPPE_AGREEMENT,
    STEPPE_GRANT,
    app_item,
    project_grant,
)
from tests.dashboard.test_app import no_failure, sign_in, texts
from tests.domain.grants.examples import RUBRIC

MANAGER, BOARD, OLGA, AIGERIM, PRIYA = (
    "t.fund.manager",
    "t.board.ivanova",
    "t.reviewer.olga",
    "t.reviewer.aigerim",
    "t.producer.priya",
)
SCORE_CRANES = f"score-{CRANES}"
CRITERIA = ["artistic_merit", "coproduction", "feasibility", "audience_reach"]


def open_item(at: AppTest, page: str, item_id: str) -> AppTest:
    at.query_params["id"] = item_id
    return at.switch_page(f"views/{page}.py").run()


def engine():  # type: ignore[no-untyped-def]
    return make_engine(get_settings().resolved_database_url)


def frames(at: AppTest) -> list:  # type: ignore[type-arg]
    return [d.value for d in at.dataframe]


# ---------------------------------------------------------------- the fund manager


def test_fund_manager_sees_the_pipeline_by_stage_and_the_ranking(app: AppTest) -> None:
    sign_in(app, MANAGER)
    no_failure(app)
    assert "Screen the application" in texts(app)  # landed on My tasks: the screening step
    app.switch_page("views/grants.py").run()
    no_failure(app)
    assert {m.label: m.value for m in app.metric} == {
        "Screening": "1", "Panel review": "1", "Board vote": "1", "Awarded": "1", "Rejected": "1",
    }  # fmt: skip
    pipeline, ranking = frames(app)
    by_project = pipeline.set_index("Project")
    assert set(by_project.index) == {
        "The Long Steppe", "Paper Cranes over the Volga", "Silk Road Signals", "Nomads of the Tien Shan", "Blue Sky Herders",
    }  # fmt: skip
    assert by_project.loc["Silk Road Signals", "Stage"] == "Board vote"
    assert by_project.loc["Silk Road Signals", "Panel score"] == 72.23 and by_project.loc["Silk Road Signals", "Bonus"] == 5
    assert by_project.loc["Silk Road Signals", "Votes"] == "1/4"
    assert by_project.loc["Paper Cranes over the Volga", "Reviews"] == "1/2"  # Arjun declared a conflict
    assert by_project.loc["The Long Steppe", "Requested"] == "120,000.00 USD"
    assert by_project.loc["The Long Steppe", "Countries"] == "IN, KZ"
    # the board's ranking of the main call: 72.23 + 5 bonus beats 76.11
    assert list(ranking["Project"]) == ["Silk Road Signals", "The Long Steppe"]
    assert list(ranking["Total"]) == [77.23, 76.11] and list(ranking["Rank"]) == [1, 2]

    app.selectbox(key="pipe-call").select("pitch-2026").run()
    assert list(app.dataframe[0].value["Project"]) == ["Blue Sky Herders"]
    app.selectbox(key="pipe-call").select(None).run()
    app.multiselect(key="pipe-stage").select("review").run()
    assert list(app.dataframe[0].value["Project"]) == ["Paper Cranes over the Volga"]
    app.selectbox(key="pipe-pick").select(app_item(CRANES))
    app.button(key="pipe-go").click().run()
    no_failure(app)
    assert "Paper Cranes over the Volga" in texts(app)


def test_the_ledger_shows_the_funds_figures_awards_and_journal(app: AppTest) -> None:
    sign_in(app, MANAGER)
    app.switch_page("views/funds.py").run()
    no_failure(app)
    assert {m.label: m.value for m in app.metric} == {
        "Budget": "1,000,000 USD",
        "Committed": "120,000 USD",
        "Disbursed": "48,000 USD",
        "Remaining": "880,000 USD",
        "Outstanding": "72,000 USD",
        "Clawed back": "0 USD",
    }
    awards, journal = frames(app)
    assert awards.iloc[0].to_dict() | {"Cancelled": False} == {
        "Award": STEPPE, "Project": "The Long Steppe", "Committed": "120,000.00 USD", "Disbursed": "48,000.00 USD",
        "Outstanding": "72,000.00 USD", "Clawed back": "0.00 USD", "Tranches paid": "signature (48,000.00 USD)",
        "Cancelled": False,
    }  # fmt: skip
    assert list(journal["Entry"]) == ["Release", "Commitment"]  # newest first
    assert list(journal["Remaining after"]) == ["880,000.00 USD", "880,000.00 USD"]
    assert len(app.get("vega_lite_chart")) == 1


@pytest.mark.skipif(importlib.util.find_spec("documents.grants") is None, reason="documents.grants not present")
def test_the_fund_statement_button_produces_a_pdf(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.program_common.font_cache_kwargs", lambda fn: {})
    sign_in(app, BOARD)
    app.switch_page("views/funds.py").run()
    assert not app.get("download_button")  # nothing is rendered until asked
    app.button(key="statement-sco-film-fund-2026-make").click().run()
    no_failure(app)
    pdf, pages = app.session_state["ondemand-statement-sco-film-fund-2026"]
    assert pdf.startswith(b"%PDF") and pages >= 1
    [download] = app.get("download_button")
    assert download.proto.label.startswith("Download sco-film-fund-2026-statement-")


def test_reviewer_workload_counts_open_and_done_reviews(app: AppTest) -> None:
    sign_in(app, MANAGER)
    app.switch_page("views/reviewers.py").run()
    no_failure(app)
    table = app.dataframe[0].value.set_index("Reviewer")
    olga, aigerim = table.loc["Olga Petrova"], table.loc["Aigerim Sadykova"]
    assert (olga["Open"], olga["Done"], olga["Max load"]) == (1, 2, 4)  # Paper Cranes open; Steppe and Signals done
    assert (aigerim["Open"], aigerim["Done"]) == (0, 2)
    assert table.loc["Arjun Mehta", "Declined"] == 1
    assert aigerim["Mean score given"] == 79.17  # (86.67 + 71.67) / 2


def test_fund_manager_screens_out_only_with_a_reason(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, MANAGER)
    open_item(app, "application", app_item(HERDERS))
    no_failure(app)
    form = f"screen-{HERDERS}"
    app.radio(key=f"{form}-decision").set_value("out")
    app.button(key=f"FormSubmitter:{form}-Record screening").click().run()
    assert temporal.calls == []
    assert [e.value for e in app.error] == [
        "Please say why the application is screened out: the reason goes into the letter to the applicant."
    ]
    app.text_area(key=f"{form}-reason").input("A development project outside the pitching session's brief.")
    app.button(key=f"FormSubmitter:{form}-Record screening").click().run()
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action, data) == (
        app_item(HERDERS),
        "screen",
        {"actor_id": "fm-zhou", "passed": False, "reason": "A development project outside the pitching session's brief."},
    )
    assert uid.startswith(f"{app_item(HERDERS)}:screen:fm-zhou:r1:")
    assert app.success[0].value == "Screen recorded."


def test_a_rejection_from_the_workflow_is_shown(app: AppTest, temporal: FakeTemporal) -> None:
    message = "You cannot screen it now: application kr-mn-pitch is at the panel review, not the fund manager's screening."
    temporal.error = ActionRejected(message)
    sign_in(app, MANAGER)
    open_item(app, "application", app_item(HERDERS))
    app.button(key=f"FormSubmitter:screen-{HERDERS}-Record screening").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [message]
    assert temporal.calls[-1][1:3] == ("screen", {"actor_id": "fm-zhou", "passed": True, "reason": ""})


def test_the_vote_cannot_be_closed_without_quorum(app: AppTest) -> None:
    sign_in(app, MANAGER)
    open_item(app, "application", app_item(SIGNALS))
    no_failure(app)
    close = app.button(key=f"close-vote-{SIGNALS}")
    assert close.disabled and "The vote cannot be closed yet" in close.help
    votes = next(f for f in frames(app) if "Member" in f.columns)  # each member's vote, for the fund's overseers
    assert votes.iloc[0].to_dict() == {"Member": "Chen Hao", "Vote": "approve", "Amount": "45,000.00 USD", "Reason": ""}


# ---------------------------------------------------------------- reviewers


def test_a_reviewer_scores_from_the_inbox(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, OLGA)
    no_failure(app)
    assert "Score the application" in texts(app)  # My tasks has the score step
    app.switch_page("views/my_reviews.py").run()
    no_failure(app)
    page = texts(app)
    assert "Paper Cranes over the Volga" in page and "Two children fold a thousand cranes" in page
    for cid, mark in zip(CRITERIA, (8, 7, 9, 6), strict=True):
        app.number_input(key=f"{SCORE_CRANES}-{cid}").set_value(mark)
    app.text_area(key=f"{SCORE_CRANES}-comment").input("Lovely, if long.")
    app.text_input(key=f"{SCORE_CRANES}-note-feasibility").input("The schedule is tight.")
    app.button(key=f"FormSubmitter:{SCORE_CRANES}-Submit score").click().run()
    no_failure(app)
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action) == (app_item(CRANES), "score")
    assert data == {
        "actor_id": "olga",
        "values": {"artistic_merit": "8", "coproduction": "7", "feasibility": "9", "audience_reach": "6"},
        "comment": "Lovely, if long.",
        "criterion_comments": {"feasibility": "The schedule is tight."},
    }
    assert uid.startswith(f"{app_item(CRANES)}:score:olga:r4:")
    assert [s.value for s in app.success] == ["Score recorded."]
    done = app.dataframe[-1].value
    assert set(done["Project"]) == {"The Long Steppe", "Silk Road Signals"}


def test_a_score_with_a_missing_mark_is_not_sent(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, OLGA)
    app.switch_page("views/my_reviews.py").run()
    for cid in CRITERIA[:3]:
        app.number_input(key=f"{SCORE_CRANES}-{cid}").set_value(5)
    app.button(key=f"FormSubmitter:{SCORE_CRANES}-Submit score").click().run()
    assert temporal.calls == []
    assert [e.value for e in app.error] == ["Please check the marks: “Audience reach” has no mark."]


def test_a_reviewer_declares_a_conflict(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, OLGA)
    open_item(app, "application", app_item(CRANES))
    app.checkbox(key=f"decline-{CRANES}-conflict").check()
    app.text_area(key=f"decline-{CRANES}-reason").input("I consulted for Soyuzmultfilm last year.")
    app.button(key=f"FormSubmitter:decline-{CRANES}-Step down from the panel").click().run()
    assert temporal.calls[-1][1:3] == (
        "decline_review",
        {"actor_id": "olga", "reason": "I consulted for Soyuzmultfilm last year.", "conflict": True},
    )


def test_a_reviewer_cannot_see_another_reviewers_scores(app: AppTest) -> None:
    sign_in(app, OLGA)
    open_item(app, "application", app_item(CRANES))
    no_failure(app)
    page = texts(app)
    assert "Secret remark" not in page and "Other reviewers' scores are not shown" in page
    panel = next(f for f in frames(app) if "Reviewer" in f.columns)
    assert list(panel["Reviewer"]) == ["Olga Petrova"] and list(panel["Status"]) == ["pending"]
    assert all("Secret remark" not in str(f.to_dict()) for f in frames(app))
    assert next(m.value for m in app.metric if m.label == "Panel score") == "—"

    open_item(app, "application", app_item(SIGNALS))  # scored by both: her own marks only, no mean
    panel = next(f for f in frames(app) if "Reviewer" in f.columns)
    assert list(panel["Reviewer"]) == ["Olga Petrova"] and panel["Artistic merit"][0] == "8"
    assert next(m.value for m in app.metric if m.label == "Panel score") == "—"
    assert "Chen Hao" not in str([f.to_dict() for f in frames(app)])  # nor the board's votes

    open_item(app, "application", app_item(NOMADS))  # not on that panel
    assert "not visible to you" in texts(app)

    aigerim = AppTest.from_file(app._script_path, default_timeout=30)
    sign_in(aigerim, AIGERIM)
    open_item(aigerim, "application", app_item(CRANES))
    panel = next(f for f in frames(aigerim) if "Reviewer" in f.columns)
    assert list(panel["Reviewer"]) == ["Aigerim Sadykova"] and panel["Comment"][0].startswith("Secret remark")
    assert f"FormSubmitter:{SCORE_CRANES}-Submit score" not in {b.key for b in aigerim.button}  # she has scored


def test_fund_manager_sees_the_whole_panel(app: AppTest) -> None:
    sign_in(app, MANAGER)
    open_item(app, "application", app_item(CRANES))
    panel = next(f for f in frames(app) if "Reviewer" in f.columns)
    assert list(panel["Status"]) == ["scored", "pending", "conflict declared"]
    assert panel["Weighted score"][0] == 86.67 and panel["Comment"][0].startswith("Secret remark")


# ---------------------------------------------------------------- the board


def test_a_board_member_votes_from_the_application(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, BOARD)
    no_failure(app)
    assert "Agreements" in texts(app)  # a board seat still lands on the agreements
    app.switch_page("views/tasks.py").run()
    no_failure(app)
    assert "Vote on the award" in texts(app) and "Application kr-uz-youth-ai: Silk Road Signals" in texts(app)
    open_item(app, "application", app_item(SIGNALS))
    no_failure(app)
    form = f"vote-{SIGNALS}"
    app.radio(key=f"{form}-choice").set_value("reject")
    app.button(key=f"FormSubmitter:{form}-Cast vote").click().run()
    assert temporal.calls == []
    assert [e.value for e in app.error] == ["Please give the reason for rejecting: it goes into the letter to the applicant."]
    app.radio(key=f"{form}-choice").set_value("approve")
    app.text_input(key=f"{form}-amount").input("40,000")
    app.button(key=f"FormSubmitter:{form}-Cast vote").click().run()
    no_failure(app)
    [(wid, action, data, uid)] = temporal.calls
    assert (wid, action, data) == (
        app_item(SIGNALS),
        "vote",
        {"actor_id": "board-ivanova", "choice": "approve", "reason": "", "amount": "40000.00"},
    )
    assert uid.startswith(f"{app_item(SIGNALS)}:vote:board-ivanova:r6:")
    assert app.success[0].value == "Vote recorded."


# ---------------------------------------------------------------- the producer


def test_the_producer_submits_the_milestone_report(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, PRIYA)
    no_failure(app)
    assert "Submit the production milestone report (Production milestone)" in texts(app)  # My tasks
    app.switch_page("views/my_applications.py").run()
    no_failure(app)
    assert "The Long Steppe" in texts(app) and "Paid 48,000.00 USD of 120,000.00 USD" in texts(app)
    open_item(app, "grant", STEPPE_GRANT)
    no_failure(app)
    tranches = next(f for f in frames(app) if "Tranche" in f.columns)
    assert list(tranches["Status"]) == ["paid", "awaiting report", "awaiting report"]
    assert list(tranches["Amount"]) == ["48,000.00 USD", "48,000.00 USD", "24,000.00 USD"]
    assert tranches["Payment reference"][0] == "PAY-2026-000001"
    assert [d.label for d in app.get("download_button")] == ["PAY-2026-000001 — On signature (PDF)"]
    form = f"report-{STEPPE}"
    assert app.selectbox(key=f"{form}-tranche").options == [  # reports come in order: the delivery report waits
        "Production milestone: production milestone report",
    ]
    app.text_input(key=f"{form}-reference").input("doc-steppe-milestone-1")
    app.text_area(key=f"{form}-summary").input("Principal photography done in Almaty.")
    app.button(key=f"FormSubmitter:{form}-Submit report").click().run()
    no_failure(app)
    [(wid, action, data, _)] = temporal.calls
    assert (wid, action, data) == (
        STEPPE_GRANT,
        "submit_report",
        {"actor_id": "priya-nair", "tranche_id": "milestone", "reference": "doc-steppe-milestone-1",
         "summary": "Principal photography done in Almaty."},
    )  # fmt: skip
    assert "Propose amendment" not in {b.label for b in app.button}  # the fund manager's


def test_the_applicant_sees_the_decision_not_the_reviews(app: AppTest) -> None:
    sign_in(app, PRIYA)
    open_item(app, "application", app_item(STEPPE))
    no_failure(app)
    page = texts(app)
    assert "A strong, specific sound world." not in page and "The panel's individual reviews are confidential." in page
    assert next(m.value for m in app.metric if m.label == "Panel score") == "76.11"  # decided: as in the letter
    assert {d.label for d in app.get("download_button")} == {"Award letter (PDF)"}
    open_item(app, "application", app_item(CRANES))
    assert "not visible to you" in texts(app)
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # the pipeline is not among her pages
        app.switch_page("views/grants.py")


def milestone_submitted() -> None:
    """The Long Steppe after Priya submitted the milestone report: the fund manager reviews it."""
    eng = engine()
    item = queries.get_item(eng, STEPPE_GRANT)
    assert item is not None
    state = GrantState.model_validate(item.detail)
    t = state.tranches[1].model_copy(update={"report_submitted_on": date(2026, 10, 1), "report_reference": "doc-steppe-1"})
    state.tranches = [state.tranches[0], t, state.tranches[2]]
    state.revision = 4
    manager = state.people.fund_managers[0]
    state.steps = [
        OpenStep(step_id="review-milestone", kind=StepKind.REPORT, label="Review the production milestone report (Production milestone)",
                 awaited=[manager], opened_at=item.updated_at, due_at=item.updated_at)
    ]  # fmt: skip
    evs = [Event(seq=e.seq, at=e.at, kind=e.kind, detail=e.detail) for e in queries.events_for(eng, STEPPE_GRANT)]
    evs.append(Event(seq=4, at=item.updated_at, kind="report_submitted", actor_id="priya-nair", detail="milestone"))
    project_grant(eng, state, evs)


def test_fund_manager_approves_or_returns_a_report(app: AppTest, temporal: FakeTemporal) -> None:
    milestone_submitted()
    sign_in(app, MANAGER)
    assert "Review the production milestone report (Production milestone)" in texts(app)
    open_item(app, "grant", STEPPE_GRANT)
    no_failure(app)
    app.button(key=f"review-{STEPPE}-milestone-approve").click().run()
    assert temporal.calls[-1][1:3] == (
        "review_report", {"actor_id": "fm-zhou", "tranche_id": "milestone", "approve": True, "reason": ""}
    )  # fmt: skip
    assert temporal.calls[-1][3].startswith(f"{STEPPE_GRANT}:review_report:fm-zhou:r4:")
    app.button(key=f"FormSubmitter:review-{STEPPE}-milestone-Return report").click().run()
    assert [e.value for e in app.error] == ["Please say why the report goes back: the producer reads the reason."]
    app.text_input(key=f"amend-{STEPPE}-amount").input("130000")
    app.text_area(key=f"amend-{STEPPE}-reason").input("A second shooting block in Kazakhstan.")
    app.button(key=f"FormSubmitter:amend-{STEPPE}-Propose amendment").click().run()
    assert temporal.calls[-1][1:3] == (
        "propose_amendment",
        {"actor_id": "fm-zhou", "new_amount": "130000.00", "reason": "A second shooting block in Kazakhstan."},
    )
    app.text_area(key=f"cancel-{STEPPE}-reason").input("The production has stopped.")
    app.text_input(key=f"cancel-{STEPPE}-clawback").input("48000")
    app.button(key=f"FormSubmitter:cancel-{STEPPE}-Cancel grant").click().run()
    assert temporal.calls[-1][1:3] == (
        "cancel", {"actor_id": "fm-zhou", "reason": "The production has stopped.", "clawback": "48000.00"}
    )  # fmt: skip


def test_the_grant_links_its_agreement_and_account(app: AppTest) -> None:
    sign_in(app, MANAGER)
    open_item(app, "grant", STEPPE_GRANT)
    links = {(p.label, p.proto.page) for p in app.get("page_link")}
    assert any(label == "Open the grant agreement" for label, _ in links)
    page = texts(app)
    assert "Signed on" in page and "committed 120,000.00 USD · disbursed 48,000.00 USD · outstanding 72,000.00 USD" in page
    assert STEPPE_AGREEMENT.startswith("agreement-") and FUND_ITEM.startswith("fund-")


# ---------------------------------------------------------------- the pure helpers behind the forms


def test_score_fields_follow_the_rubric() -> None:
    d = grant_actions.score_data
    assert d("olga", RUBRIC, {"artistic_merit": 8.0, "coproduction": 7, "feasibility": Decimal("9"), "audience_reach": 10}) == {
        "actor_id": "olga",
        "values": {"artistic_merit": "8", "coproduction": "7", "feasibility": "9", "audience_reach": "10"},
        "comment": "",
    }
    assert d("olga", RUBRIC, {"artistic_merit": 11, "coproduction": 0.5, "feasibility": 1, "audience_reach": 1}) == (
        "Please check the marks: “Artistic merit” must be from 1 to 10 in steps of 1; "
        "“Co-production strength” must be from 1 to 10 in steps of 1."
    )


def test_vote_and_grant_fields() -> None:
    v = grant_actions.vote_data
    assert v("m", "abstain") == {"actor_id": "m", "choice": "abstain", "reason": ""}
    assert (
        v("m", "reject", amount="5000", reason="Too late")
        == "An amount goes only with a vote to approve; clear it, or vote to approve."
    )
    assert v("m", "approve", amount="12.345").startswith("The amount is not valid")
    assert v("m", "approve", amount="0") == "The amount must be more than zero; leave it empty to approve the amount requested."
    assert grant_actions.report_data("p", "milestone", "  ", "") == "Please attach the report or give its document reference."
    assert grant_actions.amendment_data("fm", "abc", "Because").startswith("The new amount is not valid")
    assert grant_actions.cancel_data("fm", "Stopped", "") == {"actor_id": "fm", "reason": "Stopped", "clawback": "0.00"}
    assert grant_actions.decline_data("r", " ", True) == "Please give the reason for stepping down (the fund manager reads it)."


@pytest.mark.parametrize("username", [MANAGER, BOARD, OLGA, AIGERIM, PRIYA, "admin", "reviewer"])
def test_every_grant_page_renders_for_every_role(app: AppTest, username: str) -> None:
    """Whatever page or item a person reaches, it renders (or says it is not theirs) without a trace."""
    sign_in(app, username)
    no_failure(app)
    for page in ("tasks", "grants", "funds", "reviewers", "my_reviews", "my_applications"):
        try:
            app.switch_page(f"views/{page}.py").run()
        except ValueError:  # not one of this person's pages
            continue
        no_failure(app)
    for item_id in [*(app_item(k) for k in (STEPPE, CRANES, SIGNALS, NOMADS, HERDERS)), STEPPE_GRANT]:
        try:
            open_item(app, "grant" if item_id.startswith("grant-") else "application", item_id)
        except ValueError:
            continue
        no_failure(app)


class _Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.data, self.size = name, data, len(data)

    def getvalue(self) -> bytes:
        return self.data


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (_Upload("report.pdf", b"%PDF-1.7\n" + b"0" * (25 * 2**20)), "at most 25 MiB"),
        (_Upload("report.pdf", b"PK\x03\x04 a zip named .pdf"), "is not a PDF file"),
    ],
)
def test_a_report_upload_too_large_or_not_a_pdf_is_refused_before_storing(
    monkeypatch: pytest.MonkeyPatch, upload: _Upload, says: str
) -> None:
    from dashboard import grant_actions as ga

    flashes: list[tuple[bool, str]] = []
    stored: list[bytes] = []
    sent: list[object] = []
    monkeypatch.setattr(ga.st, "session_state", {"k-file": upload, "k-tranche": "t1"})
    monkeypatch.setattr(ga.common, "flash", lambda ok, message, scope: flashes.append((ok, message)))
    monkeypatch.setattr(ga.common, "blobs", lambda: type("B", (), {"put": lambda self, data: stored.append(data) or "sha"})())
    monkeypatch.setattr(ga, "_send", lambda *args: sent.append(args))
    ga._report("grant-1", None, "producer-1", "k", "scope")  # type: ignore[arg-type]
    assert [ok for ok, _ in flashes] == [False] and says in flashes[0][1]
    assert stored == [] and sent == []
