"""The fund's books: commitments to awards, tranches released, amendments, cancellations, clawbacks.

The ledger is a journal: each entry records how it changed the committed and the released totals,
and every figure is a sum over the journal, so the figures cannot drift apart. Each operation is a
pure function of the ledger that returns a new ledger or raises `Rejected` with the figures a fund
manager needs to see, and none can break the invariants:

    remaining   = budget − committed        ≥ 0   (commitments never exceed the budget)
    outstanding = committed − released      ≥ 0   (per award: releases never exceed the award)

Operations are idempotent by their natural key, because a workflow may be told twice about the
same thing: committing the same award at the same amount, releasing the same tranche of an award
at the same amount, amending to the amount already in force, cancelling an award already cancelled
or repeating a clawback with the same reference leave the ledger as it is; the same key with a
different amount is refused, as it is a different event wearing the same name.

Semantics of the less obvious operations:
- `amend` sets an award's commitment to a new amount (board-approved elsewhere), never below what
  was released, and never beyond the budget.
- `cancel` ends an award: the part not yet released goes back to the fund, releases stop.
- `clawback` records money returned by the producer: it lowers what was released *and* what is
  committed, so it becomes available to the fund again (remaining grows, outstanding is unchanged).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.agreement_rules import Rejected
from domain.grants.funds import Fund
from domain.grants.money import CENT, Currency, PositiveAmount, format_amount, format_money, money_in
from domain.parties import ID_PATTERN


class EntryKind(StrEnum):
    COMMIT = "commit"
    RELEASE = "release"
    AMEND = "amend"
    CANCEL = "cancel"
    CLAWBACK = "clawback"


class LedgerEntry(BaseModel):
    """One event in the books, with its effect on the committed and released totals."""

    model_config = ConfigDict(frozen=True)

    seq: int = Field(ge=1)
    kind: EntryKind
    award_id: str
    tranche_id: str | None = None
    reference: str | None = Field(default=None, description="A clawback's idempotency reference")
    amount: Decimal = Field(description="The event's own figure: committed, released, new amount, freed or returned")
    committed_change: Decimal
    released_change: Decimal
    reason: str = ""


class AwardAccount(BaseModel):
    """One award's position, computed from the journal."""

    model_config = ConfigDict(frozen=True)

    award_id: str
    committed: Decimal = Decimal(0)
    released: Decimal = Decimal(0)  # net of clawbacks
    clawed_back: Decimal = Decimal(0)
    cancelled: bool = False
    tranches: dict[str, Decimal] = Field(default_factory=dict, description="Tranche id → amount released")

    @property
    def outstanding(self) -> Decimal:
        """Committed but not yet released: what the fund still owes on this award."""
        return self.committed - self.released


class Figures(BaseModel):
    """The fund's figures at a point of the journal."""

    model_config = ConfigDict(frozen=True)

    currency: str
    budget: Decimal
    committed: Decimal
    released: Decimal
    remaining: Decimal
    outstanding: Decimal
    clawed_back: Decimal

    def lines(self) -> list[str]:
        c = self.currency
        return [
            f"Budget: {format_money(self.budget, c)}",
            f"Committed to awards: {format_money(self.committed, c)}",
            f"Released (disbursed, net of clawbacks): {format_money(self.released, c)}",
            f"Outstanding (committed, not yet released): {format_money(self.outstanding, c)}",
            f"Remaining (uncommitted): {format_money(self.remaining, c)}",
            f"Clawed back: {format_money(self.clawed_back, c)}",
        ]


class StatementLine(BaseModel):
    """A line of the fund statement: the event and the figures after it."""

    model_config = ConfigDict(frozen=True)

    seq: int
    kind: EntryKind
    award_id: str
    tranche_id: str | None
    text: str
    amount: Decimal
    committed: Decimal
    released: Decimal
    remaining: Decimal


def _accounts(entries: tuple[LedgerEntry, ...]) -> dict[str, AwardAccount]:
    acc: dict[str, dict] = {}
    for e in entries:
        a = acc.setdefault(e.award_id, {"award_id": e.award_id, "committed": Decimal(0), "released": Decimal(0),
                                         "clawed_back": Decimal(0), "cancelled": False, "tranches": {}})  # fmt: skip
        a["committed"] += e.committed_change
        a["released"] += e.released_change
        if e.kind is EntryKind.RELEASE and e.tranche_id is not None:
            a["tranches"][e.tranche_id] = a["tranches"].get(e.tranche_id, Decimal(0)) + e.amount
        elif e.kind is EntryKind.CLAWBACK:
            a["clawed_back"] += e.amount
        elif e.kind is EntryKind.CANCEL:
            a["cancelled"] = True
    return {k: AwardAccount(**v) for k, v in acc.items()}


class Ledger(BaseModel):
    """The books of one fund. Build with `Ledger.open(fund)` or from a stored journal."""

    model_config = ConfigDict(frozen=True)

    fund_id: str = Field(pattern=ID_PATTERN)
    currency: Currency
    budget: PositiveAmount
    entries: tuple[LedgerEntry, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Ledger:
        problems = self.problems()
        if problems:
            raise ValueError("the journal does not add up: " + "; ".join(problems))
        return self

    @classmethod
    def open(cls, fund: Fund) -> Ledger:
        """An empty ledger for a fund."""
        return cls(fund_id=fund.id, currency=fund.currency, budget=fund.budget)

    # ------------------------------------------------------------ figures

    @property
    def committed(self) -> Decimal:
        return sum((e.committed_change for e in self.entries), Decimal(0))

    @property
    def released(self) -> Decimal:
        """Disbursed to producers, net of money clawed back."""
        return sum((e.released_change for e in self.entries), Decimal(0))

    disbursed = released

    @property
    def remaining(self) -> Decimal:
        """Not committed to any award: what new awards can still use."""
        return self.budget - self.committed

    @property
    def outstanding(self) -> Decimal:
        """Committed but not released: what the fund still owes."""
        return self.committed - self.released

    @property
    def clawed_back(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind is EntryKind.CLAWBACK), Decimal(0))

    def figures(self) -> Figures:
        return Figures(
            currency=self.currency,
            budget=self.budget,
            committed=self.committed,
            released=self.released,
            remaining=self.remaining,
            outstanding=self.outstanding,
            clawed_back=self.clawed_back,
        )

    def accounts(self) -> dict[str, AwardAccount]:
        return _accounts(self.entries)

    def _account_of(self, award_id: str) -> AwardAccount | None:
        """One award's account, built from that award's entries only (an operation touches one
        award: building every award's account cost each operation ten times more at 4,000 entries;
        `python -m bench.ledger`)."""
        return _accounts(tuple(e for e in self.entries if e.award_id == award_id)).get(award_id)

    def account(self, award_id: str) -> AwardAccount:
        found = self._account_of(award_id)
        if found is None:
            raise Rejected(f"Nothing is committed to award {award_id}; commit the award before releasing or changing it.")
        return found

    def problems(self) -> list[str]:
        """Every broken invariant, one line each; empty when the books are sound."""
        out: list[str] = []
        accounts = self.accounts()
        if [e.seq for e in self.entries] != list(range(1, len(self.entries) + 1)):
            out.append("entries are not numbered 1, 2, 3… in order")
        for e in self.entries:
            for x in (e.amount, e.committed_change, e.released_change):
                if x != x.quantize(CENT):
                    out.append(f"entry {e.seq} has an amount finer than a cent")
        if self.committed > self.budget:
            out.append(f"{format_amount(self.committed)} is committed, more than the budget of {format_amount(self.budget)}")
        for a in accounts.values():
            if a.released < 0:
                out.append(f"award {a.award_id} has more clawed back than released")
            if a.released > a.committed:
                out.append(
                    f"award {a.award_id} has {format_amount(a.released)} released, more than its {format_amount(a.committed)} committed"
                )
            if sum(a.tranches.values(), Decimal(0)) - a.clawed_back != a.released:
                out.append(f"award {a.award_id}'s tranches do not add up to what was released")
        if sum((a.committed for a in accounts.values()), Decimal(0)) != self.committed:
            out.append("the awards' commitments do not add up to the fund's")  # pragma: no cover - sums of the same entries
        if self.remaining + self.committed != self.budget or self.outstanding + self.released != self.committed:
            out.append("the figures do not add up")  # pragma: no cover - definitions
        return out

    def figures_add_up(self) -> bool:
        """The invariant: budget = committed + remaining, committed = released + outstanding, none negative, per award too."""
        return not self.problems() and self.remaining >= 0 and self.outstanding >= 0 and self.released >= 0

    # ------------------------------------------------------------ operations

    def _append(
        self, kind: EntryKind, award_id: str, amount: Decimal, committed: Decimal, released: Decimal, **extra: object
    ) -> Ledger:
        entry = LedgerEntry(
            seq=len(self.entries) + 1,
            kind=kind,
            award_id=award_id,
            amount=amount,
            committed_change=committed,
            released_change=released,
            **extra,  # type: ignore[arg-type]
        )
        return self.model_copy(update={"entries": (*self.entries, entry)})

    def _m(self, amount: Decimal) -> str:
        return format_money(amount, self.currency)

    def _exceeds(self, doing: str, extra: Decimal) -> None:
        if extra > self.remaining:
            raise Rejected(
                f"{doing} would exceed the fund: {format_amount(self.committed)} of {self._m(self.budget)} is committed,"
                f" {format_amount(self.remaining)} remains."
            )

    def commit(self, award_id: str, amount: Decimal) -> Ledger:
        """Commit `amount` to a new award; a no-op if the award is already committed at that amount."""
        amount = money_in(amount, "the amount to commit")
        if amount == 0:
            raise Rejected(f"Committing 0.00 {self.currency} to award {award_id} commits nothing; give the awarded amount.")
        existing = self._account_of(award_id)
        if existing is not None:
            if existing.cancelled:
                raise Rejected(f"Award {award_id} was cancelled; a new award needs a new id.")
            first = next(e for e in self.entries if e.award_id == award_id and e.kind is EntryKind.COMMIT)
            if first.amount == amount:  # the same commitment told twice, even after an amendment
                return self
            raise Rejected(
                f"Award {award_id} is already committed at {self._m(existing.committed)}; change its amount by an amendment"
                " the board approves."
            )
        self._exceeds(f"Committing {self._m(amount)} to {award_id}", amount)
        return self._append(EntryKind.COMMIT, award_id, amount, amount, Decimal(0))

    def release(self, award_id: str, tranche_id: str, amount: Decimal) -> Ledger:
        """Release (disburse) a tranche of an award; a no-op if that tranche was released at that amount."""
        amount = money_in(amount, "the amount to release")
        if amount == 0:
            raise Rejected(f"Tranche {tranche_id} of {self._m(Decimal(0))} releases nothing.")
        a = self.account(award_id)
        done = a.tranches.get(tranche_id)
        if done is not None:
            if done == amount:
                return self
            raise Rejected(f"Tranche {tranche_id} of award {award_id} was already released at {self._m(done)}.")
        if a.cancelled:
            raise Rejected(
                f"Award {award_id} was cancelled; its unreleased money went back to the fund and nothing more is paid."
            )
        if amount > a.outstanding:
            raise Rejected(
                f"Releasing {self._m(amount)} for tranche {tranche_id} would exceed award {award_id}:"
                f" {self._m(a.committed)} is committed and {format_amount(a.released)} already released;"
                f" {format_amount(a.outstanding)} remains to release."
            )
        return self._append(EntryKind.RELEASE, award_id, amount, Decimal(0), amount, tranche_id=tranche_id)

    def amend(self, award_id: str, new_amount: Decimal) -> Ledger:
        """Set an award's commitment to `new_amount` (board-approved): not below released, not beyond the budget."""
        new_amount = money_in(new_amount, "the new amount")
        a = self.account(award_id)
        if a.cancelled:
            raise Rejected(f"Award {award_id} was cancelled and can no longer be amended.")
        if new_amount == a.committed:
            return self
        if new_amount == 0:
            raise Rejected(f"To take award {award_id} down to nothing, cancel it.")
        if new_amount < a.released:
            raise Rejected(
                f"Award {award_id} cannot be cut to {self._m(new_amount)}: {format_amount(a.released)} is already released;"
                " recover money by clawback."
            )
        delta = new_amount - a.committed
        self._exceeds(f"Raising award {award_id} to {self._m(new_amount)}", delta)
        return self._append(EntryKind.AMEND, award_id, new_amount, delta, Decimal(0))

    def cancel(self, award_id: str, reason: str = "") -> Ledger:
        """End an award: the unreleased part returns to the fund. A no-op for an award already cancelled."""
        a = self.account(award_id)
        if a.cancelled:
            return self
        freed = a.outstanding
        return self._append(EntryKind.CANCEL, award_id, freed, -freed, Decimal(0), reason=reason)

    def clawback(self, award_id: str, amount: Decimal, reason: str, *, reference: str | None = None) -> Ledger:
        """Record money returned on an award: released and committed both go down by `amount`.

        With a `reference`, repeating the same clawback is a no-op.
        """
        amount = money_in(amount, "the amount clawed back")
        if amount == 0:
            raise Rejected("A clawback of 0.00 returns nothing.")
        if not reason.strip():
            raise Rejected("Say why the money is clawed back; the reason goes on the fund statement.")
        a = self.account(award_id)
        if reference is not None:
            same = next((e for e in self.entries if e.kind is EntryKind.CLAWBACK and e.reference == reference), None)
            if same is not None:
                if same.award_id == award_id and same.amount == amount:
                    return self
                raise Rejected(f"Clawback {reference} was already recorded: {self._m(same.amount)} on award {same.award_id}.")
        if amount > a.released:
            raise Rejected(
                f"Only {self._m(a.released)} of award {award_id} has been released; {format_amount(amount)} cannot be clawed back."
            )
        return self._append(EntryKind.CLAWBACK, award_id, amount, -amount, -amount, reason=reason.strip(), reference=reference)

    # ------------------------------------------------------------ statement

    def statement(self) -> list[StatementLine]:
        """The journal as statement lines, each with the fund's figures after it."""
        out: list[StatementLine] = []
        committed = released = Decimal(0)
        for e in self.entries:
            committed += e.committed_change
            released += e.released_change
            out.append(
                StatementLine(
                    seq=e.seq,
                    kind=e.kind,
                    award_id=e.award_id,
                    tranche_id=e.tranche_id,
                    text=self._describe(e),
                    amount=e.amount,
                    committed=committed,
                    released=released,
                    remaining=self.budget - committed,
                )
            )
        return out

    def _describe(self, e: LedgerEntry) -> str:
        m = self._m(e.amount)
        match e.kind:
            case EntryKind.COMMIT:
                return f"Commitment to award {e.award_id}: {m}"
            case EntryKind.RELEASE:
                return f"Release of tranche {e.tranche_id} of award {e.award_id}: {m}"
            case EntryKind.AMEND:
                change = ("+" if e.committed_change > 0 else "−") + format_amount(abs(e.committed_change))
                return f"Amendment of award {e.award_id} to {m} ({change})"
            case EntryKind.CANCEL:
                why = f": {e.reason}" if e.reason else ""
                return f"Cancellation of award {e.award_id}, {m} returned to the fund{why}"
            case EntryKind.CLAWBACK:
                return f"Clawback on award {e.award_id}: {m} returned ({e.reason})"
        raise AssertionError(e.kind)  # pragma: no cover
