"""The board's vote: quorum, abstentions, majority, the amount and the reasons of a rejection."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.grants.board import Decision, MajorityRule, Outcome, Vote, VoteChoice, check_vote, tally
from tests.domain.grants.examples import BOARD

D = Decimal
A, R, X = VoteChoice.APPROVE, VoteChoice.REJECT, VoteChoice.ABSTAIN


def votes(*choices: tuple[VoteChoice, str | None, str]) -> list[Vote]:
    return [
        Vote(member_id=BOARD[i], choice=c, amount=None if amount is None else D(amount), reason=reason)
        for i, (c, amount, reason) in enumerate(choices)
    ]


def decide(vs: list[Vote], quorum: int = 4, majority: MajorityRule = MajorityRule.SIMPLE, requested: str = "120000") -> Decision:
    return tally(vs, BOARD, quorum, majority=majority, requested=D(requested), max_amount=D("150000"), currency="USD")


def test_an_award_of_the_request() -> None:
    d = decide(
        votes((A, None, ""), (A, None, ""), (A, None, ""), (R, None, "The budget for post-production is thin."), (X, None, ""))
    )
    assert d.outcome is Outcome.AWARD and d.approved
    assert d.amount == D("120000")
    assert d.summary == "Awarded 120,000.00 USD: 3 approve, 1 reject, 1 abstain of 7 members (quorum 4)."
    assert d.reasons == []


def test_the_amount_is_the_median_of_the_approving_members() -> None:
    # amounts 100,000 / 110,000 / (the request) 120,000 → 110,000
    d = decide(votes((A, "100000", ""), (A, "110000", ""), (A, None, ""), (X, None, "")))
    assert d.amount == D("110000.00")
    # an even number: the mean of the middle two, a half cent rounded down in the fund's favour
    d = decide(votes((A, "100000.01", ""), (A, "100000.02", ""), (A, "90000", ""), (A, None, "")))
    assert d.amount == D("100000.01")  # (100,000.01 + 100,000.02) / 2 = 100,000.015


def test_the_amount_never_exceeds_the_request_nor_the_maximum() -> None:
    # a vote cannot propose more than the request …
    with pytest.raises(Rejected, match=r"You propose 130,000\.00 USD, more than the 120,000\.00 USD requested"):
        check_vote(Vote(member_id="board-lee", choice=A, amount=D("130000")), BOARD, requested=D("120000"), currency="USD")
    with pytest.raises(Rejected, match=r"above the call's maximum of 150,000\.00 USD"):
        check_vote(Vote(member_id="board-lee", choice=A, amount=D("160000")), BOARD, max_amount=D("150000"), currency="USD")
    # … and if one slipped through, the tally caps it anyway
    d = decide(votes((A, "200000", ""), (A, "200000", ""), (A, "200000", ""), (A, None, "")), requested="180000")
    assert d.amount == D("150000")


def test_abstentions_count_toward_the_quorum_but_not_the_majority() -> None:
    d = decide(votes((A, None, ""), (X, None, ""), (X, None, ""), (X, None, "")))
    assert d.outcome is Outcome.AWARD  # 1 for, 0 against, quorum of 4 present
    d = decide(votes((A, None, ""), (A, None, ""), (R, None, "Too close to an earlier grant.")))
    assert d.outcome is Outcome.NO_QUORUM
    assert d.reasons == ["Only 3 members of 7 voted; the quorum is 4."]
    assert d.summary == "No quorum: 2 approve, 1 reject, 0 abstain of 7 members (quorum 4)."


def test_a_tie_is_not_an_award_and_the_letter_gets_the_reasons() -> None:
    d = decide(votes(
        (A, None, ""), (A, None, ""),
        (R, None, "The co-production is one-sided: the Kazakh partner has no creative role."),
        (R, None, "The distribution plan names no partner outside India."),
        (X, None, ""),
    ))  # fmt: skip
    assert d.outcome is Outcome.REJECT and d.amount is None
    assert d.reasons == [
        "The co-production is one-sided: the Kazakh partner has no creative role.",
        "The distribution plan names no partner outside India.",
        "The board was divided 2–2; an award needs more approvals than rejections.",
    ]


def test_all_abstaining_is_a_rejection_that_says_why() -> None:
    d = decide(votes((X, None, ""), (X, None, ""), (X, None, ""), (X, None, "")))
    assert d.outcome is Outcome.REJECT
    assert d.reasons == ["No member voted for or against; an award needs more approvals than rejections."]


def test_two_thirds() -> None:
    two_to_one = votes((A, None, ""), (A, None, ""), (R, None, "Weak script."), (X, None, ""))
    assert decide(two_to_one, majority=MajorityRule.TWO_THIRDS).outcome is Outcome.AWARD
    three_to_two = votes((A, None, ""), (A, None, ""), (A, None, ""), (R, None, "Weak script."), (R, None, "Weak script."))
    d = decide(three_to_two, majority=MajorityRule.TWO_THIRDS)
    assert d.outcome is Outcome.REJECT
    assert d.reasons == [
        "Weak script.",
        "3 of 5 votes cast were for the award; it needs two thirds of the votes cast for or against.",
    ]


def test_votes_that_cannot_be_counted() -> None:
    with pytest.raises(ValidationError, match="a vote to reject needs a reason"):
        Vote(member_id="board-lee", choice=R)
    with pytest.raises(ValidationError, match="an amount goes only with a vote to approve"):
        Vote(member_id="board-lee", choice=X, amount=D("1000"))
    with pytest.raises(Rejected, match="outsider is not a member of the board and cannot vote"):
        check_vote(Vote(member_id="outsider", choice=A), BOARD)
    first = Vote(member_id="board-lee", choice=A)
    with pytest.raises(Rejected, match="board-lee has already voted on this decision"):
        check_vote(Vote(member_id="board-lee", choice=X), BOARD, [first])
    with pytest.raises(Rejected, match="board-lee voted twice"):
        decide([first, first])
    with pytest.raises(Rejected, match="outsider is not a member of the board; their vote cannot be counted"):
        decide([Vote(member_id="outsider", choice=A)])
    with pytest.raises(Rejected, match="A quorum of 8 can never be reached by a board of 7"):
        decide([], quorum=8)


def test_the_outcome_does_not_depend_on_the_order_of_the_votes() -> None:
    vs = votes((A, "100000", ""), (R, None, "B reason."), (A, "90000", ""), (R, None, "A reason."), (A, None, ""))
    assert decide(vs) == decide(list(reversed(vs)))
