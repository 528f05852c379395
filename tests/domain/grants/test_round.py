"""The 2026 round end to end: eligibility, panels, scores, ranking, the board, the books and the tranches."""

from datetime import date
from decimal import Decimal

from domain.grants.board import Outcome, Vote, VoteChoice, tally
from domain.grants.conflicts import assign_round, conflicts
from domain.grants.eligibility import check_eligibility
from domain.grants.funds import check_call
from domain.grants.ledger import Ledger
from domain.grants.rubric import RankEntry, Score, aggregate, rank
from domain.grants.tranches import ReportKind, approve_report, closeout_ready, record_payment, schedule, submit_report
from tests.domain.grants.examples import BOARD, DATA, DECLARED, FUND, POOL, SUBMITTED, application, main_call

D = Decimal
MARKS = {  # reviewer marks: artistic merit, co-production, feasibility, audience reach
    "in-kz-drama": [(8, 8, 7, 7), (9, 7, 8, 6), (8, 8, 8, 7)],
    "cn-ru-animation": [(8, 7, 9, 6), (9, 8, 7, 8), (7, 7, 8, 7)],
    "kr-uz-youth-ai": [(8, 7, 7, 7), (7, 7, 8, 8), (8, 6, 7, 7)],
}


def test_the_2026_round() -> None:
    call = main_call()
    check_call(FUND, call)
    main_keys = [k for k in DATA if DATA[k]["call_id"] == call.id]
    results = {k: check_eligibility(application(k), call, SUBMITTED[k].date()) for k in main_keys}
    eligible = [k for k, r in results.items() if r.eligible]
    assert eligible == ["in-kz-drama", "cn-ru-animation", "kr-uz-youth-ai"]

    apps = [application(k) for k in eligible]
    panels = assign_round(apps, POOL, count=call.reviewers_per_application, declared=DECLARED)
    assert all(p.shortfall == 0 for p in panels.values())
    assert all(not conflicts(r, a, DECLARED) for a in apps for r in POOL if r.id in panels[a.id].reviewer_ids)

    entries = []
    for app in apps:
        scores = [
            Score(
                reviewer_id=rid,
                application_id=app.id,
                values=dict(zip([c.id for c in call.rubric.criteria], map(D, m), strict=True)),
            )
            for rid, m in zip(panels[app.id].reviewer_ids, MARKS[app.id], strict=True)
        ]
        entries.append(RankEntry(application_id=app.id, score=aggregate(call.rubric, scores), priorities=app.priorities,
                                 submitted_at=SUBMITTED[app.id]))  # fmt: skip
    ranked = rank(entries, call.bonuses)
    # drama: 660/9, 670/9, 680/9 → 73.33, 74.44, 75.56 → 74.44; animation: 72.78, 79.44, 68.89 → 73.70;
    # youth short: 70.56, 71.11, 67.78 → 69.82, + youth 3 + AI 2 = 74.82, which lifts it to the top
    assert [(r.rank, r.application_id, r.score, r.bonus, r.total) for r in ranked] == [
        (1, "kr-uz-youth-ai", D("69.82"), D(5), D("74.82")),
        (2, "in-kz-drama", D("74.44"), D(0), D("74.44")),
        (3, "cn-ru-animation", D("73.70"), D(0), D("73.70")),
    ]

    ledger = Ledger.open(FUND)
    awards: dict[str, Decimal] = {}
    for r in ranked:
        app = application(r.application_id)
        votes = [Vote(member_id=m, choice=VoteChoice.APPROVE) for m in BOARD[:4]] + [
            Vote(member_id=BOARD[4], choice=VoteChoice.ABSTAIN)
        ]
        if app.id == "in-kz-drama":
            votes[0] = Vote(member_id=BOARD[0], choice=VoteChoice.APPROVE, amount=D("100000"))
            votes[1] = Vote(member_id=BOARD[1], choice=VoteChoice.APPROVE, amount=D("110000"))
        d = tally(votes, BOARD, call.board.quorum, majority=call.board.majority, requested=app.requested_amount,
                  max_amount=call.max_amount, currency=call.currency)  # fmt: skip
        assert d.outcome is Outcome.AWARD
        ledger = ledger.commit(f"award-{app.id}", d.amount)
        awards[app.id] = d.amount
    # the drama's approving amounts 100,000 / 110,000 / 120,000 / 120,000 (the request): median 115,000
    assert awards == {"kr-uz-youth-ai": D("50000"), "in-kz-drama": D("115000.00"), "cn-ru-animation": D("150000")}
    assert ledger.committed == D("315000") and ledger.remaining == D("685000")

    # The Long Steppe: signed 1 June, paid through delivery, closed out
    signed = date(2026, 6, 1)
    ts = schedule(awards["in-kz-drama"], call.tranche_schedule, signed)
    assert [t.amount for t in ts] == [D("46000.00"), D("46000.00"), D("23000.00")]
    ts = record_payment(ts, "signature", signed, "PAY-0001")
    ledger = ledger.release("award-in-kz-drama", "signature", ts[0].amount)
    for i, kind, on in ((1, ReportKind.PRODUCTION_MILESTONE, date(2026, 11, 20)), (2, ReportKind.DELIVERY, date(2027, 5, 20))):
        t = approve_report(submit_report(ts[i], kind, on, f"report-{i}"), on, "fund-manager-lee")
        ts = record_payment([*ts[:i], t, *ts[i + 1 :]], t.id, on, f"PAY-000{i + 1}")
        ledger = ledger.release("award-in-kz-drama", t.id, t.amount)
    assert closeout_ready(ts, final_report_approved=True)
    account = ledger.account("award-in-kz-drama")
    assert account.released == account.committed == D("115000")
    assert ledger.figures_add_up()
    assert (ledger.committed, ledger.released, ledger.outstanding, ledger.remaining) == (
        D("315000"), D("115000"), D("200000"), D("685000")
    )  # fmt: skip


def test_every_result_survives_the_json_of_temporal_s_pydantic_converter() -> None:
    """Workflows keep these models in their state and pass them to activities as JSON."""
    from domain.grants.conflicts import Assignment, Replacement, assign_reviewers, replace_reviewer
    from domain.grants.eligibility import EligibilityResult
    from domain.grants.tranches import Tranche

    call = main_call()
    app = application("cn-ru-animation")
    models = [
        check_eligibility(application("kz-kg-doc"), call, date(2026, 3, 30)),
        assign_reviewers(app, POOL, count=3, declared=DECLARED),
        replace_reviewer(app, POOL, assigned=["olga", "aigerim", "arjun"], leaving="olga", conflict=True, declared=DECLARED),
        tally(
            [Vote(member_id=m, choice=VoteChoice.APPROVE) for m in BOARD[:4]],
            BOARD,
            4,
            requested=D("150000"),
            max_amount=D("150000"),
            currency="USD",
        ),
        *schedule(D("100000.01"), call.tranche_schedule, date(2026, 6, 1)),
    ]
    for m, cls in zip(
        models, [EligibilityResult, Assignment, Replacement, type(models[3]), Tranche, Tranche, Tranche], strict=True
    ):
        assert cls.model_validate_json(m.model_dump_json()) == m
