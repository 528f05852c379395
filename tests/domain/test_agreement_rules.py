"""Worked examples of who may act on an agreement, and when."""

from datetime import UTC, datetime

import pytest

from domain import agreement_rules as rules
from domain.agreements import (
    AgreementState,
    Approval,
    ApproveAction,
    Phase,
    SignAction,
    Signature,
    SigningMode,
    Version,
)
from tests.workflows.conftest import spec

NOW = datetime(2026, 11, 24, tzinfo=UTC)
H1, H2 = "a" * 64, "b" * 64


def state(mode: SigningMode = SigningMode.PARALLEL, phase: Phase = Phase.APPROVAL, parties: int = 3) -> AgreementState:
    st = AgreementState(spec=spec(mode, parties=parties), phase=phase)
    for n, h in [(1, H1), (2, H2)]:
        st.versions.append(
            Version(
                number=n,
                author_id="initiator",
                author_name="Initiator",
                summary=f"v{n}",
                created_at=NOW,
                text_sha256=h,
                pdf_sha256=h,
            )
        )
    return st


def test_approval_of_a_stale_hash_names_both_versions() -> None:
    with pytest.raises(rules.Rejected) as e:
        rules.check_approve(state(), ApproveAction(actor_id="org0-approver", version_hash=H1))
    assert "version 1" in str(e.value) and "current version is 2" in str(e.value)


def test_approval_by_an_approver_of_another_party_counts_for_their_own() -> None:
    _, party = rules.check_approve(state(), ApproveAction(actor_id="org1-approver", version_hash=H2))
    assert party.organisation_id == "org1"


def test_two_approvals_required() -> None:
    st = state()
    st.spec.parties[0].approvals_required = 2
    st.approvals.append(Approval(organisation_id="org0", person_id="org0-approver", person_name="A", version_hash=H2, at=NOW))
    assert not rules.party_approved(st, st.spec.parties[0])
    with pytest.raises(rules.Rejected, match="already approved"):
        rules.check_approve(st, ApproveAction(actor_id="org0-approver", version_hash=H2))
    rules.check_approve(st, ApproveAction(actor_id="org0-approver2", version_hash=H2))


def test_groups_open_in_order() -> None:
    st = state(SigningMode.GROUPS, Phase.SIGNING, parties=4)
    assert [p.organisation_id for p in rules.open_signing_parties(st)] == ["org0", "org1"]
    for org in ["org0", "org1"]:
        st.signatures.append(
            Signature(organisation_id=org, signer_id=f"{org}-signer", signer_name="S", title="", version_hash=H2, at=NOW)
        )
    assert [p.organisation_id for p in rules.open_signing_parties(st)] == ["org2", "org3"]


def test_signing_in_the_wrong_phase() -> None:
    with pytest.raises(rules.Rejected, match="cannot sign now"):
        rules.check_sign(state(phase=Phase.REVIEW), SignAction(actor_id="org0-signer", version_hash=H2))


def test_stranger_is_not_a_party() -> None:
    with pytest.raises(rules.Rejected, match="not a party"):
        rules.check_sign(state(phase=Phase.SIGNING), SignAction(actor_id="mallory", version_hash=H2))
