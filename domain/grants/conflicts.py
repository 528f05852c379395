"""Reviewers for an application: conflicts of interest and a fair, deterministic assignment.

A reviewer may not review an application when
- they are from the lead applicant's country (national interest: the fund is international);
- they work for a company of the team (their own employer's project);
- they declared a conflict with it (a friend, a former partner, a competing project).
Being from a co-producer's country is allowed: most reviewers would otherwise be excluded from
most co-productions, and the lead carries the application.

Assignment is least-loaded first, then best expertise match (the project's format, genre and
claimed priorities against the reviewer's tags), then reviewer id: the same inputs always give the
same panel, so a replayed workflow assigns the same people, and nobody is buried under reviews
while colleagues wait. A reviewer who declined an application is never asked again for it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.agreement_rules import Rejected
from domain.grants.applications import ROLE_NAMES, Application, CountryCode
from domain.parties import ID_PATTERN, PersonRef
from domain.reference import COUNTRIES


class Reviewer(BaseModel):
    """A person of the fund's pool of reviewers."""

    model_config = ConfigDict(frozen=True)

    person: PersonRef
    country: CountryCode
    organisation_id: str | None = Field(default=None, pattern=ID_PATTERN, description="Defaults to the person's organisation")
    languages: tuple[str, ...] = ("en",)
    expertise: tuple[str, ...] = Field(default=(), description="Tags: animation, documentary, drama, youth, ai_assisted…")
    max_load: int = Field(default=8, ge=0, le=100, description="Applications at most in this round")

    @field_validator("expertise")
    @classmethod
    def _tags(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({t.strip().lower() for t in v if t.strip()}))

    @model_validator(mode="before")
    @classmethod
    def _organisation(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("organisation_id") is None:
            person = data.get("person")
            org = person.organisation_id if isinstance(person, PersonRef) else (person or {}).get("organisation_id")
            if org is not None:
                return {**data, "organisation_id": org}
        return data

    @property
    def id(self) -> str:
        return self.person.id


Declared = Collection[tuple[str, str]]
"""Declared conflicts as (reviewer id, application id) pairs."""


def conflicts(reviewer: Reviewer, app: Application, declared: Declared = frozenset()) -> list[str]:
    """Why `reviewer` may not review `app`, one sentence each; empty when they may."""
    out: list[str] = []
    name = reviewer.person.name
    if reviewer.country == app.lead_country:
        c = COUNTRIES[reviewer.country]
        out.append(f"{name} is from {c.name()} ({c.code}), the lead applicant's country.")
    for company in app.team:
        if reviewer.organisation_id is not None and reviewer.organisation_id == company.organisation_id:
            out.append(f"{name} works for {company.name}, a company of the team ({ROLE_NAMES[company.role]}).")
    if (reviewer.id, app.id) in set(declared):
        out.append(f"{name} declared a conflict of interest with this application.")
    return out


def project_tags(app: Application) -> set[str]:
    """What a reviewer's expertise is matched against: format, genre and claimed priorities."""
    return {app.project.format.value, app.project.genre.strip().lower(), *app.priorities}


def expertise_match(reviewer: Reviewer, app: Application) -> int:
    return len(set(reviewer.expertise) & project_tags(app))


class Assignment(BaseModel):
    """The reviewers chosen for an application, how many are missing, and who was passed over and why."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    assigned: list[PersonRef]
    shortfall: int = Field(ge=0, description="Reviewers still needed: the fund manager must widen the pool")
    skipped: dict[str, str] = Field(default_factory=dict, description="Reviewer id → why they could not be assigned")

    @property
    def reviewer_ids(self) -> list[str]:
        return [p.id for p in self.assigned]

    @property
    def message(self) -> str:
        n = len(self.assigned)
        if not self.shortfall:
            return f"{n} reviewer{'s' if n != 1 else ''} assigned to {self.application_id}."
        return (
            f"Only {n} of {n + self.shortfall} reviewers could be assigned to {self.application_id};"
            " add reviewers to the pool or raise a reviewer's maximum load."
        )


def _skip_reason(
    r: Reviewer, app: Application, load: Mapping[str, int], exclude: Collection[str], declared: Declared
) -> str | None:
    found = conflicts(r, app, declared)
    if found:
        return " ".join(found)
    if r.id in exclude:
        return f"{r.person.name} declined this application earlier."
    have = load.get(r.id, 0)
    if have >= r.max_load:
        return f"{r.person.name} already has {have} application{'s' if have != 1 else ''} to review, their maximum."
    return None


def assign_reviewers(
    app: Application,
    pool: Sequence[Reviewer],
    *,
    count: int,
    current_load: Mapping[str, int] | None = None,
    exclude: Collection[str] = frozenset(),
    declared: Declared = frozenset(),
) -> Assignment:
    """Choose `count` reviewers for `app`: never conflicted, excluded or full; least-loaded, best match, then id.

    `current_load` is each reviewer's number of open assignments in the round; `exclude` holds the
    ids who must not be asked (declined earlier, or already on this application's panel).
    """
    ids = [r.id for r in pool]
    if twice := sorted({i for i in ids if ids.count(i) > 1}):
        raise Rejected(f"Reviewer {', '.join(twice)} appears twice in the pool.")
    load = current_load or {}
    skipped: dict[str, str] = {}
    candidates: list[Reviewer] = []
    for r in sorted(pool, key=lambda r: r.id):
        why = _skip_reason(r, app, load, exclude, declared)
        if why is None:
            candidates.append(r)
        else:
            skipped[r.id] = why
    candidates.sort(key=lambda r: (load.get(r.id, 0), -expertise_match(r, app), r.id))
    chosen = candidates[:count]
    return Assignment(
        application_id=app.id,
        assigned=[r.person for r in chosen],
        shortfall=max(count - len(chosen), 0),
        skipped=skipped,
    )


def assign_round(
    apps: Sequence[Application],
    pool: Sequence[Reviewer],
    *,
    count: int,
    current_load: Mapping[str, int] | None = None,
    declared: Declared = frozenset(),
) -> dict[str, Assignment]:
    """Assign every application of a round in id order, each assignment adding to the reviewers' load."""
    load = dict(current_load or {})
    out: dict[str, Assignment] = {}
    for app in sorted(apps, key=lambda a: a.id):
        a = assign_reviewers(app, pool, count=count, current_load=load, declared=declared)
        for rid in a.reviewer_ids:
            load[rid] = load.get(rid, 0) + 1
        out[app.id] = a
    return out


class Replacement(BaseModel):
    """The outcome of a reviewer leaving an application's panel."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    removed: str
    replacement: PersonRef | None = Field(description="None when nobody eligible is left: the fund manager must act")
    skipped: dict[str, str] = Field(default_factory=dict)
    exclude: tuple[str, ...] = Field(description="Who must not be asked again for this application, sorted")
    declared: tuple[tuple[str, str], ...] = Field(description="The declared conflicts, updated, sorted")


def replace_reviewer(
    app: Application,
    pool: Sequence[Reviewer],
    *,
    assigned: Sequence[str],
    leaving: str,
    conflict: bool = False,
    current_load: Mapping[str, int] | None = None,
    exclude: Collection[str] = frozenset(),
    declared: Declared = frozenset(),
) -> Replacement:
    """Replace `leaving`, who declined (`conflict=False`) or declared a conflict (`conflict=True`).

    A decline adds them to `exclude` for this application; a declared conflict is recorded in
    `declared`, which also keeps them off it. The replacement is chosen by the usual rules among
    reviewers not already on the panel. The caller lowers the leaver's load by one.
    """
    if leaving not in assigned:
        raise Rejected(f"{leaving} is not a reviewer of {app.id}, so cannot be replaced on it.")
    new_declared = set(declared) | ({(leaving, app.id)} if conflict else set())
    new_exclude = set(exclude) | ({leaving} if not conflict else set())
    keep_off = new_exclude | set(assigned)
    found = assign_reviewers(app, pool, count=1, current_load=current_load, exclude=keep_off, declared=new_declared)
    skipped = {k: v for k, v in found.skipped.items() if k not in assigned or k == leaving}
    return Replacement(
        application_id=app.id,
        removed=leaving,
        replacement=found.assigned[0] if found.assigned else None,
        skipped=skipped,
        exclude=tuple(sorted(new_exclude)),
        declared=tuple(sorted(new_declared)),
    )
