"""The co-production fund part of the seeded read model: the SCO fund, five applications, one grant.

Built from the domain's worked examples (`tests/domain/grants/examples.py`) with real
`ApplicationState`, `GrantState` and `Ledger` objects, projected the way the workflows do:

- The Long Steppe (in-kz-drama): awarded 120,000.00 USD; its grant is active, the agreement
  executed, the signature tranche (48,000.00) paid with a payment instruction, and the production
  milestone report awaited from Priya Nair.
- Paper Cranes over the Volga (cn-ru-animation): in panel review; Aigerim has scored it, Olga's
  score is awaited.
- Silk Road Signals (kr-uz-youth-ai): reviewed (+5 priority bonus), at the board; Chen Hao voted to
  approve, the other three members are awaited.
- Nomads of the Tien Shan (kz-kg-doc): ineligible (10 % matching funds), rejected with a letter.
- Blue Sky Herders (kr-mn-pitch, pitching call): eligible, awaiting the fund manager's screening.

The fund's ledger holds the Long Steppe commitment and its first release.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from domain.agreements import Event, PartySpec, Phase
from domain.grants.application_state import ApplicationState, ReviewAssignment, Screening
from domain.grants.board import Vote, VoteChoice, tally
from domain.grants.eligibility import check_eligibility
from domain.grants.funds import GrantCall
from domain.grants.grant_state import GrantState
from domain.grants.ledger import Ledger
from domain.grants.process import AgreementParties, ApplicationStage, GrantPeople, GrantStage, PaymentRecord
from domain.grants.rubric import Score, aggregate, priority_bonus, weighted_score
from domain.grants.tranches import schedule
from domain.human_steps import OpenStep, StepKind
from domain.parties import Organisation, OrganisationKind, Person, PersonRef, Role, RoleGrant
from domain.readmodel import ItemDocument, ItemParty, ItemSnapshot
from services.grants import FundDefinition, save_fund
from store import accounts, directory
from store.blobs import BlobStore
from store.projections import project_item
from tests.domain.grants.examples import FUND, POOL, SUBMITTED, application, main_call, pitch_call

NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "helix-demo"
D = Decimal

FUND_ITEM = f"fund-{FUND.id}"
STEPPE, CRANES, SIGNALS, NOMADS, HERDERS = "in-kz-drama", "cn-ru-animation", "kr-uz-youth-ai", "kz-kg-doc", "kr-mn-pitch"
STEPPE_GRANT = f"grant-{STEPPE}"
STEPPE_AGREEMENT = f"agreement-grant-{STEPPE}"


def app_item(key: str) -> str:
    return f"application-{key}"


ORGANISATIONS = [
    ("mumbai-talkies", "Mumbai Talkies Pvt Ltd", "IN", OrganisationKind.PRODUCER),
    ("shanghai-animation", "Shanghai Animation Film Studio", "CN", OrganisationKind.PRODUCER),
    ("seoul-youth-lab", "Seoul Youth Film Lab", "KR", OrganisationKind.PRODUCER),
    ("almaty-frames", "Almaty Frames", "KZ", OrganisationKind.PRODUCER),
    ("jeju-films", "Jeju Films", "KR", OrganisationKind.PRODUCER),
    ("nfdc-india", "National Film Development Corporation", "IN", OrganisationKind.FILM_BODY),
    ("beijing-film-academy", "Beijing Film Academy", "CN", OrganisationKind.UNIVERSITY),
]

# (id, name, organisation, roles, username): test accounts are prefixed `t.` (the demo's are not).
PEOPLE: list[tuple[str, str, str | None, list[RoleGrant], str | None]] = [
    ("fm-zhou", "Zhou Lan", "sco-festival", [RoleGrant(role=Role.FUND_MANAGER)], "t.fund.manager"),
    ("board-chen", "Chen Hao", None, [RoleGrant(role=Role.BOARD_MEMBER)], "t.board.chen"),
    ("board-ivanova", "Irina Ivanova", None, [RoleGrant(role=Role.BOARD_MEMBER)], "t.board.ivanova"),
    ("board-lee", "Lee Jiyeon", None, [RoleGrant(role=Role.BOARD_MEMBER)], None),
    ("board-nurlanova", "Dana Nurlanova", None, [RoleGrant(role=Role.BOARD_MEMBER)], None),
    ("aigerim", "Aigerim Sadykova", "kazakhfilm", [RoleGrant(role=Role.REVIEWER)], "t.reviewer.aigerim"),
    ("arjun", "Arjun Mehta", "nfdc-india", [RoleGrant(role=Role.REVIEWER)], None),
    ("olga", "Olga Petrova", "vgik", [RoleGrant(role=Role.REVIEWER)], "t.reviewer.olga"),
    ("li-wei", "Li Wei", "beijing-film-academy", [RoleGrant(role=Role.REVIEWER)], None),
    ("priya-nair", "Priya Nair", "mumbai-talkies", [], "t.producer.priya"),
    ("zhang-min", "Zhang Min", "shanghai-animation", [], "t.producer.zhang"),
    ("han-yuna", "Han Yuna", "seoul-youth-lab", [], None),
    ("asel-omarova", "Asel Omarova", "almaty-frames", [], None),
    ("oh-sena", "Oh Sena", "jeju-films", [], None),
]


def _people(engine: Engine) -> dict[str, PersonRef]:
    for oid, name, country, kind in ORGANISATIONS:
        if directory.get_organisation(engine, oid) is None:
            directory.upsert_organisation(engine, Organisation(id=oid, names={"en": name}, kind=kind, country=country))
    refs: dict[str, PersonRef] = {}
    for pid, name, org, roles, username in PEOPLE:
        person = Person(id=pid, name=name, email=f"{pid}@demo.helix.example", organisation_id=org, roles=tuple(roles))
        directory.upsert_person(engine, person)
        if username:
            accounts.create_account(engine, username, pid, PASSWORD)
        refs[pid] = PersonRef.of(person)
    return refs


def grant_people(refs: dict[str, PersonRef]) -> GrantPeople:
    board = tuple(refs[b] for b in ("board-chen", "board-ivanova", "board-lee", "board-nurlanova"))
    pool = tuple(r.model_copy(update={"person": refs[r.person.id]}) for r in POOL if r.person.id in refs)
    return GrantPeople(fund_managers=(refs["fm-zhou"],), board=board, reviewers=pool)


def fund_party(refs: dict[str, PersonRef]) -> PartySpec:
    return PartySpec(organisation_id="sco-festival", names={"en": "SCO Film Festival"}, country="CN",
                     approvers=[refs["fm-zhou"]], signatories=[refs["fm-zhou"]])  # fmt: skip


def parties(refs: dict[str, PersonRef], key: str) -> AgreementParties:
    a = application(key)
    contact = refs[a.contact.id]
    grantee = PartySpec(organisation_id=a.lead.organisation_id, names={"en": a.lead.name}, country=a.lead.country,
                        approvers=[contact], signatories=[contact])  # fmt: skip
    return AgreementParties(fund_party=fund_party(refs), grantee_party=grantee, initiator=refs["fm-zhou"])


def _event(seq: int, at: datetime, kind: str, actor: PersonRef | None, detail: str) -> Event:
    return Event(seq=seq, at=at, kind=kind, actor_id=actor.id if actor else None, actor_name=actor.name if actor else None,
                 detail=detail)  # fmt: skip


def _step(step_id: str, kind: StepKind, label: str, awaited: list[PersonRef], opened: datetime, days: int = 14) -> OpenStep:
    return OpenStep(
        step_id=step_id, kind=kind, label=label, awaited=awaited, opened_at=opened, due_at=opened + timedelta(days=days)
    )


def _parties_of(state: ApplicationState | GrantState) -> list[ItemParty]:
    return [ItemParty(organisation_id=c.organisation_id, country=c.country, role=c.role.value, name=c.name)
            for c in state.application.team]  # fmt: skip


def project_application(engine: Engine, state: ApplicationState, events: list[Event], docs: list[ItemDocument] = ()) -> None:  # type: ignore[assignment]
    state.projected_seq = state.event_count = len(events)
    state.documents = list(docs)
    a = state.application
    item = ItemSnapshot(
        item_id=app_item(a.id), item_type="grant_application", kind=state.call.id,
        title=f"Application {a.id}: {a.project.title}", phase=state.stage.value, parties=_parties_of(state),
        summary=state.summary(), detail=state.model_dump(mode="json", exclude={"events"}),
        projected_seq=state.projected_seq, created_at=state.submitted_at, closed_at=state.closed_at,
    )  # fmt: skip
    project_item(engine, item, state.steps, events, list(docs))


def project_grant(engine: Engine, state: GrantState, events: list[Event], docs: list[ItemDocument] = ()) -> None:  # type: ignore[assignment]
    state.projected_seq = state.event_count = len(events)
    state.documents = list(docs)
    a = state.application
    item = ItemSnapshot(
        item_id=f"grant-{a.id}", item_type="grant", kind=state.call.id, title=f"Grant {a.id}: {a.project.title}",
        phase=state.stage.value, parties=_parties_of(state), summary=state.summary(),
        detail=state.model_dump(mode="json", exclude={"events"}), projected_seq=state.projected_seq,
        created_at=state.created_at, closed_at=state.closed_at,
    )  # fmt: skip
    project_item(engine, item, state.steps, events, list(docs))


def project_fund(engine: Engine, ledger: Ledger, events: list[Event]) -> None:
    f = ledger.figures()
    item = ItemSnapshot(
        item_id=FUND_ITEM, item_type="fund", kind=FUND.currency, title=FUND.name(), phase="open",
        summary={k: str(v) for k, v in f.model_dump().items()},
        detail={"fund": FUND.model_dump(mode="json"), "ledger": ledger.model_dump(mode="json")},
        projected_seq=len(events),
    )  # fmt: skip
    project_item(engine, item, [], events)


def _state(refs: dict[str, PersonRef], key: str, call: GrantCall, stage: ApplicationStage) -> ApplicationState:
    a = application(key)
    a = a.model_copy(update={"contact": refs[a.contact.id]})
    submitted = SUBMITTED[key]
    bonus, _ = priority_bonus(list(a.priorities), call.bonuses)
    return ApplicationState(fund=FUND, call=call, application=a, people=grant_people(refs), parties=parties(refs, key),
                            stage=stage, submitted_at=submitted, eligibility=check_eligibility(a, call, submitted.date()),
                            bonus=bonus)  # fmt: skip


def _scored(
    call: GrantCall, reviewer: PersonRef, app_id: str, marks: tuple[int, ...], at: datetime, comment: str
) -> ReviewAssignment:
    score = Score(reviewer_id=reviewer.id, application_id=app_id, comment=comment,
                  values={c.id: D(m) for c, m in zip(call.rubric.criteria, marks, strict=True)})  # fmt: skip
    return ReviewAssignment(reviewer=reviewer, assigned_at=at - timedelta(days=10), due_at=at + timedelta(days=11), score=score,
                            weighted=weighted_score(call.rubric, score), scored_at=at)  # fmt: skip


def _screened(refs: dict[str, PersonRef], at: datetime) -> Screening:
    return Screening(by=refs["fm-zhou"], passed=True, at=at)


def steppe(engine: Engine, refs: dict[str, PersonRef], blobs: BlobStore) -> Ledger:
    """Awarded, agreement executed, first tranche paid; the milestone report is awaited."""
    call = main_call()
    s = _state(refs, STEPPE, call, ApplicationStage.AWARDED)
    t0 = s.submitted_at
    assert t0 is not None
    s.screening = _screened(refs, t0 + timedelta(days=3))
    s.reviews = [
        _scored(call, refs["olga"], STEPPE, (8, 7, 9, 6), t0 + timedelta(days=14), "A strong, specific sound world."),
        _scored(call, refs["li-wei"], STEPPE, (9, 8, 8, 7), t0 + timedelta(days=15), "Ready to shoot."),
    ]
    s.score = aggregate(call.rubric, [r.score for r in s.reviews if r.score])
    board = s.people.board
    s.votes = [Vote(member_id=m.id, choice=VoteChoice.APPROVE) for m in board]
    s.decision = tally(s.votes, [m.id for m in board], call.board.quorum, majority=call.board.majority,
                       requested=s.application.requested_amount, max_amount=call.max_amount, currency=FUND.currency)  # fmt: skip
    s.award_amount = s.decision.amount
    s.grant_workflow_id = STEPPE_GRANT
    s.closed_at = t0 + timedelta(days=30)
    letter = ItemDocument(sha256=blobs.put(b"%PDF-1.7 fake award letter"), kind="award_letter", label="Award letter",
                          pages=2, created_at=s.closed_at)  # fmt: skip
    project_application(engine, s, [
        _event(1, t0, "submitted", s.application.contact, "“The Long Steppe”: 120,000.00 USD requested"),
        _event(2, t0 + timedelta(days=3), "screened", refs["fm-zhou"], "Passed to the panel"),
        _event(3, s.closed_at, "awarded", None, "120,000.00 USD awarded to “The Long Steppe”"),
    ], [letter])  # fmt: skip

    signed = (s.closed_at + timedelta(days=10)).date()
    tranches = schedule(D("120000"), call.tranche_schedule, signed)
    paid_on = signed + timedelta(days=1)
    tranches[0] = tranches[0].model_copy(update={"paid_on": paid_on, "payment_reference": "PAY-2026-000001"})
    pdf = blobs.put(b"%PDF-1.7 fake payment instruction PAY-2026-000001")
    issued = datetime(paid_on.year, paid_on.month, paid_on.day, 9, tzinfo=UTC)
    payment = PaymentRecord(key=f"{STEPPE_GRANT}/signature", reference="PAY-2026-000001", amount=D("48000.00"), currency="USD",
                            pdf_sha256=pdf, pages=1, issued_at=issued)  # fmt: skip
    producer = refs["priya-nair"]
    g = GrantState(fund=FUND, call=call, application=s.application, people=s.people, parties=parties(refs, STEPPE),
                   amount=D("120000"), decision=s.decision, stage=GrantStage.ACTIVE, agreement_workflow_id=STEPPE_AGREEMENT,
                   agreement_phase=Phase.ACTIVE, signed_on=signed, tranches=tranches, payments=[payment],
                   created_at=s.closed_at, revision=3)  # fmt: skip
    g.steps = [_step("report-milestone", StepKind.REPORT, "Submit the production milestone report (Production milestone)",
                     [producer], issued, days=180)]  # fmt: skip
    doc = ItemDocument(sha256=pdf, kind="payment_instruction", label="Payment instruction PAY-2026-000001", pages=1,
                       created_at=issued)  # fmt: skip
    project_grant(engine, g, [
        _event(1, s.closed_at, "created", None, "Grant of 120,000.00 USD; the agreement goes out for signature"),
        _event(2, datetime(signed.year, signed.month, signed.day, 12, tzinfo=UTC), "agreement_executed", None, "Signed by both parties"),
        _event(3, issued, "tranche_paid", None, "On signature: 48,000.00 USD, PAY-2026-000001"),
    ], [doc])  # fmt: skip
    return Ledger.open(FUND).commit(STEPPE, D("120000")).release(STEPPE, "signature", D("48000"))


def cranes(engine: Engine, refs: dict[str, PersonRef]) -> None:
    """In review: Aigerim scored, Olga's score is awaited (and her step is in her inbox)."""
    call = main_call()
    s = _state(refs, CRANES, call, ApplicationStage.REVIEW)
    t0 = s.submitted_at
    assert t0 is not None
    s.screening = _screened(refs, t0 + timedelta(days=2))
    assigned = NOW - timedelta(days=5)
    s.reviews = [
        _scored(call, refs["aigerim"], CRANES, (9, 9, 7, 10), NOW - timedelta(days=1), "Secret remark: the best animation this year."),
        ReviewAssignment(reviewer=refs["olga"], assigned_at=assigned, due_at=assigned + timedelta(days=21)),
        ReviewAssignment(reviewer=refs["arjun"], assigned_at=assigned, due_at=assigned + timedelta(days=21),
                         left_reason="Declared a conflict of interest", conflict=True),
    ]  # fmt: skip
    s.revision = 4
    s.steps = [_step("score-olga", StepKind.SCORE, "Score the application", [refs["olga"]], assigned, days=21)]
    project_application(engine, s, [
        _event(1, t0, "submitted", s.application.contact, "“Paper Cranes over the Volga”: 150,000.00 USD requested"),
        _event(2, t0 + timedelta(days=2), "screened", refs["fm-zhou"], "Passed to the panel"),
        _event(3, assigned, "panel_assigned", None, "Aigerim Sadykova, Olga Petrova, Arjun Mehta"),
    ])  # fmt: skip


def signals(engine: Engine, refs: dict[str, PersonRef]) -> None:
    """At the board: reviewed, one vote in, three members awaited."""
    call = main_call()
    s = _state(refs, SIGNALS, call, ApplicationStage.BOARD)
    t0 = s.submitted_at
    assert t0 is not None
    s.screening = _screened(refs, t0 + timedelta(days=1))
    s.reviews = [
        _scored(call, refs["aigerim"], SIGNALS, (7, 8, 8, 7), NOW - timedelta(days=6), "Fresh and feasible."),
        _scored(call, refs["olga"], SIGNALS, (8, 7, 7, 8), NOW - timedelta(days=4), "Good use of the tools."),
    ]
    s.score = aggregate(call.rubric, [r.score for r in s.reviews if r.score])
    s.votes = [Vote(member_id="board-chen", choice=VoteChoice.APPROVE, amount=D("45000"))]
    s.revision = 6
    waiting = [m for m in s.people.board if m.id != "board-chen"]
    s.steps = [_step("board-vote", StepKind.VOTE, "Vote on the award", waiting, NOW - timedelta(days=3))]
    project_application(engine, s, [
        _event(1, t0, "submitted", s.application.contact, "“Silk Road Signals”: 50,000.00 USD requested"),
        _event(2, NOW - timedelta(days=4), "reviewed", None, f"Panel score {s.score} of 100 (+{s.bonus} priority bonus)"),
        _event(3, NOW - timedelta(days=2), "voted", refs["board-chen"], "approve"),
    ])  # fmt: skip


def nomads(engine: Engine, refs: dict[str, PersonRef], blobs: BlobStore) -> None:
    """Ineligible: 10 % matching funds against the 30 % the call asks; rejected with a letter."""
    call = main_call()
    s = _state(refs, NOMADS, call, ApplicationStage.REJECTED)
    assert s.eligibility is not None and not s.eligibility.eligible
    s.reasons = list(s.eligibility.reasons)
    t0 = s.submitted_at
    assert t0 is not None
    s.closed_at = t0 + timedelta(minutes=1)
    letter = ItemDocument(sha256=blobs.put(b"%PDF-1.7 fake rejection letter"), kind="rejection_letter",
                          label="Rejection letter", pages=1, created_at=s.closed_at)  # fmt: skip
    project_application(engine, s, [
        _event(1, t0, "submitted", s.application.contact, "“Nomads of the Tien Shan”: 135,000.00 USD requested"),
        _event(2, s.closed_at, "ineligible", None, " ".join(s.reasons)),
    ], [letter])  # fmt: skip


def herders(engine: Engine, refs: dict[str, PersonRef]) -> None:
    """Pitching call: eligible, awaiting the fund manager's screening."""
    call = pitch_call()
    s = _state(refs, HERDERS, call, ApplicationStage.SCREENING)
    t0 = s.submitted_at
    assert t0 is not None
    s.revision = 1
    s.steps = [_step("screen", StepKind.SCREEN, "Screen the application", [refs["fm-zhou"]], NOW - timedelta(days=1))]
    project_application(engine, s, [
        _event(1, t0, "submitted", s.application.contact, "“Blue Sky Herders”: 20,000.00 USD requested"),
        _event(2, t0, "eligible", None, "Every eligibility rule of the call is met"),
    ])  # fmt: skip


def seed_grants(engine: Engine, blobs: BlobStore) -> None:
    refs = _people(engine)
    save_fund(engine, FundDefinition(fund=FUND, calls=[main_call(), pitch_call()], people=grant_people(refs),
                                     fund_party=fund_party(refs)))  # fmt: skip
    ledger = steppe(engine, refs, blobs)
    cranes(engine, refs)
    signals(engine, refs)
    nomads(engine, refs, blobs)
    herders(engine, refs)
    t = NOW - timedelta(days=60)
    project_fund(engine, ledger, [
        _event(1, t, "commit", None, "Commitment to award in-kz-drama: 120,000.00 USD"),
        _event(2, t + timedelta(days=11), "release", None, "Release of tranche signature of award in-kz-drama: 48,000.00 USD"),
    ])  # fmt: skip
