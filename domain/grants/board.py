"""The board's decision on an application (or an amendment): quorum, votes, majority and amount.

Rules the board signs up to:
- Quorum counts every member who voted, abstentions included: a member who abstains is present
  and has looked at the file. A decision taken by fewer members than the quorum is `no_quorum`,
  and the workflow asks the board again rather than treating silence as a refusal.
- The majority is of the votes cast for or against; abstentions do not count toward it. Under the
  simple rule an award needs more approvals than rejections, so a tie is not an award; under two
  thirds, approvals must be at least twice the rejections.
- The amount is the request, unless approving members name their own amounts: then it is the
  median of the approving members' amounts (a member who names none approves the request), so one
  generous or stingy vote cannot move it far. It is never above the request nor the call's
  maximum, and a half cent of a median is rounded down, in the fund's favour.
- A rejection carries the reasons given with the votes against, for the letter to the applicant.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.agreement_rules import Rejected
from domain.grants.money import CENT, PositiveAmount, format_money
from domain.parties import ID_PATTERN


class VoteChoice(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


class MajorityRule(StrEnum):
    SIMPLE = "simple"  # more approvals than rejections
    TWO_THIRDS = "two_thirds"  # approvals at least two thirds of the votes cast for or against


class BoardRule(BaseModel):
    """How many members must vote, and what majority decides (set per call)."""

    model_config = ConfigDict(frozen=True)

    quorum: int = Field(default=3, ge=1, le=50)
    majority: MajorityRule = MajorityRule.SIMPLE


class Vote(BaseModel):
    """One member's vote; an amount only with an approval, a reason always with a rejection."""

    model_config = ConfigDict(frozen=True)

    member_id: str = Field(pattern=ID_PATTERN)
    choice: VoteChoice
    amount: PositiveAmount | None = Field(default=None, description="The amount this member would award, if not the request")
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _coherent(self) -> Vote:
        if self.amount is not None and self.choice is not VoteChoice.APPROVE:
            raise ValueError("an amount goes only with a vote to approve")
        if self.choice is VoteChoice.REJECT and not self.reason.strip():
            raise ValueError("a vote to reject needs a reason: it goes into the letter to the applicant")
        return self


class Outcome(StrEnum):
    AWARD = "award"
    REJECT = "reject"
    NO_QUORUM = "no_quorum"


class Decision(BaseModel):
    """The result of a vote: what was decided, by how many, and why."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    amount: Decimal | None = Field(default=None, description="The amount awarded; None unless the outcome is award")
    approve: int
    reject: int
    abstain: int
    members: int
    quorum: int
    reasons: list[str] = Field(default_factory=list, description="For a rejection: the sentences for the letter")
    summary: str

    @property
    def voted(self) -> int:
        return self.approve + self.reject + self.abstain

    @property
    def approved(self) -> bool:
        return self.outcome is Outcome.AWARD


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_vote(
    vote: Vote,
    members: Collection[str],
    votes: Sequence[Vote] = (),
    *,
    requested: Decimal | None = None,
    max_amount: Decimal | None = None,
    currency: str = "",
) -> None:
    """Refuse a vote the board cannot count: from a non-member, a second vote, an amount too high."""
    if vote.member_id not in members:
        raise Rejected(f"{vote.member_id} is not a member of the board and cannot vote.")
    if any(v.member_id == vote.member_id for v in votes):
        raise Rejected(f"{vote.member_id} has already voted on this decision.")
    if vote.amount is not None:
        if requested is not None and vote.amount > requested:
            raise Rejected(
                f"You propose {format_money(vote.amount, currency)}, more than the {format_money(requested, currency)} requested;"
                " the board can award at most the request."
            )
        if max_amount is not None and vote.amount > max_amount:
            raise Rejected(
                f"You propose {format_money(vote.amount, currency)}, above the call's maximum of {format_money(max_amount, currency)}."
            )


def _median_down(values: list[Decimal]) -> Decimal:
    xs = sorted(values)
    mid = len(xs) // 2
    m = Fraction(xs[mid]) if len(xs) % 2 else (Fraction(xs[mid - 1]) + Fraction(xs[mid])) / 2
    return Decimal(math.floor(m / Fraction(CENT))) * CENT


def tally(
    votes: Sequence[Vote],
    members: Collection[str],
    quorum: int,
    *,
    majority: MajorityRule = MajorityRule.SIMPLE,
    requested: Decimal,
    max_amount: Decimal,
    currency: str,
) -> Decision:
    """The board's decision from its votes (see the module for the rules).

    Raises `Rejected` for votes that cannot be counted (a non-member, a member twice) or a quorum
    the board cannot reach.
    """
    members = set(members)
    if quorum > len(members):
        raise Rejected(f"A quorum of {quorum} can never be reached by a board of {len(members)}.")
    seen: set[str] = set()
    for v in votes:
        if v.member_id not in members:
            raise Rejected(f"{v.member_id} is not a member of the board; their vote cannot be counted.")
        if v.member_id in seen:
            raise Rejected(f"{v.member_id} voted twice; only one vote per member can be counted.")
        seen.add(v.member_id)
    ordered = sorted(votes, key=lambda v: v.member_id)
    approving = [v for v in ordered if v.choice is VoteChoice.APPROVE]
    rejecting = [v for v in ordered if v.choice is VoteChoice.REJECT]
    n_app, n_rej = len(approving), len(rejecting)
    n_abs = len(ordered) - n_app - n_rej
    counts = f"{n_app} approve, {n_rej} reject, {n_abs} abstain of {len(members)} members (quorum {quorum})"
    base = {"approve": n_app, "reject": n_rej, "abstain": n_abs, "members": len(members), "quorum": quorum}

    if len(ordered) < quorum:
        why = f"Only {_plural(len(ordered), 'member')} of {len(members)} voted; the quorum is {quorum}."
        return Decision(outcome=Outcome.NO_QUORUM, reasons=[why], summary=f"No quorum: {counts}.", **base)

    if majority is MajorityRule.SIMPLE:
        carried = n_app > n_rej
        needed = "more approvals than rejections"
    else:
        carried = n_app > 0 and 3 * n_app >= 2 * (n_app + n_rej)
        needed = "two thirds of the votes cast for or against"
    if carried:
        cap = min(requested, max_amount)
        proposed = [min(v.amount if v.amount is not None else requested, cap) for v in approving]
        amount = min(_median_down(proposed), cap)
        return Decision(
            outcome=Outcome.AWARD,
            amount=amount,
            summary=f"Awarded {format_money(amount, currency)}: {counts}.",
            **base,
        )
    reasons = list(dict.fromkeys(v.reason.strip() for v in rejecting))
    if n_app == 0 and n_rej == 0:
        reasons.append("No member voted for or against; an award needs " + needed + ".")
    if n_app and n_app >= n_rej and majority is MajorityRule.SIMPLE:
        reasons.append(f"The board was divided {n_app}–{n_rej}; an award needs {needed}.")
    elif n_app and majority is MajorityRule.TWO_THIRDS:
        reasons.append(f"{n_app} of {n_app + n_rej} votes cast were for the award; it needs {needed}.")
    return Decision(outcome=Outcome.REJECT, reasons=reasons, summary=f"Rejected: {counts}.", **base)
