"""Paying an award in tranches: the schedule, the report each tranche waits for, and closeout.

A typical schedule pays 40 % on signature, 40 % when the production milestone report is approved
and 20 % on delivery. Each tranche is due a number of days after signature; a tranche tied to a
report becomes payable once the producer submits that report and the fund manager approves it;
paying it means issuing a payment instruction with a reference the bank statement will show.

Amounts are computed once, at signature: each tranche gets its percentage of the award rounded
down to the cent and the last takes the remainder, so they always add up to the award exactly
(100,000.01 → 40,000.00 + 40,000.00 + 20,000.01). Tranches are paid in order: the delivery
tranche is not paid while the milestone tranche is still open, which keeps the ledger's story
readable. Changing the amount or the dates of a signed award needs the board's approval; paid
tranches never change.

Every transition is a pure function of the tranche, returning a new one or raising `Rejected`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.agreement_rules import Rejected
from domain.grants.board import Decision
from domain.grants.money import Amount, Percent, cents, format_amount, format_percent, money_in
from domain.parties import ID_PATTERN


class Trigger(StrEnum):
    ON_SIGNATURE = "on_signature"
    ON_REPORT = "on_report"


class ReportKind(StrEnum):
    PRODUCTION_MILESTONE = "production_milestone"
    DELIVERY = "delivery"
    FINAL = "final"


REPORT_NAMES = {
    ReportKind.PRODUCTION_MILESTONE: "production milestone report",
    ReportKind.DELIVERY: "delivery report",
    ReportKind.FINAL: "final report",
}


class TrancheSpec(BaseModel):
    """One line of a call's payment template: 40 % on the production milestone report, due 180 days after signature."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1, max_length=200)
    percent: Percent
    trigger: Trigger
    report_kind: ReportKind | None = None
    due_offset_days: int = Field(default=0, ge=0, le=3650)

    @model_validator(mode="after")
    def _report(self) -> TrancheSpec:
        if self.trigger is Trigger.ON_REPORT and self.report_kind is None:
            raise ValueError(f"tranche {self.id} is paid on a report: say which (report_kind)")
        if self.trigger is Trigger.ON_SIGNATURE and self.report_kind is not None:
            raise ValueError(f"tranche {self.id} is paid on signature and waits for no report")
        return self


def schedule_problems(specs: Sequence[TrancheSpec]) -> list[str]:
    """Why a payment template cannot be used, one line each; empty when it can."""
    out: list[str] = []
    if not specs:
        return ["a payment schedule needs at least one tranche"]
    ids = [s.id for s in specs]
    out += [f"tranche {i} is listed twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if "final" in ids:
        out.append("'final' names the grant's final report; give the tranche another id")
    total = sum((s.percent for s in specs), Decimal(0))
    if total != 100:
        out.append(f"the tranches add up to {format_percent(total)} of the award, not 100%")
    for before, after in pairwise(specs):
        if after.due_offset_days < before.due_offset_days:
            out.append(f"tranche {after.id} falls due before {before.id}, which is paid first")
    return out


class TrancheStatus(StrEnum):
    AWAITING_REPORT = "awaiting_report"
    REPORT_SUBMITTED = "report_submitted"
    PAYABLE = "payable"
    PAID = "paid"
    CANCELLED = "cancelled"


class Tranche(BaseModel):
    """A tranche of a signed award and how far it has come."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    label: str
    percent: Decimal = Field(description="Its share of the award in the template; the amount is authoritative")
    amount: Amount
    trigger: Trigger
    report_kind: ReportKind | None = None
    due_on: date
    report_submitted_on: date | None = None
    report_reference: str | None = Field(default=None, description="The submitted report's document id or hash")
    report_returned_reason: str | None = Field(default=None, description="Why the fund manager sent the last report back")
    report_approved_on: date | None = None
    report_approved_by: str | None = None
    paid_on: date | None = Field(default=None, description="When the payment instruction was issued")
    payment_reference: str | None = None
    cancelled_on: date | None = None

    @property
    def status(self) -> TrancheStatus:
        if self.paid_on is not None:
            return TrancheStatus.PAID
        if self.cancelled_on is not None:
            return TrancheStatus.CANCELLED
        if self.trigger is Trigger.ON_SIGNATURE or self.report_approved_on is not None:
            return TrancheStatus.PAYABLE
        if self.report_submitted_on is not None:
            return TrancheStatus.REPORT_SUBMITTED
        return TrancheStatus.AWAITING_REPORT

    @property
    def settled(self) -> bool:
        """Paid or cancelled: nothing more will happen to it."""
        return self.status in (TrancheStatus.PAID, TrancheStatus.CANCELLED)

    @property
    def report_name(self) -> str:
        return REPORT_NAMES[self.report_kind] if self.report_kind else "no report"


def split(amount: Decimal, percents: Sequence[Decimal]) -> list[Decimal]:
    """`amount` in parts by percentage: each rounded down to the cent, the last taking the remainder.

    The percentages must add up to 100; the parts then add up to `amount` exactly.
    """
    if not percents:
        return []
    parts = [cents(amount * p / 100, ROUND_DOWN) for p in percents[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]


def schedule(award_amount: Decimal, specs: Sequence[TrancheSpec], signed_on: date) -> list[Tranche]:
    """The tranches of an award signed on `signed_on`, adding up exactly to `award_amount`."""
    amount = money_in(award_amount, "the award")
    if amount == 0:
        raise Rejected("An award of 0.00 has nothing to pay in tranches.")
    problems = schedule_problems(specs)
    if problems:
        raise Rejected("The payment schedule cannot be used: " + "; ".join(problems) + ".")
    parts = split(amount, [s.percent for s in specs])
    return [
        Tranche(
            id=s.id,
            label=s.label,
            percent=s.percent,
            amount=part,
            trigger=s.trigger,
            report_kind=s.report_kind,
            due_on=signed_on + timedelta(days=s.due_offset_days),
        )
        for s, part in zip(specs, parts, strict=True)
    ]


def find(tranches: Sequence[Tranche], tranche_id: str) -> Tranche:
    found = next((t for t in tranches if t.id == tranche_id), None)
    if found is None:
        raise Rejected(f"There is no tranche '{tranche_id}'; the tranches are {', '.join(t.id for t in tranches)}.")
    return found


def _replace(tranches: Sequence[Tranche], new: Tranche) -> list[Tranche]:
    return [new if t.id == new.id else t for t in tranches]


# ---------------------------------------------------------------- reports


def check_report_submission(tranche: Tranche, kind: ReportKind) -> None:
    """Refuse a report the tranche is not waiting for."""
    label = f"“{tranche.label}”"
    if tranche.status is TrancheStatus.CANCELLED:
        raise Rejected(f"{label} was cancelled; it takes no report.")
    if tranche.trigger is Trigger.ON_SIGNATURE:
        raise Rejected(f"{label} is paid on signature and needs no report.")
    if tranche.report_kind is not kind:
        raise Rejected(f"{label} waits for the {tranche.report_name}, not a {REPORT_NAMES[kind]}.")
    if tranche.status is TrancheStatus.REPORT_SUBMITTED:
        raise Rejected(
            f"The {tranche.report_name} for {label} was submitted on {tranche.report_submitted_on}; wait for the fund manager's review."
        )
    if tranche.status in (TrancheStatus.PAYABLE, TrancheStatus.PAID):
        raise Rejected(f"The {tranche.report_name} for {label} is already approved.")


def submit_report(tranche: Tranche, kind: ReportKind, on: date, reference: str) -> Tranche:
    """The tranche with its report submitted (a resubmission after a return included)."""
    check_report_submission(tranche, kind)
    if not reference.strip():
        raise Rejected("Attach the report: a submission needs its document reference.")
    return tranche.model_copy(update={"report_submitted_on": on, "report_reference": reference, "report_returned_reason": None})


def check_report_approval(tranche: Tranche) -> None:
    """Refuse to approve (or return) a report that is not awaiting review."""
    if tranche.status is not TrancheStatus.REPORT_SUBMITTED:
        if tranche.trigger is Trigger.ON_SIGNATURE:
            raise Rejected(f"“{tranche.label}” is paid on signature; there is no report to review.")
        if tranche.status in (TrancheStatus.PAYABLE, TrancheStatus.PAID):
            raise Rejected(f"The {tranche.report_name} for “{tranche.label}” is already approved.")
        if tranche.status is TrancheStatus.CANCELLED:
            raise Rejected(f"“{tranche.label}” was cancelled.")
        raise Rejected(f"The {tranche.report_name} for “{tranche.label}” has not been submitted yet.")


def approve_report(tranche: Tranche, on: date, by: str) -> Tranche:
    """The tranche with its report approved by the fund manager `by`: it becomes payable."""
    check_report_approval(tranche)
    return tranche.model_copy(update={"report_approved_on": on, "report_approved_by": by})


def return_report(tranche: Tranche, reason: str) -> Tranche:
    """The tranche with its report sent back for a new submission, with the reason the producer reads."""
    check_report_approval(tranche)
    if not reason.strip():
        raise Rejected("Say why the report goes back: the producer needs to know what to change.")
    return tranche.model_copy(
        update={"report_submitted_on": None, "report_reference": None, "report_returned_reason": reason.strip()}
    )


# ---------------------------------------------------------------- payment


def check_payment(tranches: Sequence[Tranche], tranche_id: str) -> Tranche:
    """The tranche to pay, once payable and every earlier tranche is settled; else `Rejected`."""
    t = find(tranches, tranche_id)
    label = f"“{t.label}”"
    match t.status:
        case TrancheStatus.PAID:
            raise Rejected(f"{label} was already paid on {t.paid_on} (reference {t.payment_reference}).")
        case TrancheStatus.CANCELLED:
            raise Rejected(f"{label} was cancelled and cannot be paid.")
        case TrancheStatus.AWAITING_REPORT:
            raise Rejected(f"{label} is paid once the {t.report_name} is approved; it has not been submitted yet.")
        case TrancheStatus.REPORT_SUBMITTED:
            raise Rejected(f"{label} is paid once the {t.report_name} is approved; it awaits the fund manager's review.")
    for earlier in tranches[: list(tranches).index(t)]:
        if not earlier.settled:
            raise Rejected(
                f"{label} cannot be paid before “{earlier.label}”, which is still {earlier.status.value.replace('_', ' ')}."
            )
    return t


def record_payment(tranches: Sequence[Tranche], tranche_id: str, on: date, reference: str) -> list[Tranche]:
    """The tranches with `tranche_id` paid: its payment instruction issued on `on` under `reference`."""
    t = check_payment(tranches, tranche_id)
    if not reference.strip():
        raise Rejected("A payment needs the reference of its payment instruction.")
    return _replace(tranches, t.model_copy(update={"paid_on": on, "payment_reference": reference.strip()}))


def paid_total(tranches: Sequence[Tranche]) -> Decimal:
    return sum((t.amount for t in tranches if t.status is TrancheStatus.PAID), Decimal(0))


def overdue(tranches: Sequence[Tranche], today: date) -> list[Tranche]:
    """Unsettled tranches past their due date, for reminders to the producer or the fund manager."""
    return [t for t in tranches if not t.settled and t.due_on < today]


# ---------------------------------------------------------------- amendments, cancellation, closeout


def _board(decision: Decision | None, what: str) -> None:
    if decision is None:
        raise Rejected(f"{what} needs the board's approval; put it to the board first.")
    if not decision.approved:
        raise Rejected(f"{what} needs the board's approval, and the board did not approve it ({decision.summary})")


def amend_amount(tranches: Sequence[Tranche], new_amount: Decimal, board: Decision | None) -> list[Tranche]:
    """The tranches for an award changed to `new_amount`, approved by the board.

    Paid tranches stay as they are; what is left (new amount − paid) is spread over the open
    tranches in proportion to their percentages, the last taking the remainder.
    """
    _board(board, "Changing the amount of an award")
    amount = money_in(new_amount, "the new amount")
    paid = paid_total(tranches)
    open_ = [t for t in tranches if not t.settled]
    if amount < paid:
        raise Rejected(
            f"The award cannot be cut to {format_amount(amount)}: {format_amount(paid)} is already paid; recover the difference by clawback."
        )
    if not open_:
        if amount != paid:
            raise Rejected("Every tranche is settled; there is no open tranche to carry a change of amount.")
        return list(tranches)
    weights = [t.percent for t in open_]
    total = sum(weights, Decimal(0))
    parts = split(amount - paid, [w * 100 / total for w in weights])
    updated = {t.id: t.model_copy(update={"amount": p}) for t, p in zip(open_, parts, strict=True)}
    return [updated.get(t.id, t) for t in tranches]


def reschedule(tranches: Sequence[Tranche], due_dates: Mapping[str, date], board: Decision | None) -> list[Tranche]:
    """The tranches with new due dates for open ones, approved by the board."""
    _board(board, "Changing the payment schedule")
    out = list(tranches)
    for tranche_id, due in sorted(due_dates.items()):
        t = find(out, tranche_id)
        if t.settled:
            raise Rejected(f"“{t.label}” is {t.status.value}; its due date can no longer change.")
        out = _replace(out, t.model_copy(update={"due_on": due}))
    return out


def cancel_open(tranches: Sequence[Tranche], on: date) -> tuple[list[Tranche], Decimal]:
    """Cancel every tranche not yet paid; returns the tranches and the amount no longer owed."""
    freed = sum((t.amount for t in tranches if not t.settled), Decimal(0))
    return [t if t.settled else t.model_copy(update={"cancelled_on": on}) for t in tranches], freed


def closeout_blockers(tranches: Sequence[Tranche], final_report_approved: bool) -> list[str]:
    """What still stands between the award and its closeout, one sentence each."""
    out = [
        f"“{t.label}” ({format_amount(t.amount)}) is still {t.status.value.replace('_', ' ')}." for t in tranches if not t.settled
    ]
    if not final_report_approved:
        out.append("The final report is not approved yet.")
    return out


def closeout_ready(tranches: Sequence[Tranche], final_report_approved: bool) -> bool:
    """True once every tranche is paid or cancelled and the final report approved."""
    return not closeout_blockers(tranches, final_report_approved)
