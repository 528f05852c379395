"""Tranches: amounts that add up to the award, the report each waits for, payment order and closeout."""

from datetime import date
from decimal import Decimal

import pytest

from domain.agreement_rules import Rejected
from domain.grants.board import Decision, Outcome
from domain.grants.tranches import (
    ReportKind,
    TrancheStatus,
    amend_amount,
    approve_report,
    cancel_open,
    check_payment,
    closeout_blockers,
    closeout_ready,
    overdue,
    record_payment,
    reschedule,
    return_report,
    schedule,
    split,
    submit_report,
)
from tests.domain.grants.examples import SCHEDULE

D = Decimal
SIGNED = date(2026, 6, 1)
APPROVED = Decision(outcome=Outcome.AWARD, amount=D("110000"), approve=5, reject=0, abstain=0, members=7, quorum=4,
                    summary="Awarded 110,000.00 USD: 5 approve, 0 reject, 0 abstain of 7 members (quorum 4).")  # fmt: skip
REFUSED = Decision(outcome=Outcome.REJECT, approve=2, reject=3, abstain=0, members=7, quorum=4,
                   summary="Rejected: 2 approve, 3 reject, 0 abstain of 7 members (quorum 4).")  # fmt: skip


def test_the_schedule_of_an_award() -> None:
    ts = schedule(D("120000"), SCHEDULE, SIGNED)
    assert [(t.id, t.amount, t.due_on, t.status) for t in ts] == [
        ("signature", D("48000.00"), date(2026, 6, 1), TrancheStatus.PAYABLE),
        ("milestone", D("48000.00"), date(2026, 11, 28), TrancheStatus.AWAITING_REPORT),
        ("delivery", D("24000.00"), date(2027, 6, 1), TrancheStatus.AWAITING_REPORT),
    ]


def test_awkward_amounts_add_up_exactly_with_the_remainder_on_the_last() -> None:
    assert [t.amount for t in schedule(D("100000.01"), SCHEDULE, SIGNED)] == [D("40000.00"), D("40000.00"), D("20000.01")]
    assert split(D("0.05"), [D(40), D(40), D(20)]) == [D("0.02"), D("0.02"), D("0.01")]
    assert split(D("100"), [D("33.33"), D("33.33"), D("33.34")]) == [D("33.33"), D("33.33"), D("33.34")]
    thirds = [D(100) / 3] * 3  # inexact percentages still give exact parts
    assert sum(split(D("1000.00"), thirds)) == D("1000.00")
    for cents in list(range(1, 2000)) + list(range(9_999_000, 10_001_000, 7)):
        amount = D(cents) / 100
        for percents in ([D(40), D(40), D(20)], [D(50), D(50)], [D("12.5")] * 8, [D(30), D("33.3"), D("36.7")]):
            parts = split(amount, percents)
            assert sum(parts) == amount, (amount, percents)
            assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts)
            assert parts[-1] >= amount * percents[-1] / 100 - D("0.000001")  # the last never gets less than its share


def test_the_milestone_report_is_submitted_approved_and_the_tranche_paid() -> None:
    ts = schedule(D("120000"), SCHEDULE, SIGNED)
    ts = record_payment(ts, "signature", date(2026, 6, 3), "PAY-2026-0001")
    milestone = submit_report(ts[1], ReportKind.PRODUCTION_MILESTONE, date(2026, 11, 20), "doc-7f3a")
    assert milestone.status is TrancheStatus.REPORT_SUBMITTED
    milestone = approve_report(milestone, date(2026, 11, 25), "fund-manager-lee")
    ts = [ts[0], milestone, ts[2]]
    ts = record_payment(ts, "milestone", date(2026, 11, 26), "PAY-2026-0042")
    assert [t.status for t in ts] == [TrancheStatus.PAID, TrancheStatus.PAID, TrancheStatus.AWAITING_REPORT]


def test_reports_that_are_not_awaited_are_refused() -> None:
    ts = schedule(D("120000"), SCHEDULE, SIGNED)
    with pytest.raises(Rejected, match="“On signature” is paid on signature and needs no report"):
        submit_report(ts[0], ReportKind.PRODUCTION_MILESTONE, SIGNED, "doc")
    with pytest.raises(Rejected, match="“Delivery” waits for the delivery report, not a production milestone report"):
        submit_report(ts[2], ReportKind.PRODUCTION_MILESTONE, SIGNED, "doc")
    with pytest.raises(Rejected, match="The production milestone report for “Production milestone” has not been submitted yet"):
        approve_report(ts[1], SIGNED, "fm")
    submitted = submit_report(ts[1], ReportKind.PRODUCTION_MILESTONE, date(2026, 11, 20), "doc-1")
    with pytest.raises(Rejected, match="was submitted on 2026-11-20; wait for the fund manager's review"):
        submit_report(submitted, ReportKind.PRODUCTION_MILESTONE, date(2026, 11, 21), "doc-2")
    returned = return_report(submitted, "The cost report does not cover the second shooting block.")
    assert returned.status is TrancheStatus.AWAITING_REPORT
    assert returned.report_returned_reason == "The cost report does not cover the second shooting block."
    again = submit_report(returned, ReportKind.PRODUCTION_MILESTONE, date(2026, 11, 30), "doc-2")
    assert again.report_reference == "doc-2" and again.report_returned_reason is None
    approved = approve_report(again, date(2026, 12, 2), "fm")
    with pytest.raises(Rejected, match="is already approved"):
        approve_report(approved, date(2026, 12, 3), "fm")
    with pytest.raises(Rejected, match="Say why the report goes back"):
        return_report(again, "")


def test_tranches_are_paid_once_in_order_and_only_when_payable() -> None:
    ts = schedule(D("120000"), SCHEDULE, SIGNED)
    with pytest.raises(
        Rejected,
        match="“Production milestone” is paid once the production milestone report is approved; it has not been submitted yet",
    ):
        check_payment(ts, "milestone")
    approved = approve_report(submit_report(ts[1], ReportKind.PRODUCTION_MILESTONE, SIGNED, "d"), SIGNED, "fm")
    ts = [ts[0], approved, ts[2]]
    with pytest.raises(Rejected, match="“Production milestone” cannot be paid before “On signature”, which is still payable"):
        check_payment(ts, "milestone")
    ts = record_payment(ts, "signature", SIGNED, "PAY-1")
    with pytest.raises(Rejected, match=r"“On signature” was already paid on 2026-06-01 \(reference PAY-1\)"):
        record_payment(ts, "signature", SIGNED, "PAY-2")
    with pytest.raises(Rejected, match="There is no tranche 'bonus'; the tranches are signature, milestone, delivery"):
        check_payment(ts, "bonus")
    with pytest.raises(Rejected, match="needs the reference of its payment instruction"):
        record_payment(ts, "milestone", SIGNED, " ")


def test_changing_the_amount_needs_the_board_and_spares_paid_tranches() -> None:
    ts = record_payment(schedule(D("120000"), SCHEDULE, SIGNED), "signature", SIGNED, "PAY-1")
    with pytest.raises(Rejected, match="Changing the amount of an award needs the board's approval; put it to the board first"):
        amend_amount(ts, D("110000"), None)
    with pytest.raises(Rejected, match=r"the board did not approve it \(Rejected: 2 approve, 3 reject"):
        amend_amount(ts, D("110000"), REFUSED)
    amended = amend_amount(ts, D("110000"), APPROVED)
    # 48,000 paid; 62,000 left over milestone (40) and delivery (20): 41,333.33 and 20,666.67
    assert [t.amount for t in amended] == [D("48000.00"), D("41333.33"), D("20666.67")]
    assert sum(t.amount for t in amended) == D("110000")
    with pytest.raises(
        Rejected, match=r"The award cannot be cut to 40,000\.00: 48,000\.00 is already paid; recover the difference by clawback"
    ):
        amend_amount(ts, D("40000"), APPROVED)


def test_rescheduling_needs_the_board_and_leaves_settled_tranches_alone() -> None:
    ts = record_payment(schedule(D("120000"), SCHEDULE, SIGNED), "signature", SIGNED, "PAY-1")
    with pytest.raises(Rejected, match="Changing the payment schedule needs the board's approval"):
        reschedule(ts, {"milestone": date(2027, 1, 15)}, None)
    moved = reschedule(ts, {"milestone": date(2027, 1, 15)}, APPROVED)
    assert moved[1].due_on == date(2027, 1, 15)
    with pytest.raises(Rejected, match="“On signature” is paid; its due date can no longer change"):
        reschedule(ts, {"signature": date(2027, 1, 15)}, APPROVED)


def test_cancellation_and_closeout() -> None:
    ts = record_payment(schedule(D("120000"), SCHEDULE, SIGNED), "signature", SIGNED, "PAY-1")
    assert overdue(ts, date(2026, 12, 1)) == [ts[1]]
    assert closeout_blockers(ts, final_report_approved=False) == [
        "“Production milestone” (48,000.00) is still awaiting report.",
        "“Delivery” (24,000.00) is still awaiting report.",
        "The final report is not approved yet.",
    ]
    cancelled, freed = cancel_open(ts, date(2026, 9, 1))
    assert freed == D("72000")
    assert [t.status for t in cancelled] == [TrancheStatus.PAID, TrancheStatus.CANCELLED, TrancheStatus.CANCELLED]
    with pytest.raises(Rejected, match="“Delivery” was cancelled and cannot be paid"):
        check_payment(cancelled, "delivery")
    with pytest.raises(Rejected, match="“Delivery” was cancelled; it takes no report"):
        submit_report(cancelled[2], ReportKind.DELIVERY, SIGNED, "d")
    assert not closeout_ready(cancelled, final_report_approved=False)
    assert closeout_ready(cancelled, final_report_approved=True)


def test_an_empty_award_or_a_broken_template_cannot_be_scheduled() -> None:
    with pytest.raises(Rejected, match=r"An award of 0\.00 has nothing to pay in tranches"):
        schedule(D("0"), SCHEDULE, SIGNED)
    with pytest.raises(Rejected, match="The payment schedule cannot be used: the tranches add up to 80% of the award, not 100%"):
        schedule(D("1000"), SCHEDULE[:2], SIGNED)
