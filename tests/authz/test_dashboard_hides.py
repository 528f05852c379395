"""The dashboard hides what a person cannot do: Streamlit's AppTest, page by page, person by person.

The matrix's own items (`scenarios`: the KR–KZ and CN–RU MOUs at their steps, the KAFA–VGIK
transfer at each stage, the Falconer's application, the Long Steppe's grant, the Steppe Wind in
Korea and China) are projected into the seeded read model of tests/dashboard, each under an id of
its own. Each person signs in and opens the pages where those items' actions live — My tasks for
agreements (step cards, and the initiator's moves), the detail page of a credit transfer, an
application, a grant and a country release — and the action widgets drawn for each item must be
exactly the actions the entitlement table gives that person there.

Exactly, with one allowance the dashboard makes by design and `docs/authorization.md` lists:
My tasks offers an agreement's actions from the step a person is awaited on (and the initiator's
own list), so there a comment or a revision goes only to the approvers a review or approval step
awaits (and, for revisions, to the initiator), and notice of termination is not offered. The
agreement's own page offers exactly those three — comment, revise, terminate — to everyone
entitled to them, and is checked for exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from domain.agreements import AgreementProjection, Event, Phase
from domain.human_steps import OpenStep
from domain.readmodel import ItemParty, ItemSnapshot
from domain.texts import CanonicalText, Clause, canonical_json
from settings import get_settings
from store.blobs import BlobStore
from store.db import make_engine
from store.projections import project_agreement, project_item
from tests.authz import entitlements as ent
from tests.authz import scenarios as sc
from tests.authz.world import people, person_of, username_of
from tests.dashboard.test_app import no_failure, sign_in
from workflows.agreement import AgreementInput, AgreementWorkflow

NOW = sc.NOW


@dataclass(frozen=True)
class Shown:
    page: str  # the view that draws its actions
    item_id: str
    scenario: sc.Scenario
    steps: tuple[OpenStep, ...] = ()


def pick(lifecycle: str, item: str, step: str) -> sc.Scenario:
    return next(s for s in sc.scenarios() if s.lifecycle == lifecycle and s.item == item and s.step == step)


AGREEMENTS = [
    ("KR–KZ MOU", "review"), ("KR–KZ MOU", "approval"), ("KR–KZ MOU", "approval, kofic approved"), ("KR–KZ MOU", "signing"),
    ("KR–KZ MOU", "signing, kofic delegated to kim-minji"), ("KR–KZ MOU", "active"), ("KR–KZ MOU", "renewal window"),
    ("KR–KZ MOU", "renewal signing (term 2)"), ("CN–RU MOU", "draft"), ("CN–RU MOU", "approval"), ("CN–RU MOU", "signing"),
    ("CN–RU MOU", "renewal signing (term 2)"),
]  # fmt: skip
HAN = "KAFA–VGIK transfer of Han Ji-woo"
TRANSFERS = [
    (HAN, "department: a course to decide, a question for the student, a change proposed"),
    ("KAFA–VGIK transfer of Choi Da-hye", "home registrar, a change proposed"),
    (HAN, "partner registrar"),
    (HAN, "ministry"),
]
FALCONER = "The Falconer's Daughter (KG–RU)"
APPLICATIONS = [(FALCONER, "screening"), (FALCONER, "panel review"), (FALCONER, "board vote, quorum voted")]
STEPPE = "The Long Steppe's grant (IN–KZ)"
GRANTS = [(STEPPE, "active, amendment voted by a quorum"), (STEPPE, "cancelled while an amendment was before the board")]
RELEASES = [
    ("The Steppe Wind in KR", "classification"), ("The Steppe Wind in CN", "import-quota exception"),
    ("The Steppe Wind in KR", "licence to propose"), ("The Steppe Wind in KR", "scheduling"),
]  # fmt: skip


# ---------------------------------------------------------------- projecting the matrix's items


def _agreement(engine: Any, blobs: BlobStore, s: sc.Scenario, n: int) -> Shown:
    state = s.state
    spec = state.spec.model_copy(update={"id": f"authz-{state.spec.id}-{n}"})
    langs = spec.languages
    text = CanonicalText(agreement_id=spec.id, kind=spec.kind, title={lang: spec.title for lang in langs}, languages=langs, version=1,
                         parties=[], clauses=[Clause(id="purpose", heading={lg: "Purpose" for lg in langs},
                                                     body={lg: "The parties cooperate on films." for lg in langs})])  # fmt: skip
    new_hash = blobs.put(canonical_json(text))  # the revision form reads the current text from the store
    dumped = state.model_dump_json().replace(state.current_hash, new_hash)
    state = type(state).model_validate_json(dumped).model_copy(update={"spec": spec})
    wid = f"agreement-{spec.id}"
    opened = NOW - timedelta(days=1)
    desired = AgreementWorkflow(AgreementInput(spec=spec, resumed=state))._desired_steps()  # whom the workflow awaits here
    steps = tuple(
        OpenStep(step_id=sid, kind=kind, label=label, organisation_id=party.organisation_id if party else None,
                 country=party.country if party else None, awaited=awaited, opened_at=opened, opened_seq=1,
                 due_at=due or opened + timedelta(days=14), version_hash=new_hash)
        for sid, kind, label, party, awaited, _, due in desired
    )  # fmt: skip
    state.steps = list(steps)
    events = [Event(seq=1, at=opened, kind="created", actor_id=spec.initiator.id, actor_name=spec.initiator.name, detail=spec.title)]
    project_agreement(engine, AgreementProjection(workflow_id=wid, state=state, new_events=events))
    return Shown("tasks", wid, s, steps)


def _item(engine: Any, page: str, item_type: str, item_id: str, s: sc.Scenario, title: str, parties: list[ItemParty]) -> Shown:
    state = s.state
    phase = state.stage.value
    item = ItemSnapshot(item_id=item_id, item_type=item_type, kind=item_type, title=title, phase=phase, parties=parties,
                        summary=state.summary(), detail=state.model_dump(mode="json", exclude={"events"}), projected_seq=1,
                        created_at=NOW - timedelta(days=10))  # fmt: skip
    event = Event(seq=1, at=NOW - timedelta(days=10), kind="created", detail=title)
    project_item(engine, item, [], [event])
    return Shown(page, item_id, s)


def project_all(data_dir: Path) -> list[Shown]:
    engine = make_engine(get_settings().resolved_database_url)
    blobs = BlobStore(data_dir / "documents")
    shown = [_agreement(engine, blobs, pick("agreement", i, st), n) for n, (i, st) in enumerate(AGREEMENTS)]
    shown += [Shown("agreement", x.item_id, x.scenario, x.steps) for x in shown]  # the same items on their own pages
    for n, (i, st) in enumerate(TRANSFERS):
        s = pick("credit_transfer", i, st)
        parties = [ItemParty(organisation_id="kafa", country="KR", role="home"), ItemParty(organisation_id="vgik", country="RU", role="partner")]
        shown.append(_item(engine, "credit_transfer", "credit_transfer", f"authz-transfer-{n}", s, f"{i} ({st})", parties))
    for n, (i, st) in enumerate(APPLICATIONS):
        s = pick("application", i, st)
        parties = [ItemParty(organisation_id=c.organisation_id, country=c.country, role=c.role.value) for c in s.state.application.team]
        shown.append(_item(engine, "application", "grant_application", f"authz-application-{n}", s, f"{i} ({st})", parties))
    for n, (i, st) in enumerate(GRANTS):
        s = pick("grant", i, st)
        parties = [ItemParty(organisation_id=c.organisation_id, country=c.country, role=c.role.value) for c in s.state.application.team]
        shown.append(_item(engine, "grant", "grant", f"authz-grant-{n}", s, f"{i} ({st})", parties))
    for n, (i, st) in enumerate(RELEASES):
        s = pick("country_release", i, st)
        parties = [ItemParty(organisation_id=s.state.licensor.organisation_id, country=s.state.licensor.country, role="rights_holder")]
        if s.state.licence is not None:
            parties.append(ItemParty(organisation_id=s.state.licence.grant.licensee_id, country=s.state.country, role="licensee"))
        shown.append(_item(engine, "release", "country_release", f"authz-release-{n}", s, f"{i} ({st})", parties))
    return shown


# ---------------------------------------------------------------- reading the widgets drawn


def widget_keys(at: AppTest) -> set[str]:
    """The keys of every enabled input and button on the page."""
    keys: set[str] = set()
    for kind in ("button", "text_area", "text_input", "selectbox", "number_input", "radio", "multiselect", "checkbox", "date_input"):
        for e in at.get(kind):
            key = getattr(e, "key", None)
            if key and not getattr(e, "disabled", False):
                keys.add(key)
    return keys


def offered(shown: Shown, keys: set[str]) -> set[str]:
    """The actions whose widgets are drawn for this item."""
    s = shown.scenario
    if shown.page == "tasks":
        w = re.escape(shown.item_id)
        patterns = {
            "approve": rf"^approve-{w}-", "sign": rf"^sign-{w}-", "comment": rf"^comment-{w}-.*-text$",
            "decline": rf"^decline-{w}-.*-reason$", "delegate": rf"^delegate-{w}-.*-to$", "renew": rf"^renew-{w}-.*-months$",
            "open_review": rf"^init-{w}-open$", "close_review": rf"^init-{w}-close$", "void": rf"^init-{w}-void-reason$",
            "revise": rf"^revise-{w}-",
        }  # fmt: skip
    elif shown.page == "agreement":
        w = re.escape(shown.item_id)
        patterns = {"comment": rf"^page-comment-{w}-text$", "revise": rf"^revise-{w}-", "terminate": rf"^terminate-{w}-reason$"}
    elif shown.page == "credit_transfer":
        patterns = {
            "decide_course": r"^decide-.*-decision$", "provide_information": r"^answer-.*-text$", "approve": r"^stage-approve-comment$",
            "return_to_department": r"^return-reason$", "confirm_grades": r"^stage-confirm_grades-comment$",
            "authorize": r"^stage-authorize-comment$", "propose_change": r"^propose-kind$", "approve_change": r"^approve-change-",
            "decline_change": r"^decline-(?!.*-conflict$).*-reason$", "withdraw_change": r"^withdraw-",
        }  # fmt: skip
    elif shown.page == "application":
        a = re.escape(s.state.application.id)
        patterns = {
            "screen": rf"^screen-{a}-decision$", "score": rf"^score-{a}-", "decline_review": rf"^decline-{a}-conflict$",
            "vote": rf"^vote-{a}-choice$", "close_vote": rf"^close-vote-{a}$", "withdraw": rf"^withdraw-{a}-reason$",
        }  # fmt: skip
    elif shown.page == "grant":
        g = re.escape(s.state.award_id)
        patterns = {
            "submit_report": rf"^report-{g}-tranche$", "review_report": rf"^review-{g}-.*-approve$", "propose_amendment": rf"^amend-{g}-amount$",
            "vote_amendment": rf"^amendment-vote-{g}-.*-choice$", "close_amendment_vote": rf"^close-amendment-{g}$",
            "cancel": rf"^cancel-{g}-reason$",
        }  # fmt: skip
    else:
        f = re.escape(f"{s.state.film.id}-{s.state.country.lower()}")
        patterns = {
            "acknowledge": rf"^ack-{f}-note$", "classify": rf"^classify-{f}-outcome$", "decide_quota": rf"^quota-{f}-decision$",
            "record_subsidy": rf"^subsidy-{f}-outcome$", "propose_licence": rf"^licence-{f}-licensee$", "schedule_release": rf"^schedule-{f}-date$",
            "confirm_release": rf"^confirm-{f}-date$", "decline": rf"^decline-{f}-reason$",
        }  # fmt: skip
    return {action for action, p in patterns.items() if any(re.search(p, k) for k in keys)}


def entitled(shown: Shown, person_id: str) -> set[str]:
    """What the table entitles the person to on this item (each action as the matrix sends it)."""
    s, person = shown.scenario, people()[person_id]
    out = set()
    for act in sc.ACTS[s.lifecycle]:
        if ent.entitled(s.lifecycle, act.name, person, s.facts, act.make(s, person)):
            out.add(act.name)
    return out


def by_design(shown: Shown, person_id: str, action: str) -> bool:
    """Whether the dashboard is meant to offer an entitled action here (see the module's docstring)."""
    if shown.page == "agreement":
        return action in ("comment", "revise", "terminate")
    if shown.page != "tasks":
        return True
    if action == "terminate":
        return False
    awaited_approver = any(person_id in {p.id for p in st.awaited} and st.kind in ("review", "approve") for st in shown.steps)
    if action == "comment":
        return awaited_approver
    if action == "revise":
        return awaited_approver or person_id == shown.scenario.facts.initiator
    return True


# ---------------------------------------------------------------- who looks at what

VISITS: dict[str, list[str]] = {
    # username → the pages they open ("tasks", or the lifecycle of the items whose detail pages they open)
    "liaison.kr": ["tasks", "agreement", "country_release", "credit_transfer"],
    "liaison.cn": ["tasks", "agreement", "country_release"],
    "liaison.ru": ["tasks", "agreement"],
    "liaison.kz": ["tasks", "agreement", "country_release"],
    "signer.kofic": ["tasks", "agreement"],
    "admin": ["tasks", "agreement", "country_release", "application"],
    "board.member": ["tasks", "agreement", "application", "grant", "credit_transfer", "country_release"],
    "board.mirzaeva": ["grant"],
    "distributor.kr": ["tasks", "country_release"],
    "dept.kafa": ["credit_transfer"],
    "dept.vgik": ["credit_transfer"],
    "registrar.kafa": ["credit_transfer"],
    "registrar.vgik": ["credit_transfer"],
    "ministry.kr": ["credit_transfer"],
    "coordinator.vgik": ["credit_transfer"],
    "student.han": ["credit_transfer"],
    "student.seo": ["credit_transfer"],
    "fund.manager": ["application", "grant"],
    "producer.bishkek": ["application"],
}


def _panel_usernames() -> tuple[str, str]:
    """A reviewer on the Falconer's panel, and one who is not."""
    panel = sc.panel(sc.FALCONER)
    pool = [r.id for r in sc.fund_inputs()[sc.FALCONER].people.reviewers]
    return username_of(panel[0]), username_of(next(r for r in pool if r not in panel))


ON_PANEL, OFF_PANEL = _panel_usernames()
VISITS[ON_PANEL] = ["application"]
VISITS[OFF_PANEL] = ["application"]


def _open(at: AppTest, shown: Shown) -> bool:
    """Open the page that draws the item's actions; False when it is not among the person's pages."""
    try:
        if shown.page == "tasks":
            at.switch_page("views/tasks.py").run()
        else:
            at.query_params["id"] = shown.item_id
            at.switch_page(f"views/{shown.page}.py").run()
    except ValueError:  # "Could not find a navigation page": not one of this person's pages
        return False
    no_failure(at)
    return True


@pytest.fixture
def items(data_dir: Path) -> list[Shown]:
    return project_all(data_dir)


def _visits(items: list[Shown], pages: list[str]) -> Iterator[list[Shown]]:
    for page in pages:
        if page == "tasks":
            yield [x for x in items if x.page == "tasks"]
        else:
            yield from ([x] for x in items if x.scenario.lifecycle == page and x.page != "tasks")


@pytest.mark.parametrize("username", sorted(VISITS))
def test_the_dashboard_offers_exactly_the_entitled_actions(app: AppTest, items: list[Shown], username: str) -> None:
    person_id = person_of(username).id
    sign_in(app, username)
    no_failure(app)
    problems = []
    for group in _visits(items, VISITS[username]):
        keys = widget_keys(app) if _open(app, group[0]) else set()
        for shown in group:
            got = offered(shown, keys)
            may = entitled(shown, person_id)
            expected = {a for a in may if by_design(shown, person_id, a)}
            if got != expected:
                problems.append(f"{shown.scenario.key}: shows {sorted(got)}, entitled to {sorted(expected)}")
    assert not problems, f"{username}:\n" + "\n".join(problems)


def test_the_pairs_the_issue_names(items: list[Shown]) -> None:
    """The visits cover what the issue asks for, in its words."""
    releases = [x for x in items if x.scenario.lifecycle == "country_release"]
    kr_classification = next(x for x in releases if x.scenario.key == "The Steppe Wind in KR @ classification")
    assert entitled(kr_classification, "kim-minji") == {"classify", "decline"}
    assert entitled(kr_classification, "wang-lei") == set()  # another country's liaison
    screening = next(x for x in items if x.scenario.key == f"{FALCONER} @ screening")
    assert "screen" in entitled(screening, "chen-jing")
    review = next(x for x in items if x.scenario.key == f"{FALCONER} @ panel review")
    on, off = person_of(ON_PANEL).id, person_of(OFF_PANEL).id
    assert entitled(review, on) == {"score", "decline_review"} and entitled(review, off) == set()
    assert all(not entitled(x, "board-sato") - {"vote", "vote_amendment"} for x in items)  # the board only votes
    assert Phase.SIGNING.value in {x.scenario.facts.phase for x in items if x.page == "tasks"}
