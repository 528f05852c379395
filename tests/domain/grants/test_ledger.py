"""The fund's books: refusals with figures, idempotency, and invariants over many sequences."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.agreement_rules import Rejected
from domain.grants.ledger import Ledger
from tests.domain.grants.examples import FUND

D = Decimal


def books() -> Ledger:
    return Ledger.open(FUND)


def test_commitments_never_exceed_the_budget() -> None:
    ledger = books()
    for i, amount in enumerate(["150000", "150000", "150000", "150000", "150000", "150000", "50000"]):
        ledger = ledger.commit(f"award-{i}", D(amount))
    assert ledger.committed == D("950000") and ledger.remaining == D("50000")
    with pytest.raises(Rejected) as e:
        ledger.commit("award-cn-ru-animation", D("120000"))
    assert str(e.value) == (
        "Committing 120,000.00 USD to award-cn-ru-animation would exceed the fund:"
        " 950,000.00 of 1,000,000.00 USD is committed, 50,000.00 remains."
    )
    assert ledger.commit("award-last", D("50000")).remaining == 0


def test_commit_is_idempotent_by_award() -> None:
    ledger = books().commit("award-1", D("120000"))
    assert ledger.commit("award-1", D("120000")) is ledger
    with pytest.raises(
        Rejected, match=r"Award award-1 is already committed at 120,000\.00 USD; change its amount by an amendment"
    ):
        ledger.commit("award-1", D("100000"))
    amended = ledger.amend("award-1", D("110000"))
    assert amended.commit("award-1", D("120000")) is amended  # the original commitment told again
    with pytest.raises(Rejected, match="commits nothing"):
        ledger.commit("award-2", D("0"))
    with pytest.raises(Rejected, match="not the float"):
        ledger.commit("award-2", 1000.5)  # type: ignore[arg-type]


def test_releases_never_exceed_the_award() -> None:
    ledger = books().commit("award-1", D("100000")).release("award-1", "signature", D("40000"))
    ledger = ledger.release("award-1", "milestone", D("40000"))
    with pytest.raises(Rejected) as e:
        ledger.release("award-1", "delivery", D("20000.01"))
    assert str(e.value) == (
        "Releasing 20,000.01 USD for tranche delivery would exceed award award-1: 100,000.00 USD is committed"
        " and 80,000.00 already released; 20,000.00 remains to release."
    )
    with pytest.raises(Rejected, match="Nothing is committed to award award-9; commit the award before releasing"):
        ledger.release("award-9", "signature", D("1"))


def test_release_is_idempotent_by_tranche() -> None:
    ledger = books().commit("award-1", D("100000")).release("award-1", "signature", D("40000"))
    assert ledger.release("award-1", "signature", D("40000")) is ledger
    with pytest.raises(Rejected, match=r"Tranche signature of award award-1 was already released at 40,000\.00 USD"):
        ledger.release("award-1", "signature", D("30000"))
    # the same tranche id on another award is another tranche
    other = ledger.commit("award-2", D("50000")).release("award-2", "signature", D("20000"))
    assert other.released == D("60000")


def test_amendments_stay_above_what_was_released_and_within_the_budget() -> None:
    ledger = books().commit("award-1", D("100000")).release("award-1", "signature", D("40000"))
    with pytest.raises(
        Rejected,
        match=r"Award award-1 cannot be cut to 30,000\.00 USD: 40,000\.00 is already released; recover money by clawback",
    ):
        ledger.amend("award-1", D("30000"))
    big = ledger.commit("award-2", D("880000"))
    with pytest.raises(
        Rejected,
        match=r"Raising award award-1 to 130,000\.00 USD would exceed the fund: 980,000\.00 of 1,000,000\.00 USD is committed, 20,000\.00 remains",
    ):
        big.amend("award-1", D("130000"))
    raised = big.amend("award-1", D("120000"))
    assert raised.remaining == 0 and raised.amend("award-1", D("120000")) is raised
    with pytest.raises(Rejected, match="cancel it"):
        books().commit("award-1", D("1000")).amend("award-1", D("0"))


def test_cancel_frees_the_unreleased_part_and_stops_releases() -> None:
    ledger = (
        books()
        .commit("award-1", D("100000"))
        .release("award-1", "signature", D("40000"))
        .cancel("award-1", "The production was abandoned.")
    )
    assert (ledger.committed, ledger.released, ledger.remaining, ledger.outstanding) == (
        D("40000"),
        D("40000"),
        D("960000"),
        D(0),
    )
    assert ledger.cancel("award-1") is ledger
    with pytest.raises(Rejected, match="Award award-1 was cancelled; its unreleased money went back to the fund"):
        ledger.release("award-1", "milestone", D("40000"))
    with pytest.raises(Rejected, match="Award award-1 was cancelled and can no longer be amended"):
        ledger.amend("award-1", D("50000"))
    with pytest.raises(Rejected, match="Award award-1 was cancelled; a new award needs a new id"):
        ledger.commit("award-1", D("100000"))


def test_a_clawback_returns_money_to_the_fund() -> None:
    ledger = books().commit("award-1", D("100000")).release("award-1", "signature", D("40000")).cancel("award-1")
    ledger = ledger.clawback("award-1", D("15000"), "Unspent advance returned after the cancellation.", reference="cb-1")
    assert (ledger.committed, ledger.released, ledger.remaining, ledger.outstanding, ledger.clawed_back) == (
        D("25000"), D("25000"), D("975000"), D(0), D("15000")
    )  # fmt: skip
    assert ledger.disbursed == ledger.released
    assert ledger.clawback("award-1", D("15000"), "again", reference="cb-1") is ledger
    with pytest.raises(Rejected, match=r"Clawback cb-1 was already recorded: 15,000\.00 USD on award award-1"):
        ledger.clawback("award-1", D("5000"), "again", reference="cb-1")
    with pytest.raises(
        Rejected, match=r"Only 25,000\.00 USD of award award-1 has been released; 30,000\.00 cannot be clawed back"
    ):
        ledger.clawback("award-1", D("30000"), "Audit finding.")
    with pytest.raises(Rejected, match="Say why the money is clawed back"):
        ledger.clawback("award-1", D("1000"), " ")


def test_the_statement_tells_the_story_with_running_figures() -> None:
    ledger = (
        books()
        .commit("award-in-kz", D("120000"))
        .release("award-in-kz", "signature", D("48000"))
        .amend("award-in-kz", D("110000"))
        .release("award-in-kz", "milestone", D("40000"))
        .cancel("award-in-kz", "The co-producer withdrew.")
        .clawback("award-in-kz", D("8000"), "Unspent milestone money")
    )
    assert [(s.text, s.committed, s.released, s.remaining) for s in ledger.statement()] == [
        ("Commitment to award award-in-kz: 120,000.00 USD", D("120000"), D(0), D("880000")),
        ("Release of tranche signature of award award-in-kz: 48,000.00 USD", D("120000"), D("48000"), D("880000")),
        ("Amendment of award award-in-kz to 110,000.00 USD (−10,000.00)", D("110000"), D("48000"), D("890000")),
        ("Release of tranche milestone of award award-in-kz: 40,000.00 USD", D("110000"), D("88000"), D("890000")),
        (
            "Cancellation of award award-in-kz, 22,000.00 USD returned to the fund: The co-producer withdrew.",
            D("88000"),
            D("88000"),
            D("912000"),
        ),
        ("Clawback on award award-in-kz: 8,000.00 USD returned (Unspent milestone money)", D("80000"), D("80000"), D("920000")),
    ]
    assert ledger.figures().lines() == [
        "Budget: 1,000,000.00 USD",
        "Committed to awards: 80,000.00 USD",
        "Released (disbursed, net of clawbacks): 80,000.00 USD",
        "Outstanding (committed, not yet released): 0.00 USD",
        "Remaining (uncommitted): 920,000.00 USD",
        "Clawed back: 8,000.00 USD",
    ]
    account = ledger.account("award-in-kz")
    assert account.tranches == {"signature": D("48000"), "milestone": D("40000")} and account.cancelled


def test_the_journal_survives_json_and_a_tampered_one_is_refused() -> None:
    ledger = books().commit("a-1", D("100000")).release("a-1", "signature", D("40000"))
    assert Ledger.model_validate_json(ledger.model_dump_json()) == ledger
    data = ledger.model_dump(mode="json")
    data["entries"][1]["amount"] = "140000.00"
    data["entries"][1]["released_change"] = "140000.00"
    with pytest.raises(ValidationError, match=r"award a-1 has 140,000\.00 released, more than its 100,000\.00 committed"):
        Ledger.model_validate(data)


# ---------------------------------------------------------------- invariants over many sequences


class Lcg:
    """A tiny deterministic generator (no `random`): the same seed always gives the same sequence."""

    def __init__(self, seed: int) -> None:
        self.state = seed

    def next(self, n: int) -> int:
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % n


def test_figures_add_up_after_every_operation_of_many_sequences() -> None:
    """1,000 sequences of 40 operations each, valid and invalid mixed: a refusal never changes the books,
    an accepted operation never breaks an invariant."""
    kinds = ["commit", "release", "release", "amend", "cancel", "clawback", "repeat"]
    accepted = refused = 0
    for seed in range(1000):
        g = Lcg(seed)
        ledger = Ledger(fund_id="f-test", currency="USD", budget=D(100000) + D(g.next(100000)) / 100)
        last: tuple[str, tuple] | None = None
        for _ in range(40):
            award = f"a-{g.next(6)}"
            amount = D(g.next(6_000_000)) / 100
            kind = kinds[g.next(len(kinds))]
            if kind == "repeat":
                op, args = last or ("commit", (award, amount))
            elif kind == "release":
                op, args = kind, (award, f"t-{g.next(4)}", amount)
            elif kind == "cancel":
                op, args = kind, (award,)
            elif kind == "clawback":
                op, args = kind, (award, amount, "returned")
            else:
                op, args = kind, (award, amount)
            before = ledger
            try:
                ledger = getattr(ledger, op)(*args)
                accepted += 1
                last = (op, args)
            except Rejected:
                refused += 1
                assert ledger is before
            assert ledger.figures_add_up(), (seed, ledger.problems())
            assert ledger.remaining >= 0 and ledger.outstanding >= 0
            assert ledger.committed + ledger.remaining == ledger.budget
            assert ledger.released + ledger.outstanding == ledger.committed
            for acc in ledger.accounts().values():
                assert D(0) <= acc.released <= acc.committed
        assert Ledger.model_validate(ledger.model_dump()) == ledger
    assert accepted > 5_000 and refused > 5_000  # both paths well exercised


def test_idempotent_operations_leave_the_statement_unchanged() -> None:
    for seed in range(200):
        g = Lcg(seed)
        ledger = books()
        for i in range(5):
            ledger = ledger.commit(f"a-{i}", D(10000 + g.next(100000)))
        for i in range(5):
            acc = ledger.account(f"a-{i}")
            part = (acc.committed * D("0.4")).quantize(D("0.01"))
            ledger = ledger.release(f"a-{i}", "signature", part)
            again = ledger.release(f"a-{i}", "signature", part).commit(f"a-{i}", ledger.entries[i].amount)
            assert again.statement() == ledger.statement()
