"""Every model that crosses an edge takes any value: it validates, or it raises pydantic's
`ValidationError` — never another exception — and what validates survives a round trip.

Covered (enumerated in `tests.property.examples`; `test_every_action_model_is_covered` fails when
an action appears without an example):

- file formats — agreement files (`AgreementFile`, `PartyEntry`) and the `AgreementSpec` built from
  them; program files (`ProgramFile`, `RosterEntry`, `StaffEntry`, `EquivalencyEntry`) and student
  files (`StudentFile`); fund files (`FundFile`, `ReviewerEntry`) and application files
  (`ApplicationFile`, the `Application` inside); festival files (`FestivalFile`, `FilmEntry`);
  directory files (`DirectoryFile`, `Organisation`, `Person`, `AccountSpec`);
- every action an update carries — every subclass of the agreement `Action` (`CommentAction`,
  `ReviseAction`, `PhaseAction`, `ApproveAction`, `SignAction`, `DeclineAction`, `DelegateAction`,
  `VoidAction`, `RenewAction`, `TerminateAction`); the fund's (`ScreenAction`, `ScoreAction`,
  `DeclineReviewAction`, `VoteAction`, `CloseVoteAction`, `WithdrawAction`, `SubmitReportAction`,
  `ReviewReportAction`, `ProposeAmendmentAction`, `AmendmentVoteAction`, `CancelGrantAction`);
  the festival's and releases' (`RecordAwardAction`, `RegisterFilmAction`, `AcknowledgeAction`,
  `ClassifyAction`, `QuotaAction`, `SubsidyAction`, `LicenceAction`, `ScheduleAction`,
  `ConfirmReleaseAction`, `DeclineAction`); the credit transfer's (`DecideCourseAction`,
  `ProvideInformationAction`, `StageAction`, `ReturnAction`, `ProposeChangeAction`,
  `ApproveChangeAction`, `CloseChangeAction`); the student record's (`StartTransferAction`,
  `ThesisAction`, `AddTermAction`).

Three kinds of input each: anything JSON- or YAML-like; mappings of the model's own fields with
values of each field's type (`st.from_type` at the leaves); and a valid example with a few parts
broken. Free text in actions is bounded: a field of a million characters is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from domain import agreements as ag
from domain.grants import process as gp
from domain.releases import process as rp
from store.directory import AccountSpec, DirectoryFile
from tests.property.examples import action_examples, action_models, file_examples
from tests.property.strategies import broken, examples, python_values, shaped, yaml_values

FILES = file_examples()
ACTIONS = action_examples()
MODELS = sorted({*FILES, *ACTIONS}, key=lambda m: f"{m.__module__}.{m.__name__}")
SEEDS = {m: [*FILES.get(m, []), *([ACTIONS[m]] if m in ACTIONS else [])] for m in MODELS}
MASKED = {DirectoryFile, AccountSpec}  # passwords serialise to JSON as '**********', by design

FAST = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def ids(m: type) -> str:
    return m.__name__


def check(model: type[BaseModel], value: Any) -> None:
    """Validates or raises ValidationError; a valid result round-trips to an equal model."""
    try:
        m = model.model_validate(value)
    except ValidationError:
        return
    again = model.model_validate(m.model_dump())
    assert again == m, f"{model.__name__}: python round trip changed the model"
    if model not in MASKED:
        # compared as JSON: a YAML date in a free-form mapping (`variables: dict[str, Any]`) comes back as text
        from_json = model.model_validate_json(m.model_dump_json())
        assert from_json.model_dump(mode="json") == m.model_dump(mode="json"), f"{model.__name__}: JSON round trip changed the model"


def test_every_action_model_is_covered() -> None:
    missing = sorted(m.__name__ for m in action_models() - set(ACTIONS))
    assert not missing, f"add an example of {missing} to tests/property/examples.py"


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_the_examples_are_valid(model: type[BaseModel]) -> None:
    for seed in SEEDS[model]:
        m = model.model_validate(seed)
        check(model, seed)
        assert model.model_validate(m.model_dump()) == m


@pytest.mark.parametrize("model", MODELS, ids=ids)
@FAST
@given(value=python_values)
def test_any_value_is_valid_or_a_validation_error(model: type[BaseModel], value: Any) -> None:
    check(model, value)


@pytest.mark.parametrize("model", MODELS, ids=ids)
@FAST
@given(data=st.data())
def test_fields_of_their_type_are_valid_or_a_validation_error(model: type[BaseModel], data: st.DataObject) -> None:
    check(model, data.draw(shaped(model)))


@pytest.mark.parametrize("model", MODELS, ids=ids)
@settings(FAST, max_examples=examples(40))
@given(data=st.data())
def test_broken_examples_are_valid_or_a_validation_error(model: type[BaseModel], data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS[model]))
    check(model, data.draw(broken(seed, yaml_values)))


@FAST
@example(amount="1E1000000")  # was decimal.Overflow, from abs() under the default context
@example(amount="-1E+999999999999999999")
@example(amount="1E-99999999999")  # was a MemoryError, printing a hundred billion zeros in the message
@example(amount="9" * 5000)
@example(amount="sNaN")
@given(amount=python_values)
def test_money_is_an_amount_or_a_validation_error(amount: Any) -> None:
    for model, field in [(gp.VoteAction, "amount"), (gp.CancelGrantAction, "clawback"), (rp.LicenceAction, "fee"),
                         (gp.ProposeAmendmentAction, "new_amount"), (rp.SubsidyAction, "amount")]:  # fmt: skip
        check(model, {**ACTIONS[model], field: amount})


# ---------------------------------------------------------------- free text is bounded

HUGE = "x" * 1_000_000


def _text_fields(model: type[BaseModel]) -> list[str]:
    """The plain `str` fields of a model (ids, hashes, free text), by name."""
    out = []
    for name, f in model.model_fields.items():
        if f.annotation in (str, str | None):
            out.append(name)
    return out


@pytest.mark.parametrize("model", sorted(ACTIONS, key=ids), ids=ids)
def test_no_text_field_of_an_action_takes_a_million_characters(model: type[BaseModel]) -> None:
    for name in _text_fields(model):
        with pytest.raises(ValidationError) as caught:
            model.model_validate({**ACTIONS[model], name: HUGE})
        assert any(err["loc"][:1] == (name,) for err in caught.value.errors()), f"{model.__name__}.{name} took 1,000,000 characters"


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (gp.ScoreAction, {"criterion_comments": {"story": HUGE}}),
        (gp.ScoreAction, {"criterion_comments": {f"c{i}": "ok" for i in range(1000)}}),
        (gp.ScoreAction, {"values": {"x" * 10_000: 5}}),
        (gp.ProposeAmendmentAction, {"due_dates": {"x" * 10_000: "2027-01-01"}}),
        (ag.ReviseAction, {"clause_overrides": {"purpose": {"en": HUGE}}}),
        (ag.ReviseAction, {"clause_overrides": {"x" * 10_000: {"en": "text"}}}),
        (rp.LicenceAction, {"licensee": {**ACTIONS[rp.LicenceAction]["licensee"], "names": {"en": HUGE}}}),
        (rp.RegisterFilmAction, {"film": {**ACTIONS[rp.RegisterFilmAction]["film"], "english_title": HUGE}}),
        (rp.RecordAwardAction, {"award": {**ACTIONS[rp.RecordAwardAction]["award"], "jury_note": HUGE}}),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else next(iter(v)),
)
def test_nested_free_text_of_actions_is_bounded(model: type[BaseModel], fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate({**ACTIONS[model], **fields})
