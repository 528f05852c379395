"""Award-to-release on the time-skipping server: the fan-out, one country's path, rights conflicts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.agreements import ApproveAction, Phase, PhaseAction, SignAction
from domain.releases.festival import member_countries_for
from domain.releases.process import (
    AcknowledgeAction,
    ClassifyAction,
    ConfirmReleaseAction,
    DeclineAction,
    LicenceAction,
    QuotaAction,
    RecordAwardAction,
    ReleaseStage,
    RightsRequest,
    ScheduleAction,
    SubsidyAction,
)
from domain.releases.rights import Media
from tests.domain.releases.examples import AWARDS, LIC_KZ, PAPER_CRANES, STEPPE_WIND
from tests.workflows.joint_program import rejected, until
from tests.workflows.release_round import ADMIN, LIAISONS, distributor, start_festival
from tests.workflows.test_agreement import wait_phase
from workflows.agreement import AgreementWorkflow
from workflows.country_release import CountryReleaseWorkflow as R
from workflows.country_release import release_workflow_id
from workflows.festival import FestivalWorkflow as F
from workflows.film_rights import FilmRightsWorkflow

TODAY = date.today()


def licence(country: str, deal: str, **kw: object) -> LicenceAction:
    data: dict[str, object] = dict(actor_id=LIAISONS[country].id, deal_id=deal, licensee=distributor(country), media=[Media.THEATRICAL],
                                   starts_on=TODAY + timedelta(days=10), ends_on=TODAY + timedelta(days=700), exclusive=True,
                                   fee=Decimal("25000"), currency="USD")  # fmt: skip
    data.update(kw)
    return LicenceAction.model_validate(data)


async def sign(env, wid: str) -> None:  # type: ignore[no-untyped-def]
    ag = env.client.get_workflow_handle(wid)
    a = await wait_phase(ag, Phase.REVIEW)
    await ag.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=a.spec.initiator.id))
    for p in a.spec.parties:
        await ag.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=p.approvers[0].id, version_hash=a.current_hash))
    for p in a.spec.parties:
        await ag.execute_update(AgreementWorkflow.sign, SignAction(actor_id=p.signatories[0].id, version_hash=a.current_hash))


async def test_an_award_fans_out_and_a_country_takes_the_film_to_release(env, worker):
    _, fakes, queue = worker
    fest = await start_festival(env, queue)
    msg = await rejected(fest.execute_update(F.record_award, RecordAwardAction(actor_id="liaison-kr", award=AWARDS[0])))
    assert msg == "liaison-kr cannot record awards: only the festival's administrators can."
    r = await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[0]))
    countries = member_countries_for(STEPPE_WIND)
    assert len(r.started) == len(countries) and "KZ" not in countries  # every member and Korea, not the origin
    assert r.message == f"Award recorded; “The Steppe Wind” is recommended to {len(countries)} member countries."
    kr = env.client.get_workflow_handle(release_workflow_id(STEPPE_WIND.id, "KR"))
    await until(kr, R.state, lambda s: s.documents, "letter")
    assert sorted(c for f, c in fakes.letters_sent if f == STEPPE_WIND.id) == countries
    msg = await rejected(kr.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-cn")))
    assert "only Liaison Kr, the liaison for KR, can" in msg
    await kr.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-kr"))
    msg = await rejected(kr.execute_update(R.classify, ClassifyAction(actor_id="liaison-kr", outcome="approved", rating="PG-13")))
    assert "PG-13" in msg
    msg = await rejected(kr.execute_update(R.classify, ClassifyAction(actor_id="liaison-kr", outcome="approved_with_cuts", rating="15")))
    assert msg == "Describe the cuts required: the distributor must make them."
    await kr.execute_update(R.classify, ClassifyAction(actor_id="liaison-kr", outcome="approved_with_cuts", rating="15", cuts="Trim scene 14"))
    st = await kr.query(R.state)
    assert st.stage is ReleaseStage.SUBSIDY  # Korea needs no quota exception
    await kr.execute_update(R.record_subsidy, SubsidyAction(actor_id="liaison-kr", outcome="granted", kind="subtitling",
                                                            amount=Decimal("5000"), currency=st.rules.subsidy_currency or "KRW"))  # fmt: skip
    await kr.execute_update(R.propose_licence, licence("KR", "lic-steppe-kr"))
    st = await kr.query(R.state)
    assert st.stage is ReleaseStage.LICENCE and st.licence is not None
    await sign(env, st.licence.agreement_workflow_id)
    await until(kr, R.state, lambda s: s.stage is ReleaseStage.SCHEDULING, "licence signed")
    msg = await rejected(kr.execute_update(R.schedule_release, ScheduleAction(actor_id="liaison-kr", release_on=TODAY, platform="CGV")))
    assert "is outside the licence term" in msg
    await kr.execute_update(R.schedule_release, ScheduleAction(actor_id="liaison-kr", release_on=TODAY + timedelta(days=30), platform="CGV"))
    await kr.execute_update(R.confirm_release, ConfirmReleaseAction(actor_id="liaison-kr", released_on=TODAY + timedelta(days=30),
                                                                    platform="CGV"))  # fmt: skip
    assert (await kr.result()) == ReleaseStage.RELEASED
    item = fakes.items[kr.id].item
    assert item.summary["abroad"] and item.summary["released_on"] == (TODAY + timedelta(days=30)).isoformat()
    # a second award for the same film starts nothing twice
    again = await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[0].model_copy(
        update={"id": "aw-2026-99", "category_id": "jury_prize"})))  # fmt: skip
    assert again.started == [] and "already recommended" in again.message


async def test_refusals_quota_and_a_declining_country(env, worker):
    _, _, queue = worker
    fest = await start_festival(env, queue)
    await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[1]))  # Paper Cranes
    ir = env.client.get_workflow_handle(release_workflow_id(PAPER_CRANES.id, "IR"))  # CN and RU are its origin
    await until(ir, R.state, lambda s: s.documents, "letter")
    await ir.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-ir"))
    await ir.execute_update(R.classify, ClassifyAction(actor_id="liaison-ir", outcome="approved"))  # approval without ratings
    assert (await ir.query(R.state)).stage is ReleaseStage.QUOTA  # Iran needs an import-quota exception
    msg = await rejected(ir.execute_update(R.decide_quota, QuotaAction(actor_id="liaison-ir", granted=False)))
    assert msg == "Say why the quota exception was refused."
    await ir.execute_update(R.decide_quota, QuotaAction(actor_id="liaison-ir", granted=False, reason="This year's quota is filled."))
    assert (await ir.result()) == ReleaseStage.REFUSED
    by = env.client.get_workflow_handle(release_workflow_id(PAPER_CRANES.id, "BY"))
    await until(by, R.state, lambda s: s.documents, "letter")
    await by.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-by"))
    msg = await rejected(by.execute_update(R.classify, ClassifyAction(actor_id="liaison-by", outcome="refused")))
    assert msg == "Say why classification was refused: the rights holder reads the reason."
    await by.execute_update(R.classify, ClassifyAction(actor_id="liaison-by", outcome="refused", reason="Not suitable for the cinema calendar."))
    assert (await by.result()) == ReleaseStage.REFUSED
    ru = env.client.get_workflow_handle(release_workflow_id(PAPER_CRANES.id, "IN"))
    await until(ru, R.state, lambda s: s.documents, "letter")
    await ru.execute_update(R.decline, DeclineAction(actor_id="liaison-in", reason="No distributor for animation this season."))
    assert (await ru.result()) == ReleaseStage.DECLINED


async def test_a_licence_overlapping_an_exclusive_deal_is_refused_naming_it(env, worker):
    _, _, queue = worker
    fest = await start_festival(env, queue)
    await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[1]))
    rights = env.client.get_workflow_handle(f"rights-{PAPER_CRANES.id}")
    await until(rights, FilmRightsWorkflow.ledger, lambda x: True, "rights open")
    await rights.execute_update(FilmRightsWorkflow.apply, RightsRequest(film_id=PAPER_CRANES.id, grant=LIC_KZ, request_key="pre"))
    kz = env.client.get_workflow_handle(release_workflow_id(PAPER_CRANES.id, "KZ"))
    await until(kz, R.state, lambda s: s.documents, "letter")
    await kz.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-kz"))
    st = await kz.query(R.state)
    await kz.execute_update(R.classify, ClassifyAction(actor_id="liaison-kz", outcome="approved", rating=st.rules.ratings[0] if st.rules.ratings else None))
    if (await kz.query(R.state)).stage is ReleaseStage.SUBSIDY:
        await kz.execute_update(R.record_subsidy, SubsidyAction(actor_id="liaison-kz", outcome="skipped"))
    clash = licence("KZ", "lic-cranes-kz-2", starts_on=LIC_KZ.starts_on + timedelta(days=45), ends_on=LIC_KZ.starts_on + timedelta(days=400))
    msg = await rejected(kz.execute_update(R.propose_licence, clash))
    assert msg.startswith(f"Deal {LIC_KZ.deal_id} already gives") and "exclusive theatrical rights in KZ" in msg
    assert (await kz.query(R.state)).licence is None  # refused: nothing recorded


async def test_a_silent_liaison_is_reminded_then_escalated(env, worker):
    _, fakes, queue = worker
    fest = await start_festival(env, queue)
    await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[0]))
    uz = env.client.get_workflow_handle(release_workflow_id(STEPPE_WIND.id, "UZ"))
    await until(uz, R.state, lambda s: s.documents, "letter")
    await env.sleep(timedelta(days=12))
    keys = fakes.keys(uz.id)
    assert any("/reminder/1" in k for k in keys) and any("/escalate_liaison/" in k for k in keys) and any("/escalate_board/" in k for k in keys)


async def test_short_licences_declines_and_fallen_through_deals(env, worker):
    _, _, queue = worker
    fest = await start_festival(env, queue)
    await fest.execute_update(F.record_award, RecordAwardAction(actor_id=ADMIN.id, award=AWARDS[0]))
    kr = env.client.get_workflow_handle(release_workflow_id(STEPPE_WIND.id, "KR"))
    await until(kr, R.state, lambda s: s.documents, "letter")
    await kr.execute_update(R.acknowledge, AcknowledgeAction(actor_id="liaison-kr"))
    await kr.execute_update(R.classify, ClassifyAction(actor_id="liaison-kr", outcome="approved", rating="12"))
    await kr.execute_update(R.record_subsidy, SubsidyAction(actor_id="liaison-kr", outcome="skipped"))
    st = await kr.query(R.state)
    own = licence("KR", "lic-self", licensee=st.licensor.model_copy(update={"country": "KR"}))
    msg = await rejected(kr.execute_update(R.propose_licence, own))
    assert msg == "The distributor is the rights holder itself; a licence needs a distributor in the country."
    short = licence("KR", "lic-short", starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=70))
    await kr.execute_update(R.propose_licence, short)  # a ten-week window is a valid agreement term
    st = await kr.query(R.state)
    rights = env.client.get_workflow_handle(f"rights-{STEPPE_WIND.id}")
    assert [g.deal_id for g in (await rights.query(FilmRightsWorkflow.ledger)).grants] == ["lic-short"]
    await kr.execute_update(R.decline, DeclineAction(actor_id="liaison-kr", reason="The distributor went out of business."))
    assert (await kr.result()) == ReleaseStage.DECLINED
    assert (await rights.query(FilmRightsWorkflow.ledger)).grants == ()
    voided = await wait_phase(env.client.get_workflow_handle(st.licence.agreement_workflow_id), Phase.VOIDED)
    assert "was declined" in voided.outcome_reason
