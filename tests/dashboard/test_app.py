"""The dashboard end to end in Streamlit's AppTest: sign-in, inbox actions, lists, detail, outbox.

Temporal is replaced by a fake `dashboard.client.send_action`; everything else is the real read
model (a seeded SQLite file per test).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from dashboard import client
from services.agreements import ActionRejected
from settings import get_settings
from store.blobs import BlobStore
from store.db import make_engine, transaction
from store.models import SessionRow, utcnow
from tests.dashboard.conftest import APP, FakeTemporal
from tests.dashboard.seed import CN_RU, KR_KZ, KR_KZ_HASHES, KR_LICENCE

APPROVE = f"approve-{KR_KZ}-approve-kofic-v2"
V1_HASH, V2_HASH = "1".rjust(64, "c"), KR_KZ_HASHES[2]
SIGN = f"{KR_LICENCE}-sign-kofic-t1-v1"
KR_TITLES = {"Korea–Kazakhstan Co-production MOU", "Licence: “Steppe Wind” in Korea"}
SSO_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "helix",
        "client_secret": "s",
        "server_metadata_url": "https://id.example/.well-known/openid-configuration",
    }
}


def sign_in(at: AppTest, username: str, password: str = "helix-demo") -> AppTest:
    at.run()
    at.text_input(key="signin_username").input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def texts(at: AppTest) -> str:
    """Everything a person can read on the page (and in the sidebar), as one string."""
    parts = [
        e.value
        for kind in ("title", "markdown", "caption", "subheader", "info", "warning", "success", "error")
        for e in getattr(at, kind)
    ]
    parts += [e.value for kind in ("markdown", "caption") for e in getattr(at.sidebar, kind)]
    return "\n".join(str(p) for p in parts)


def button_labels(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def no_failure(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


# ---------------------------------------------------------------- sign-in


def test_wrong_password_is_refused_with_a_message(app: AppTest) -> None:
    sign_in(app, "liaison.kr", "not-the-password")
    assert [e.value for e in app.error] == ["The username or password is not correct."]
    assert "Kim Min-ji" not in texts(app)
    assert "Sign in with SSO" not in button_labels(app)  # no [auth] secrets: no SSO button


def test_repeated_failures_lock_the_account(app: AppTest) -> None:
    for _ in range(5):
        sign_in(app, "liaison.kr", "wrong-password")
    assert "locked" in app.error[0].value
    sign_in(app, "liaison.kr")  # even the right password waits out the lock
    assert "locked" in app.error[0].value


def test_liaison_signs_in_and_sees_the_step_awaiting_them(app: AppTest) -> None:
    sign_in(app, "liaison.kr")
    no_failure(app)
    page = texts(app)
    assert "My tasks" in page
    assert "Approve version 2 for Korean Film Council" in page
    assert "Kim Min-ji" in page and "Korean Film Council" in page and "Liaison · Republic of Korea" in page
    assert app.metric[0].value == "1"  # open tasks
    assert APPROVE in {b.key for b in app.button}
    [late] = app.dataframe  # as liaison for Korea: KOFIC's overdue signature, awaited from Park Ji-hoon
    assert list(late.value["Step"]) == ["Sign version 1 for Korean Film Council"]


def test_session_expires_on_the_server(app: AppTest, data_dir: Path) -> None:
    sign_in(app, "liaison.kr")
    engine = make_engine(get_settings().resolved_database_url)
    with transaction(engine) as conn:
        conn.execute(update(SessionRow.__table__).values(expires_at=utcnow() - timedelta(minutes=1)))
    app.run()
    assert "Your session has expired" in texts(app)
    assert app.text_input(key="signin_username") is not None


def test_sign_out_returns_to_the_sign_in_page(app: AppTest) -> None:
    sign_in(app, "liaison.kr")
    app.sidebar.button(key="sign-out").click().run()
    assert "Kim Min-ji" not in texts(app)
    assert app.text_input(key="signin_username") is not None


def test_sso_maps_the_verified_email_to_a_directory_person(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.auth.authlib_installed", lambda: True)
    app.secrets = SSO_SECRETS
    app.user = {"is_logged_in": False}
    app.run()
    assert "Sign in with SSO" in button_labels(app)
    app.user = {"is_logged_in": True, "email": "Kim-Minji@demo.helix.example", "email_verified": True}
    app.run()
    no_failure(app)
    assert "Approve version 2 for Korean Film Council" in texts(app)


def test_sso_email_unknown_to_the_directory_is_explained(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dashboard.auth.authlib_installed", lambda: True)
    app.secrets = SSO_SECRETS
    app.user = {"is_logged_in": True, "email": "stranger@example.org"}
    app.run()
    assert "no one in the network's directory has that address" in texts(app)


# ---------------------------------------------------------------- actions


def test_approve_sends_the_version_on_screen_once(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "liaison.kr")
    app.button(key=APPROVE).click().run()
    assert len(temporal.calls) == 1
    workflow_id, action, data, update_id = temporal.calls[0]
    assert (workflow_id, action, data) == (KR_KZ, "approve", {"actor_id": "kim-minji", "version_hash": V2_HASH})
    assert update_id.startswith("approve-kofic-v2:") and ":approve:kim-minji:" in update_id
    assert [s.value for s in app.success] == ["Approval of version 2 recorded."]
    app.button(key=APPROVE).click().run()  # a second click carries the same update id: Temporal counts it once
    assert temporal.calls[1][3] == update_id


def test_rejection_shows_the_workflows_message(app: AppTest, temporal: FakeTemporal) -> None:
    message = "Conflict: you tried to approve version 1, but the current version is 2 (hash cccc, by Liu Yang)."
    temporal.error = ActionRejected(message)
    sign_in(app, "liaison.kr")
    app.button(key=APPROVE).click().run()
    assert [e.value for e in app.error] == [message]
    assert not app.exception


def test_comment_needs_text_and_is_sent_with_it(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "liaison.kr")
    form_text = f"comment-{KR_KZ}-approve-kofic-v2-text"
    app.button(key=f"FormSubmitter:comment-{KR_KZ}-approve-kofic-v2-Add comment").click().run()
    assert temporal.calls == [] and "Please fill in the text" in app.error[0].value
    app.text_area(key=form_text).input("  KOFIC asks to keep clause 7 unchanged.  ")
    app.button(key=f"FormSubmitter:comment-{KR_KZ}-approve-kofic-v2-Add comment").click().run()
    assert temporal.calls[0][1:3] == ("comment", {"actor_id": "kim-minji", "text": "KOFIC asks to keep clause 7 unchanged."})


def test_unreachable_temporal_is_a_sentence_not_a_trace(app: AppTest, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def refuse() -> None:
        raise RuntimeError("Failed client connect: connection refused")

    monkeypatch.setattr(client, "connect_temporal", refuse)
    sign_in(app, "liaison.kr")
    app.button(key=APPROVE).click().run()
    assert "cannot be reached" in app.error[0].value and "Traceback" not in app.error[0].value
    assert not app.exception


def test_signatory_signs_declines_or_delegates_within_the_organisation(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "signer.kofic")
    no_failure(app)
    assert "overdue by 2 days" in texts(app)
    app.button(key=f"sign-{SIGN}").click().run()
    assert temporal.calls[-1][1:3] == ("sign", {"actor_id": "park-jihoon", "version_hash": V1_HASH})

    delegate = app.selectbox(key=f"delegate-{SIGN}-to")
    assert delegate.options == ["Kim Min-ji — Director of International Affairs"]  # KOFIC's other signatory only
    app.text_area(key=f"delegate-{SIGN}-reason").input("Travelling to Busan this week.")
    app.button(key=f"FormSubmitter:delegate-{SIGN}-Delegate").click().run()
    assert temporal.calls[-1][1:3] == (
        "delegate",
        {"actor_id": "park-jihoon", "to_person_id": "kim-minji", "reason": "Travelling to Busan this week."},
    )

    app.text_area(key=f"decline-{SIGN}-reason").input("The fee in clause 3 is not what was agreed.")
    app.button(key=f"FormSubmitter:decline-{SIGN}-Decline").click().run()
    assert temporal.calls[-1][1:3] == (
        "decline",
        {"actor_id": "park-jihoon", "version_hash": V1_HASH, "reason": "The fee in clause 3 is not what was agreed."},
    )
    assert len({c[3] for c in temporal.calls}) == 3  # three different actions, three update ids


def test_initiator_closes_review_or_voids_where_the_phase_allows(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "admin")
    no_failure(app)
    assert f"init-{KR_KZ}-close" not in {b.key for b in app.button}  # in approval: no review to close
    app.button(key=f"init-{CN_RU}-close").click().run()
    assert temporal.calls[-1] == (CN_RU, "close_review", {"actor_id": "liu-yang"}, f"{CN_RU}:close_review:r1:liu-yang")
    app.text_area(key=f"init-{KR_KZ}-void-reason").input("Superseded by the trilateral MOU.")
    app.button(key=f"FormSubmitter:init-{KR_KZ}-void-Void").click().run()
    assert temporal.calls[-1][:3] == (KR_KZ, "void", {"actor_id": "liu-yang", "reason": "Superseded by the trilateral MOU."})


# ---------------------------------------------------------------- reading


def test_board_reads_list_and_detail_without_action_widgets(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "board.chair")
    no_failure(app)
    assert app.title[0].value == "Network overview"  # a board seat lands on the overview
    app.switch_page("views/agreements.py").run()
    assert "Agreements" in texts(app) and "read-only" in texts(app)
    [table] = app.dataframe
    assert set(table.value["Title"]) == KR_TITLES | {"BFA–VGIK Film School Partnership"}
    assert set(table.value.columns) >= {"Title", "Kind", "Phase", "Parties", "Version", "Updated"}

    app.selectbox(key="open-pick").select(KR_KZ)
    app.button(key="open-go").click().run()
    no_failure(app)
    page = texts(app)
    assert "Korea–Kazakhstan Co-production MOU" in page and "Approve version 2 for Korean Film Council" in page
    assert "Awaiting Kim Min-ji" in page
    assert [t.value for t in app.text] == ["Kazakhfilm agrees with clause 4 as revised."]
    parties = app.dataframe[0].value
    assert list(parties["Party"]) == ["Korean Film Council", "Kazakhfilm"]
    assert parties["Approvals (current version)"][1].startswith("✓ 1/1")
    assert not {"Approve version 2", "Sign version 2", "Add comment", "Void"} & button_labels(app)
    assert len(app.get("download_button")) == 2  # one PDF per version
    [diff] = app.html
    assert "films<ins>, documentaries and animation</ins>." in diff.value
    assert "<del>This memorandum is not a treaty.</del>" in diff.value
    assert "&lt;script&gt;" in diff.value and "<script>" not in diff.value  # clause text never becomes markup
    assert "Governing law" in diff.value and "Financial share" not in diff.value  # unchanged clauses hidden
    assert temporal.calls == []


def test_liaison_sees_only_agreements_of_their_country(app: AppTest) -> None:
    sign_in(app, "liaison.kr")
    app.switch_page("views/agreements.py").run()
    no_failure(app)
    assert set(app.dataframe[0].value["Title"]) == KR_TITLES
    app.query_params["id"] = CN_RU
    app.switch_page("views/agreement.py").run()
    assert "not visible to you" in texts(app)
    assert "BFA–VGIK" not in texts(app)


def test_list_filters(app: AppTest) -> None:
    sign_in(app, "admin")
    app.switch_page("views/agreements.py").run()
    app.text_input(key="flt-text").input("vgik").run()
    assert list(app.dataframe[0].value["Title"]) == ["BFA–VGIK Film School Partnership"]
    app.text_input(key="flt-text").input("").run()
    app.selectbox(key="flt-country").select("KZ").run()
    assert list(app.dataframe[0].value["Title"]) == ["Korea–Kazakhstan Co-production MOU"]
    app.selectbox(key="flt-country").select(None).run()
    app.selectbox(key="flt-kind").select("licence").run()
    assert list(app.dataframe[0].value["Title"]) == ["Licence: “Steppe Wind” in Korea"]
    app.multiselect(key="flt-phase").select("active").run()
    assert not app.dataframe and "No agreement matches these filters." in texts(app)


def test_outbox_shows_own_mail_or_all_for_the_board(app: AppTest) -> None:
    sign_in(app, "liaison.kr")
    app.switch_page("views/outbox.py").run()
    no_failure(app)
    assert list(app.dataframe[0].value["Subject"]) == ["Action needed: approve version 2"]
    board = AppTest.from_file(app._script_path, default_timeout=30)
    sign_in(board, "board.chair")
    board.switch_page("views/outbox.py").run()
    assert set(board.dataframe[0].value["Subject"]) == {"Action needed: approve version 2", "Review open: BFA–VGIK"}


def test_approver_proposes_a_revision_of_one_clause(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "liaison.kr")
    key = f"revise-{KR_KZ}-{KR_KZ_HASHES[2][:12]}"
    app.selectbox(key=f"{key}-clause").select("share").run()
    app.text_area(key=f"{key}-share-en").input("Each party contributes at least 25 percent.")
    app.text_input(key=f"{key}-share-summary").input("Raise the minimum share")
    submit = next(b for b in app.button if b.label == "Propose revision")
    submit.click().run()
    no_failure(app)
    [(workflow_id, action, data, update_id)] = temporal.calls
    assert (workflow_id, action) == (KR_KZ, "revise")
    assert data == {
        "actor_id": "kim-minji",
        "summary": "Raise the minimum share",
        "base_version_hash": KR_KZ_HASHES[2],
        "clause_overrides": {"share": {"en": "Each party contributes at least 25 percent."}},
    }
    assert update_id.startswith(f"{KR_KZ}:revise:kim-minji:")


def test_a_revision_without_changes_is_not_sent(app: AppTest, temporal: FakeTemporal) -> None:
    sign_in(app, "liaison.kr")
    key = f"revise-{KR_KZ}-{KR_KZ_HASHES[2][:12]}"
    app.text_input(key=f"{key}-purpose-summary").input("Nothing really")
    next(b for b in app.button if b.label == "Propose revision").click().run()
    assert temporal.calls == []
    assert any("Nothing changed" in e.value for e in app.error)


def in_force_licence(parent: str | None = None) -> str:
    """The seeded licence, executed and in force, under an id of its own (started by `parent`, if given)."""
    from domain.agreements import AgreementProjection, Phase
    from store.projections import project_agreement
    from tests.dashboard.seed import NOW, licence

    engine = make_engine(get_settings().database_url)
    blobs = BlobStore(get_settings().documents_dir)
    proj = licence(engine, blobs)
    spec = proj.state.spec.model_copy(update={"id": "licence-kr-active", "parent_workflow_id": parent})
    state = proj.state.model_copy(update={"spec": spec, "phase": Phase.ACTIVE, "steps": [], "executed_at": NOW - timedelta(days=10),
                                          "effective_date": (NOW - timedelta(days=10)).date(), "expiry_date": (NOW + timedelta(days=700)).date()})  # fmt: skip
    project_agreement(
        engine, AgreementProjection(workflow_id="agreement-licence-kr-active", state=state, new_events=proj.new_events)
    )
    return "agreement-licence-kr-active"


def test_a_signatory_gives_notice_on_an_agreement_in_force(app: AppTest, temporal: FakeTemporal) -> None:
    wid = in_force_licence()
    sign_in(app, "signer.kofic")
    app.query_params["id"] = wid
    app.switch_page("views/agreement.py").run()
    no_failure(app)
    assert "Give notice of termination" in [e.label for e in app.expander]
    app.button(key=f"FormSubmitter:terminate-{wid}-Give notice").click().run()
    assert temporal.calls == [] and "Please fill in the reason" in texts(app)  # nothing sent without a reason
    app.text_area(key=f"terminate-{wid}-reason").input("The distributor ceased trading.")
    app.button(key=f"FormSubmitter:terminate-{wid}-Give notice").click().run()
    no_failure(app)
    [(sent_to, action, data, uid)] = temporal.calls
    assert (sent_to, action, data) == (wid, "terminate", {"actor_id": "park-jihoon", "reason": "The distributor ceased trading."})
    assert uid.startswith(f"{wid}:terminate:t1:park-jihoon:")


def test_no_notice_form_for_whom_the_workflow_would_refuse(app: AppTest) -> None:
    wid = in_force_licence()
    for user in ("board.chair", "liaison.kr"):  # a board seat only reads; Kim Min-ji signs for KOFIC too
        at = AppTest.from_file(str(APP), default_timeout=30)
        sign_in(at, user)
        at.query_params["id"] = wid
        at.switch_page("views/agreement.py").run()
        no_failure(at)
        labels = [e.label for e in at.expander]
        assert ("Give notice of termination" in labels) is (user == "liaison.kr")
    sign_in(app, "signer.kofic")
    app.query_params["id"] = KR_LICENCE  # still in signing: no notice before execution
    app.switch_page("views/agreement.py").run()
    no_failure(app)
    assert "Give notice of termination" not in [e.label for e in app.expander]


def test_an_approver_whose_party_approved_still_comments_and_revises_from_the_page(app: AppTest, temporal: FakeTemporal) -> None:
    """Kazakhfilm has approved version 2, so no step awaits Aigerim; the agreement's page still lets
    her comment and propose a revision (which would reopen the approvals)."""
    sign_in(app, "liaison.kz")
    app.query_params["id"] = KR_KZ
    app.switch_page("views/agreement.py").run()
    no_failure(app)
    assert {"Comment on version 2", "Propose a revision"} <= {e.label for e in app.expander}
    app.text_area(key=f"page-comment-{KR_KZ}-text").input("Clause 4 reads well now.")
    app.button(key=f"FormSubmitter:page-comment-{KR_KZ}-Add comment").click().run()
    no_failure(app)
    [(sent_to, action, data, uid)] = temporal.calls
    assert (sent_to, action, data) == (KR_KZ, "comment", {"actor_id": "aigerim-nurlanova", "text": "Clause 4 reads well now."})
    assert uid.startswith(f"{KR_KZ}:comment:aigerim-nurlanova:{V2_HASH[:16]}:")


def test_nothing_to_comment_on_once_in_force_nor_for_a_board_seat(app: AppTest) -> None:
    wid = in_force_licence()
    sign_in(app, "signer.kofic")
    app.query_params["id"] = wid
    app.switch_page("views/agreement.py").run()
    no_failure(app)
    assert not {"Comment on version 1", "Propose a revision"} & {e.label for e in app.expander}
    board = AppTest.from_file(str(APP), default_timeout=30)
    sign_in(board, "board.chair")
    board.query_params["id"] = KR_KZ
    board.switch_page("views/agreement.py").run()
    no_failure(board)
    assert not {"Comment on version 2", "Propose a revision"} & {e.label for e in board.expander}


def test_an_agreement_started_by_a_release_or_grant_is_not_ended_by_notice_here(app: AppTest) -> None:
    wid = in_force_licence(parent="release-steppe-wind-kr")
    sign_in(app, "signer.kofic")
    app.query_params["id"] = wid
    app.switch_page("views/agreement.py").run()
    no_failure(app)
    assert "Give notice of termination" not in [e.label for e in app.expander]
    assert "it is ended from there" in texts(app) and "release-steppe-wind-kr" in texts(app)
