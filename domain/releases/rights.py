"""A film's rights: who may show it where, on which media, for how long, and whether alone.

A licence (`RightsGrant`) gives a distributor a film's rights in some territories (network
countries), on some media (theatrical, streaming, TV), for a term of whole days (both ends
included) and either exclusively or not. Two grants *overlap* when they share a territory, a
medium and a day. The rights holder may grant the same rights non-exclusively to as many
distributors as it likes; an exclusive grant is a promise that nobody else gets them. So a licence
is refused when it overlaps an existing exclusive one, or is itself exclusive and overlaps any
existing one: in both cases signing it would break a promise already made. The refusal names the
conflicting deal, the licensee, and where and from when they collide, so the people negotiating
can narrow the territories, media or dates instead of guessing.

A theatrical licence usually also protects the cinema window with a *holdback*: the rights holder
keeps other media (streaming, TV) dark in the licence's territories until a date. A holdback
conflicts with any grant of a held-back medium in those territories before that date.

Dates are inclusive: a term ending 2027-11-30 and one starting 2027-12-01 are adjacent and do not
overlap. The ledger (`RightsLedger`) holds one film's reserved grants; reserving is idempotent by
deal id, so a retried workflow step never reserves twice, and releasing a deal that fell through
frees its rights for others.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.grants.applications import CountryCode
from domain.grants.money import Amount, Currency, format_money
from domain.parties import ID_PATTERN
from domain.releases.festival import error_lines


class Media(StrEnum):
    THEATRICAL = "theatrical"
    STREAMING = "streaming"  # subscription, transactional or advertising-funded video on demand
    TV = "tv"  # free or pay television


MEDIA_ORDER = (Media.THEATRICAL, Media.STREAMING, Media.TV)
MEDIA_NAMES = {Media.THEATRICAL: "theatrical", Media.STREAMING: "streaming", Media.TV: "TV"}


def media_text(media: Iterable[Media]) -> str:
    """'theatrical', 'streaming and TV': the media in their usual order, as a sentence names them."""
    wanted = set(media)
    return _and([MEDIA_NAMES[m] for m in MEDIA_ORDER if m in wanted])


class Availability(StrEnum):
    """What a rights holder can still do with a film in a territory, on a medium, on a day."""

    FREE = "free"  # nobody holds these rights: license them either way
    NON_EXCLUSIVE = "non_exclusive"  # licensed non-exclusively: another non-exclusive licence is possible
    HELD_BACK = "held_back"  # kept dark by a holdback protecting another window: no licence yet
    EXCLUSIVE = "exclusive"  # taken exclusively: no other licence


def _unique(v: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    if twice := sorted({str(x) for x in v if v.count(x) > 1}):
        raise ValueError(f"{what} {', '.join(twice)} is listed twice")
    return v


class Holdback(BaseModel):
    """Media the rights holder keeps dark in the grant's territories, from its start to `ends_on` (inclusive)."""

    model_config = ConfigDict(frozen=True)

    media: tuple[Media, ...] = Field(min_length=1)
    ends_on: date

    _m = field_validator("media")(classmethod(lambda cls, v: _unique(v, "held-back medium")))


class RightsGrant(BaseModel):
    """A licence of a film's rights: territories × media × term × exclusivity, for a fee."""

    model_config = ConfigDict(frozen=True)

    deal_id: str = Field(pattern=ID_PATTERN, description="The licence's id, e.g. lic-kz-001; also the agreement's reference")
    film_id: str = Field(pattern=ID_PATTERN)
    licensee_id: str = Field(pattern=ID_PATTERN, description="The distributor, broadcaster or platform taking the licence")
    licensee_name: str = Field(min_length=1, max_length=300)
    territories: tuple[CountryCode, ...] = Field(min_length=1)
    media: tuple[Media, ...] = Field(min_length=1)
    starts_on: date
    ends_on: date = Field(description="The last day of the licence (inclusive)")
    exclusive: bool
    fee: Amount = Field(description="The licence fee (minimum guarantee); 0.00 for a free cultural screening licence")
    currency: Currency
    holdback: Holdback | None = None

    _t = field_validator("territories")(classmethod(lambda cls, v: _unique(v, "territory")))
    _m = field_validator("media")(classmethod(lambda cls, v: _unique(v, "medium")))

    @model_validator(mode="after")
    def _coherent(self) -> RightsGrant:
        if self.ends_on <= self.starts_on:
            raise ValueError(
                f"the licence ends on {self.ends_on.isoformat()}, which is not after it starts ({self.starts_on.isoformat()})"
            )
        if self.holdback is not None:
            if both := [m for m in MEDIA_ORDER if m in self.holdback.media and m in self.media]:
                raise ValueError(
                    f"the licence grants {media_text(both)} and cannot also hold {'it' if len(both) == 1 else 'them'} back"
                )
            if self.holdback.ends_on < self.starts_on:
                raise ValueError(
                    f"the holdback ends on {self.holdback.ends_on.isoformat()}, before the licence starts ({self.starts_on.isoformat()})"
                )
        return self

    @property
    def term(self) -> str:
        return f"from {self.starts_on.isoformat()} to {self.ends_on.isoformat()}"

    def fee_text(self) -> str:
        return format_money(self.fee, self.currency)

    def covers(self, territory: str, medium: Media, on: date) -> bool:
        return territory in self.territories and medium in self.media and self.starts_on <= on <= self.ends_on

    def holds_back(self, territory: str, medium: Media, on: date) -> bool:
        h = self.holdback
        return h is not None and territory in self.territories and medium in h.media and self.starts_on <= on <= h.ends_on


def parse_licence(data: Any) -> RightsGrant:
    """A `RightsGrant` from submitted data, or `Rejected` listing every field that is wrong."""
    try:
        return RightsGrant.model_validate(data)
    except ValidationError as e:
        raise Rejected("The licence cannot be recorded: " + "; ".join(error_lines(e)) + ".") from None


# ------------------------------------------------------------------------- overlaps


def _and(items: Sequence[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class _Claim(BaseModel):
    """A block of territory × media × days that a grant claims, granted or held back."""

    model_config = ConfigDict(frozen=True)

    territories: tuple[str, ...]
    media: tuple[Media, ...]
    starts_on: date
    ends_on: date
    held_back: bool = False


def _claims(g: RightsGrant) -> list[_Claim]:
    out = [_Claim(territories=g.territories, media=g.media, starts_on=g.starts_on, ends_on=g.ends_on)]
    if g.holdback is not None:
        out.append(
            _Claim(
                territories=g.territories,
                media=g.holdback.media,
                starts_on=g.starts_on,
                ends_on=g.holdback.ends_on,
                held_back=True,
            )
        )
    return out


class Overlap(BaseModel):
    """Where two claims meet: the shared territories and media (in a stable order) and the shared days."""

    model_config = ConfigDict(frozen=True)

    territories: tuple[str, ...]
    media: tuple[Media, ...]
    starts_on: date
    ends_on: date

    def where(self) -> str:
        return f"in {_and(self.territories)}, {media_text(self.media)}, from {self.starts_on.isoformat()}"


def _overlap(a: _Claim, b: _Claim) -> Overlap | None:
    territories = tuple(t for t in a.territories if t in b.territories)
    media = tuple(m for m in MEDIA_ORDER if m in a.media and m in b.media)
    start, end = max(a.starts_on, b.starts_on), min(a.ends_on, b.ends_on)
    if not territories or not media or start > end:
        return None
    return Overlap(territories=tuple(sorted(territories)), media=media, starts_on=start, ends_on=end)


def overlap(a: RightsGrant, b: RightsGrant) -> Overlap | None:
    """Where two grants' rights meet (holdbacks and exclusivity aside); None if they do not, or are of different films."""
    if a.film_id != b.film_id:
        return None
    return _overlap(_claims(a)[0], _claims(b)[0])


def overlaps(a: RightsGrant, b: RightsGrant) -> bool:
    """True when two grants of the same film share a territory, a medium and a day (ends included)."""
    return overlap(a, b) is not None


def _media_text(g: RightsGrant, media: Sequence[Media]) -> str:
    return f"{'exclusive' if g.exclusive else 'non-exclusive'} {media_text(media)} rights"


def _conflict(old: RightsGrant, new: RightsGrant) -> str | None:
    """Why `new` cannot be granted alongside `old`, in one or two sentences; None when it can."""
    if old.film_id != new.film_id or old.deal_id == new.deal_id:
        return None
    for oc in _claims(old):
        for nc in _claims(new):
            if oc.held_back and nc.held_back:
                continue  # two holdbacks both keep a medium dark: no promise is broken
            o = _overlap(oc, nc)
            if o is None:
                continue
            if oc.held_back:
                return (
                    f"Deal {old.deal_id} holds back {media_text(oc.media)} in {_and(oc.territories)}"
                    f" until {oc.ends_on.isoformat()} to protect the {media_text(old.media)} release by {old.licensee_name};"
                    f" this licence overlaps it {o.where()}."
                )
            if nc.held_back:
                return (
                    f"Deal {old.deal_id} already gives {old.licensee_name} {_media_text(old, old.media)} in {_and(old.territories)}"
                    f" {old.term}; this licence would hold back {media_text(o.media)} in {_and(o.territories)}"
                    f" from {o.starts_on.isoformat()}, while that deal runs."
                )
            if old.exclusive:
                return (
                    f"Deal {old.deal_id} already gives {old.licensee_name} {_media_text(old, old.media)} in {_and(old.territories)}"
                    f" {old.term}; this licence overlaps it {o.where()}."
                )
            if new.exclusive:
                return (
                    f"Deal {old.deal_id} already gives {old.licensee_name} {_media_text(old, old.media)} in {_and(old.territories)}"
                    f" {old.term}; an exclusive licence cannot overlap it, and this one does {o.where()}."
                )
    return None


def conflicts(existing: Iterable[RightsGrant], new: RightsGrant) -> list[tuple[RightsGrant, str]]:
    """Every existing grant `new` conflicts with, with the reason, by start date then deal id."""
    out = []
    for old in sorted(existing, key=lambda g: (g.starts_on, g.deal_id)):
        why = _conflict(old, new)
        if why is not None:
            out.append((old, why))
    return out


def check_licence(existing: Sequence[RightsGrant], new: RightsGrant) -> None:
    """Refuse `new` if it would break a promise made by an existing grant of the same film.

    Refused: overlapping an existing exclusive grant; being exclusive and overlapping any existing
    grant; a holdback colliding with a grant (either way). The message names the first conflicting
    deal (by start date), where and from when, and lists any further ones. Grants of other films,
    and the same deal recorded earlier, are ignored: `RightsLedger.reserve` decides about a repeat.
    """
    found = conflicts(existing, new)
    if not found:
        return
    first, why = found[0]
    more = [g.deal_id for g, _ in found[1:]]
    also = f" It also conflicts with {_and(more)}." if more else ""
    raise Rejected(
        f"{why}{also} Change the territories, media or dates so they do not overlap,"
        f" or release {first.deal_id} first if that deal fell through."
    )


# ------------------------------------------------------------------------- availability


def availability(grants: Iterable[RightsGrant], film_id: str, territory: str, on: date) -> dict[Media, Availability]:
    """For each medium, what the rights holder can still do with the film in `territory` on `on`.

    Exclusive beats held back beats non-exclusive beats free: the strongest promise decides.
    """
    rank = [Availability.FREE, Availability.NON_EXCLUSIVE, Availability.HELD_BACK, Availability.EXCLUSIVE]
    out = {m: Availability.FREE for m in MEDIA_ORDER}
    territory = territory.upper()
    for g in grants:
        if g.film_id != film_id:
            continue
        for m in MEDIA_ORDER:
            now = out[m]
            if g.covers(territory, m, on):
                now = Availability.EXCLUSIVE if g.exclusive else Availability.NON_EXCLUSIVE
            elif g.holds_back(territory, m, on):
                now = Availability.HELD_BACK
            if rank.index(now) > rank.index(out[m]):
                out[m] = now
    return out


# ------------------------------------------------------------------------- ledger


class RightsLedger(BaseModel):
    """One film's reserved licences: the source of truth the release workflows check a new deal against.

    A grant is reserved when a licence goes to signature and released if the deal falls through,
    so two countries negotiating at once cannot both be promised the same exclusive rights. The
    ledger is immutable: `reserve` and `release` return a new one.
    """

    model_config = ConfigDict(frozen=True)

    film_id: str = Field(pattern=ID_PATTERN)
    grants: tuple[RightsGrant, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RightsLedger:
        ids = [g.deal_id for g in self.grants]
        if twice := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"deal {', '.join(twice)} is in the ledger twice")
        if other := sorted({g.deal_id for g in self.grants if g.film_id != self.film_id}):
            raise ValueError(f"deal {', '.join(other)} is for another film than {self.film_id}")
        for i, g in enumerate(self.grants):
            if found := conflicts(self.grants[:i], g):
                raise ValueError(f"deals {found[0][0].deal_id} and {g.deal_id} conflict")
        return self

    def grant(self, deal_id: str) -> RightsGrant | None:
        return next((g for g in self.grants if g.deal_id == deal_id), None)

    def reserve(self, grant: RightsGrant) -> RightsLedger:
        """The ledger with `grant` reserved; the same grant again changes nothing (a retried step)."""
        if grant.film_id != self.film_id:
            raise Rejected(f"Deal {grant.deal_id} licenses film {grant.film_id}, but this is the ledger of {self.film_id}.")
        known = self.grant(grant.deal_id)
        if known is not None:
            if known == grant:
                return self
            raise Rejected(
                f"Deal {grant.deal_id} is already reserved with other terms (for {known.licensee_name}, {known.term});"
                " a renegotiated licence needs a new deal id, or release the old deal first."
            )
        check_licence(self.grants, grant)
        return self.model_copy(update={"grants": (*self.grants, grant)})

    def release(self, deal_id: str) -> RightsLedger:
        """The ledger without `deal_id`, whose rights are free again; releasing an unknown or released deal changes nothing."""
        if self.grant(deal_id) is None:
            return self
        return self.model_copy(update={"grants": tuple(g for g in self.grants if g.deal_id != deal_id)})

    def availability(self, territory: str, on: date) -> dict[Media, Availability]:
        return availability(self.grants, self.film_id, territory, on)
