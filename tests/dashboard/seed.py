"""A read model as the dashboard finds it: the demo directory, two agreements, some mail, PDFs.

Built once per test session (hashing the demo passwords takes a moment) and copied per test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from domain.agreements import (
    AgreementKind,
    AgreementProjection,
    AgreementSpec,
    AgreementState,
    Approval,
    Comment,
    Event,
    PartySpec,
    Phase,
    Version,
)
from domain.human_steps import OpenStep, StepKind
from domain.parties import PersonRef
from domain.texts import CanonicalText, Clause, canonical_json, text_sha256
from store import directory
from store.blobs import BlobStore
from store.outbox import enqueue
from store.projections import project_agreement
from tests.dashboard.grant_seed import seed_grants
from tests.dashboard.program_seed import seed_programs
from tests.dashboard.release_seed import seed_releases

ROOT = Path(__file__).resolve().parents[2]
DEMO_DIRECTORY = ROOT / "demo" / "directory.yaml"
NOW = datetime.now(UTC).replace(microsecond=0)
KR_KZ = "agreement-coproduction-kr-kz"
CN_RU = "agreement-film-schools-cn-ru"
KR_LICENCE = "agreement-licence-kr"


def ref(engine: Engine, person_id: str) -> PersonRef:
    person = directory.get_person(engine, person_id)
    assert person is not None, person_id
    return PersonRef.of(person)


def party(engine: Engine, org: str, approvers: list[str], signatories: list[str], liaison: str | None) -> PartySpec:
    o = directory.get_organisation(engine, org)
    assert o is not None, org
    return PartySpec(
        organisation_id=org,
        names=dict(o.names),
        country=o.country,
        approvers=[ref(engine, p) for p in approvers],
        signatories=[ref(engine, p) for p in signatories],
        liaison=ref(engine, liaison) if liaison else None,
    )


def clause(cid: str, heading: str, body: str) -> Clause:
    return Clause(id=cid, heading={"en": heading, "ko": heading}, body={"en": body, "ko": body})


def kr_kz_text(n: int) -> CanonicalText:
    """Version 2 widens the scope, adds a committee (with markup in it) and drops the governing law."""
    clauses = [
        clause(
            "purpose", "Purpose", "The parties cooperate on feature films" + (", documentaries and animation." if n == 2 else ".")
        ),
        clause("share", "Financial share", "Each party contributes at least 20 percent."),
        clause("committee", "Joint committee", "Disputes go to the committee <script>alert(1)</script>.")
        if n == 2
        else clause("law", "Governing law", "This memorandum is not a treaty."),
    ]
    return CanonicalText(
        agreement_id="coproduction-kr-kz",
        kind=AgreementKind.CO_PRODUCTION,
        version=n,
        title={"en": "Korea–Kazakhstan Co-production MOU"},
        languages=["en", "ko"],
        parties=[],
        clauses=clauses,
    )


KR_KZ_HASHES = {n: text_sha256(kr_kz_text(n)) for n in (1, 2)}


def version(n: int, blobs: BlobStore, author: PersonRef, at: datetime, text: CanonicalText | None = None) -> Version:
    pdf = blobs.put(f"%PDF-1.7 fake version {n}".encode())
    if text is not None:
        assert blobs.put(canonical_json(text)) == text_sha256(text)
    return Version(
        number=n,
        author_id=author.id,
        author_name=author.name,
        summary=f"Draft {n}",
        created_at=at,
        text_sha256=text_sha256(text) if text else f"{n:x}".rjust(64, "c"),
        pdf_sha256=pdf,
        pages=4,
    )


def kr_kz(engine: Engine, blobs: BlobStore) -> AgreementProjection:
    """In approval, version 2: KOFIC's approval is awaited from Kim Min-ji (one day old)."""
    liu = ref(engine, "liu-yang")
    spec = AgreementSpec(
        id="coproduction-kr-kz",
        kind=AgreementKind.CO_PRODUCTION,
        title="Korea–Kazakhstan Co-production MOU",
        languages=["en", "ko"],
        initiator=liu,
        parties=[
            party(engine, "kofic", ["kim-minji"], ["kim-minji", "park-jihoon"], "kim-minji"),
            party(engine, "kazakhfilm", ["aigerim-nurlanova"], ["aigerim-nurlanova"], "aigerim-nurlanova"),
        ],
    )
    t0 = NOW - timedelta(days=3)
    versions = [version(1, blobs, liu, t0, kr_kz_text(1)), version(2, blobs, liu, t0 + timedelta(days=1), kr_kz_text(2))]
    events = [
        Event(seq=1, at=t0, kind="created", actor_id=liu.id, actor_name=liu.name, detail="co_production"),
        Event(
            seq=2,
            at=t0 + timedelta(days=1),
            kind="version_created",
            actor_id=liu.id,
            actor_name=liu.name,
            detail="Version 2: Draft 2",
        ),
        Event(seq=3, at=NOW - timedelta(days=1), kind="review_closed", detail="Review round 1 closed"),
    ]
    aigerim = ref(engine, "aigerim-nurlanova")
    state = AgreementState(
        spec=spec,
        phase=Phase.APPROVAL,
        review_round=1,
        versions=versions,
        events=events,
        projected_seq=3,
        approvals=[
            Approval(
                organisation_id="kazakhfilm",
                person_id=aigerim.id,
                person_name=aigerim.name,
                version_hash=versions[-1].text_sha256,
                at=NOW - timedelta(hours=20),
            )
        ],
        comments=[
            Comment(
                author_id=aigerim.id,
                author_name=aigerim.name,
                organisation_id="kazakhfilm",
                version=2,
                text="Kazakhfilm agrees with clause 4 as revised.",
                at=NOW - timedelta(hours=30),
            )
        ],
        steps=[
            OpenStep(
                step_id="approve-kofic-v2",
                kind=StepKind.APPROVE,
                label="Approve version 2 for Korean Film Council",
                organisation_id="kofic",
                country="KR",
                awaited=[ref(engine, "kim-minji")],
                opened_at=NOW - timedelta(days=1),
                due_at=NOW + timedelta(days=13),
                version_hash=versions[-1].text_sha256,
            )
        ],
    )
    return AgreementProjection(workflow_id=KR_KZ, state=state, new_events=events)


def cn_ru(engine: Engine, blobs: BlobStore) -> AgreementProjection:
    """A partnership between Chinese and Russian schools, in review: nothing Korean about it."""
    zhang, liu = ref(engine, "zhang-wei"), ref(engine, "liu-yang")
    spec = AgreementSpec(
        id="film-schools-cn-ru",
        kind=AgreementKind.UNIVERSITY_PARTNERSHIP,
        title="BFA–VGIK Film School Partnership",
        initiator=liu,
        variables={"program_name": "Joint MFA in Film Directing"},
        parties=[
            party(engine, "bfa", ["zhang-wei"], ["zhang-wei"], None),
            party(engine, "vgik", ["petrov-sergey"], ["petrov-sergey"], None),
        ],
    )
    events = [Event(seq=1, at=NOW - timedelta(days=2), kind="created", actor_id=zhang.id, actor_name=zhang.name)]
    state = AgreementState(
        spec=spec,
        phase=Phase.REVIEW,
        review_round=1,
        events=events,
        projected_seq=1,
        versions=[version(1, blobs, zhang, NOW - timedelta(days=2))],
    )
    return AgreementProjection(workflow_id=CN_RU, state=state, new_events=events)


def licence(engine: Engine, blobs: BlobStore) -> AgreementProjection:
    """A licence in signing: Park Ji-hoon signs for KOFIC, who may delegate to Kim Min-ji."""
    han = ref(engine, "han-jiyoung")
    spec = AgreementSpec(
        id="licence-kr",
        kind=AgreementKind.LICENCE,
        title="Licence: “Steppe Wind” in Korea",
        initiator=han,
        variables={
            "film_title": "Steppe Wind",
            "territory": ["KR"],
            "media": ["theatrical"],
            "term_start": "2026-01-01",
            "term_end": "2028-12-31",
            "fee": "25000.00",
        },
        parties=[
            party(engine, "kofic", ["kim-minji"], ["park-jihoon", "kim-minji"], "kim-minji"),
            party(engine, "cj-dist", ["han-jiyoung"], ["han-jiyoung"], "kim-minji"),
        ],
    )
    v1 = version(1, blobs, han, NOW - timedelta(days=20))
    events = [Event(seq=1, at=NOW - timedelta(days=20), kind="created", actor_id=han.id, actor_name=han.name)]
    step = OpenStep(
        step_id="sign-kofic-t1-v1",
        kind=StepKind.SIGN,
        label="Sign version 1 for Korean Film Council",
        organisation_id="kofic",
        country="KR",
        awaited=[ref(engine, "park-jihoon")],
        opened_at=NOW - timedelta(days=16),
        due_at=NOW - timedelta(days=2),
        version_hash=v1.text_sha256,
    )
    state = AgreementState(
        spec=spec, phase=Phase.SIGNING, review_round=1, versions=[v1], events=events, projected_seq=1, steps=[step]
    )
    return AgreementProjection(workflow_id=KR_LICENCE, state=state, new_events=events)


def seed(engine: Engine, data_dir: Path) -> None:
    directory.load_directory(engine, DEMO_DIRECTORY)
    blobs = BlobStore(data_dir / "documents")
    project_agreement(engine, kr_kz(engine, blobs))
    project_agreement(engine, cn_ru(engine, blobs))
    project_agreement(engine, licence(engine, blobs))
    seed_programs(engine, blobs)
    seed_grants(engine, blobs)
    seed_releases(engine, blobs)
    enqueue(
        engine,
        "m1",
        KR_KZ,
        ["kim-minji@demo.helix.example"],
        "Action needed: approve version 2",
        "Approve version 2 for Korean Film Council is awaited from you.",
    )
    enqueue(engine, "m2", CN_RU, ["petrov-sergey@demo.helix.example"], "Review open: BFA–VGIK", "Please review.")
