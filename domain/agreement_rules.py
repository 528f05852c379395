"""Who may do what to an agreement, and when: the checks behind every update validator.

Each `check_*` returns the person acting (as the workflow knows them) or raises `Rejected` with a
sentence the person can act on. They read the state and never change it, so a rejected action
leaves no trace.
"""

from __future__ import annotations

from domain.agreement_kinds import validate_variables
from domain.agreements import (
    MAX_OVERRIDE_CHARS,
    NEGOTIATION_PHASES,
    AgreementState,
    ApproveAction,
    CommentAction,
    DeclineAction,
    DelegateAction,
    PartySpec,
    Phase,
    PhaseAction,
    RenewAction,
    ReviseAction,
    SignAction,
    SigningMode,
    TerminateAction,
    VoidAction,
)
from domain.parties import PersonRef


class Rejected(ValueError):
    """An action the workflow refuses; the message is shown to the person as is."""


def short(h: str | None) -> str:
    return (h or "")[:12]


def participants(state: AgreementState) -> dict[str, tuple[PersonRef, PartySpec | None]]:
    """Everyone who takes part, with the party they act for (None for the initiator alone)."""
    out: dict[str, tuple[PersonRef, PartySpec | None]] = {}
    for party in state.spec.parties:
        for p in [*party.approvers, *party.signatories]:
            out.setdefault(p.id, (p, party))
        if party.liaison:
            out.setdefault(party.liaison.id, (party.liaison, party))
    out.setdefault(state.spec.initiator.id, (state.spec.initiator, None))
    return out


def _person(state: AgreementState, actor_id: str) -> tuple[PersonRef, PartySpec | None]:
    found = participants(state).get(actor_id)
    if found is None:
        raise Rejected(f"You ({actor_id}) are not a party to “{state.spec.title}” and cannot act on it.")
    return found


def _phase(state: AgreementState, allowed: set[Phase], doing: str) -> None:
    if state.phase not in allowed:
        raise Rejected(
            f"You cannot {doing} now: the agreement is in {state.phase.value}"
            f" (this is possible during {', '.join(sorted(p.value for p in allowed))})."
        )


def _current(state: AgreementState, version_hash: str, doing: str) -> None:
    cur = state.current
    if cur is None or version_hash != cur.text_sha256:
        old = next((v for v in state.versions if v.text_sha256 == version_hash), None)
        seen = f"version {old.number}" if old else f"a version with hash {short(version_hash)}"
        raise Rejected(
            f"Conflict: you tried to {doing} {seen}, but the current version is {cur.number if cur else '—'}"
            f" (hash {short(cur.text_sha256 if cur else None)}, by {cur.author_name if cur else '—'}:"
            f" “{cur.summary if cur else ''}”). Please read the current version and {doing} it instead."
        )


def approvals_of(state: AgreementState, party: PartySpec) -> list[str]:
    """Ids of the party's approvers who approved the current version."""
    h = state.current_hash
    return [a.person_id for a in state.approvals if a.organisation_id == party.organisation_id and a.version_hash == h]


def party_approved(state: AgreementState, party: PartySpec) -> bool:
    return len(approvals_of(state, party)) >= party.approvals_required


def signer_for(state: AgreementState, party: PartySpec) -> PersonRef:
    """The person who signs for a party now, after any delegation."""
    delegated = state.delegations.get(party.organisation_id)
    if delegated:
        return next(s for s in party.signatories if s.id == delegated)
    return party.designated_signatory


def signed_parties(state: AgreementState) -> set[str]:
    return {s.organisation_id for s in state.signatures if s.term == state.term_number}


def signing_groups(state: AgreementState) -> list[list[PartySpec]]:
    """Parties in the order they sign: one group for parallel, one each for sequential."""
    parties = state.spec.parties
    mode = state.spec.signing_mode
    if mode is SigningMode.PARALLEL:
        return [list(parties)]
    if mode is SigningMode.SEQUENTIAL:
        return [[p] for p in parties]
    groups = sorted({p.signing_group for p in parties})
    return [[p for p in parties if p.signing_group == g] for g in groups]


def open_signing_parties(state: AgreementState) -> list[PartySpec]:
    """Parties whose signature is awaited now: the unsigned ones of the first incomplete group."""
    done = signed_parties(state)
    for group in signing_groups(state):
        waiting = [p for p in group if p.organisation_id not in done]
        if waiting:
            return waiting
    return []


# ------------------------------------------------------------------------- checks


def check_comment(state: AgreementState, a: CommentAction) -> PersonRef:
    person, _ = _person(state, a.actor_id)
    _phase(state, {Phase.DRAFT, Phase.REVIEW, Phase.APPROVAL}, "comment")
    return person


def may_comment(state: AgreementState, actor_id: str) -> bool:
    """Whether `check_comment` would accept a comment from this person now: any participant while
    the text is open (draft, review, approval), awaited on a step or not."""
    try:
        check_comment(state, CommentAction(actor_id=actor_id, text="-"))
    except Rejected:
        return False
    return True


def _check_reviser(state: AgreementState, actor_id: str) -> PersonRef:
    """Who may propose a revision now: the initiator (from the draft on) or an approver of any
    party — whether or not their party has approved already — during review and approval."""
    person, _ = _person(state, actor_id)
    is_initiator = actor_id == state.spec.initiator.id
    # an approver of any party (a person may act for two parties, e.g. a liaison of one and an approver of another)
    if not is_initiator and not any(person.id in {p.id for p in party.approvers} for party in state.spec.parties):
        raise Rejected("Only the initiator or a party's approvers may propose a revision.")
    allowed = {Phase.DRAFT, Phase.REVIEW, Phase.APPROVAL} if is_initiator else {Phase.REVIEW, Phase.APPROVAL}
    _phase(state, allowed, "propose a revision")
    return person


def may_revise(state: AgreementState, actor_id: str) -> bool:
    """Whether `check_revise` would accept a revision from this person now (given a real change)."""
    try:
        _check_reviser(state, actor_id)
    except Rejected:
        return False
    return True


def check_revise(state: AgreementState, a: ReviseAction) -> PersonRef:
    person = _check_reviser(state, a.actor_id)
    _current(state, a.base_version_hash, "revise")
    if not a.clause_overrides and a.variables is None:
        raise Rejected("A revision must change at least one clause or variable.")
    if a.variables is not None:
        try:  # a variable the kind does not accept must be refused here, not fail the workflow later
            validate_variables(state.spec.kind, {**state.spec.variables, **a.variables})
        except ValueError as e:
            raise Rejected(f"The revision's variables are not valid: {e}") from None
    merged = {**state.clause_overrides, **a.clause_overrides}
    if sum(len(t) for texts in merged.values() for t in texts.values()) > 3 * MAX_OVERRIDE_CHARS:
        raise Rejected("The agreement's rewritten clauses would exceed the size an agreement may carry; shorten them.")
    languages = set(state.spec.languages)
    for clause_id, texts in a.clause_overrides.items():
        if unknown := set(texts) - languages:
            raise Rejected(f"Clause '{clause_id}': this agreement is in {', '.join(state.spec.languages)}, not {', '.join(sorted(unknown))}.")
    return person


def check_open_review(state: AgreementState, a: PhaseAction) -> PersonRef:
    if a.actor_id != state.spec.initiator.id:
        raise Rejected("Only the initiator opens a review round.")
    _phase(state, {Phase.DRAFT}, "open a review round")
    return state.spec.initiator


def check_close_review(state: AgreementState, a: PhaseAction) -> PersonRef:
    if a.actor_id != state.spec.initiator.id:
        raise Rejected("Only the initiator closes a review round early.")
    _phase(state, {Phase.REVIEW}, "close the review round")
    return state.spec.initiator


def check_approve(state: AgreementState, a: ApproveAction) -> tuple[PersonRef, PartySpec]:
    person, _ = _person(state, a.actor_id)
    party = next((p for p in state.spec.parties if a.actor_id in {x.id for x in p.approvers}), None)
    if party is None:
        raise Rejected(f"{person.name} is not an approver of any party to this agreement.")
    _phase(state, {Phase.APPROVAL}, "approve")
    _current(state, a.version_hash, "approve")
    if a.actor_id in approvals_of(state, party):
        raise Rejected(f"You already approved version {state.current.number}.")  # type: ignore[union-attr]
    if party_approved(state, party):
        raise Rejected(f"{party.name()} has already given its approval of version {state.current.number}.")  # type: ignore[union-attr]
    return person, party


def _signing_party(state: AgreementState, actor_id: str, doing: str) -> tuple[PersonRef, PartySpec]:
    person, _ = _person(state, actor_id)
    _phase(state, {Phase.SIGNING}, doing)
    for party in state.spec.parties:
        if signer_for(state, party).id == actor_id:
            if party.organisation_id in signed_parties(state):
                raise Rejected(f"{party.name()} has already signed.")
            if party not in open_signing_parties(state):
                waiting = ", ".join(p.name() for p in open_signing_parties(state))
                raise Rejected(f"It is not yet {party.name()}'s turn to sign; awaiting {waiting} first.")
            return person, party
    raise Rejected(f"{person.name} is not the designated signatory of any party to this agreement.")


def check_sign(state: AgreementState, a: SignAction) -> tuple[PersonRef, PartySpec]:
    found = _signing_party(state, a.actor_id, "sign")
    _current(state, a.version_hash, "sign")
    return found


def check_decline(state: AgreementState, a: DeclineAction) -> tuple[PersonRef, PartySpec]:
    found = _signing_party(state, a.actor_id, "decline to sign")
    _current(state, a.version_hash, "decline")
    return found


def check_delegate(state: AgreementState, a: DelegateAction) -> tuple[PersonRef, PartySpec, PersonRef]:
    person, party = _signing_party(state, a.actor_id, "delegate signing")
    target = next((s for s in party.signatories if s.id == a.to_person_id), None)
    if target is None:
        raise Rejected(
            f"{a.to_person_id} is not a signatory of {party.name()}; signing can only be delegated within"
            " the same organisation."
        )
    if target.id == person.id:
        raise Rejected("You cannot delegate signing to yourself.")
    return person, party, target


def check_void(state: AgreementState, a: VoidAction) -> PersonRef:
    if a.actor_id != state.spec.initiator.id:
        raise Rejected("Only the initiator can void an agreement.")
    if state.executed_at is not None:
        raise Rejected("An executed agreement cannot be voided; give notice of termination instead.")
    _phase(state, NEGOTIATION_PHASES, "void the agreement")
    return state.spec.initiator


def check_renew(state: AgreementState, a: RenewAction) -> PersonRef:
    if a.actor_id != state.spec.initiator.id:
        raise Rejected("Only the initiator can renew the agreement.")
    _phase(state, {Phase.RENEWAL}, "renew")
    return state.spec.initiator


def check_terminate(state: AgreementState, a: TerminateAction) -> PersonRef:
    person, _ = _person(state, a.actor_id)
    is_signatory = any(a.actor_id in {s.id for s in party.signatories} for party in state.spec.parties)
    if a.actor_id != state.spec.initiator.id and not is_signatory:
        raise Rejected("Only the initiator or a party's signatory may give notice of termination.")
    _phase(state, {Phase.PENDING, Phase.ACTIVE, Phase.RENEWAL}, "give notice of termination")
    return person
