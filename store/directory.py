"""Organisations and people: who the network is, loaded from a file and kept current by upserts.

People and organisations are validated by the domain models before anything is stored, and read
back as those same models, so a page or a workflow start input never sees an unchecked person.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from sqlalchemy import Connection, Engine, select

from domain.parties import Organisation, Person, Role
from services.errors import InputError, one_line
from services.files import parse_text, read_text
from store.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountExists,
    create_account,
    normalise_username,
)
from store.db import dialect_insert, reading, transaction
from store.models import AccountRow, OrganisationRow, PersonRow

MAX_DIRECTORY_BYTES = 2 * 1024 * 1024
"""The network's whole directory fits in far less; a larger file is refused unread."""
ORG = OrganisationRow.__table__
PERSON = PersonRow.__table__


class DirectoryError(ValueError):
    """A directory file or entry that cannot be loaded; the message names the file and the field, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


class AccountSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
    person_id: str
    password: SecretStr

    @field_validator("password", mode="before")
    @classmethod
    def _password(cls, v: object) -> object:
        if isinstance(v, int):  # YAML reads `password: 12345678` as a number
            v = str(v)
        if isinstance(v, str) and len(v) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        return v


class DirectoryFile(BaseModel):
    """`{organisations: [...], people: [...], accounts: [{username, person_id, password}]}`."""

    model_config = ConfigDict(extra="forbid")

    organisations: list[Organisation] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    accounts: list[AccountSpec] = Field(default_factory=list)


# ---------------------------------------------------------------- writes


def _org_values(org: Organisation) -> dict[str, Any]:
    return {"id": org.id, "names": dict(org.names), "kind": str(org.kind), "country": org.country}


def _person_values(person: Person) -> dict[str, Any]:
    data = person.model_dump(mode="json")
    return {**data, "roles": list(data["roles"]), "languages": list(data["languages"])}


def _upsert(conn: Connection, table: Any, values: dict[str, Any]) -> None:
    stmt = dialect_insert(conn, table).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.id], set_={k: stmt.excluded[k] for k in values if k != "id"}
    )
    conn.execute(stmt)


def _check_organisation_known(conn: Connection, person: Person) -> None:
    if person.organisation_id is None:
        return
    found = conn.execute(select(ORG.c.id).where(ORG.c.id == person.organisation_id)).first()
    if found is None:
        raise DirectoryError(
            f"person '{person.id}': organisation_id '{person.organisation_id}' is not in the directory; "
            "add the organisation first"
        )


def upsert_organisation(engine: Engine, org: Organisation) -> None:
    with transaction(engine) as conn:
        _upsert(conn, ORG, _org_values(org))


def upsert_person(engine: Engine, person: Person) -> None:
    with transaction(engine) as conn:
        _check_organisation_known(conn, person)
        _upsert(conn, PERSON, _person_values(person))


# ---------------------------------------------------------------- reads


def _organisation(row: Any) -> Organisation:
    return Organisation.model_validate(dict(row))


def _person(row: Any) -> Person:
    return Person.model_validate(dict(row))


def get_organisation(engine: Engine, organisation_id: str) -> Organisation | None:
    with reading(engine) as conn:
        row = conn.execute(select(ORG).where(ORG.c.id == organisation_id)).mappings().first()
    return _organisation(row) if row else None


def get_person(engine: Engine, person_id: str) -> Person | None:
    with reading(engine) as conn:
        row = conn.execute(select(PERSON).where(PERSON.c.id == person_id)).mappings().first()
    return _person(row) if row else None


def get_people(engine: Engine, person_ids: Iterable[str]) -> dict[str, Person]:
    """Several people at once (workflow start inputs snapshot them), keyed by id."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    with reading(engine) as conn:
        rows = conn.execute(select(PERSON).where(PERSON.c.id.in_(ids))).mappings().all()
    return {r["id"]: _person(r) for r in rows}


def list_organisations(engine: Engine, kind: str | None = None, country: str | None = None) -> list[Organisation]:
    query = select(ORG).order_by(ORG.c.country, ORG.c.id)
    if kind:
        query = query.where(ORG.c.kind == kind)
    if country:
        query = query.where(ORG.c.country == country.upper())
    with reading(engine) as conn:
        return [_organisation(r) for r in conn.execute(query).mappings()]


def list_people(
    engine: Engine,
    role: Role | str | None = None,
    organisation_id: str | None = None,
    country: str | None = None,
) -> list[Person]:
    """People sorted by name, filtered in Python: the directory is hundreds of people, not millions,
    and role grants are scoped (an approver *for* an organisation), which JSON queries express badly.

    With `role`, the organisation and country filters apply to that role's grants (a grant without
    an organisation is held for the person's own organisation): `list_people(role="approver",
    organisation_id="kofic")` are KOFIC's approvers. Without `role`, they match the person's own
    organisation or any grant held for that organisation or country.
    """
    wanted = Role(role) if role is not None else None
    country = country.upper() if country else None
    with reading(engine) as conn:
        countries = dict(conn.execute(select(ORG.c.id, ORG.c.country)).all())
        rows = conn.execute(select(PERSON).order_by(PERSON.c.name, PERSON.c.id)).mappings().all()
    people = [_person(r) for r in rows]
    return [p for p in people if _matches(p, countries, wanted, organisation_id, country)]


def _matches(
    person: Person, countries: dict[str, str], role: Role | None, organisation_id: str | None, country: str | None
) -> bool:
    def in_scope(org: str | None, ctry: str | None) -> bool:
        ctry = ctry or (countries.get(org) if org else None)
        return (organisation_id is None or org == organisation_id) and (country is None or ctry == country)

    if role is not None:
        return any(g.role is role and in_scope(g.organisation_id or person.organisation_id, g.country) for g in person.roles)
    if in_scope(person.organisation_id, None):
        return True
    return any(
        (organisation_id is None or g.organisation_id == organisation_id) and in_scope(g.organisation_id, g.country)
        for g in person.roles
        if g.organisation_id or g.country
    )


# ---------------------------------------------------------------- loading a directory file


def _problems(e: ValidationError) -> str:
    return "; ".join(
        f"{''.join(f'[{p}]' if isinstance(p, int) else f'.{p}' for p in err['loc']).lstrip('.')}: {err['msg']}"
        for err in e.errors()
    )


def read_directory(path: Path) -> DirectoryFile:
    """Parse and validate a directory file (YAML or JSON) without touching the database.

    Read like every file people write (`services.files`: at most `MAX_DIRECTORY_BYTES`, UTF-8,
    nesting and YAML aliases bounded); JSON is read as the YAML it also is."""
    path = Path(path)
    try:
        raw = parse_text(read_text(path, "directory", MAX_DIRECTORY_BYTES), is_json=False, label="YAML or JSON")
    except InputError as e:
        message = str(e).removeprefix(f"{path}: ").replace("no such file", "cannot read the directory file (no such file)")
        raise DirectoryError(f"{path}: {message}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DirectoryError(f"{path}: expected a mapping with organisations, people and accounts")
    try:
        directory = DirectoryFile.model_validate(raw)
    except ValidationError as e:
        raise DirectoryError(f"{path}: {_problems(e)}") from None
    _check_references(path, directory)
    return directory


def _check_references(path: Path, d: DirectoryFile) -> None:
    """Duplicate ids and dangling references, named by position so the author can find them."""
    problems: list[str] = []
    for label, ids in (("organisations", [o.id for o in d.organisations]), ("people", [p.id for p in d.people])):
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                problems.append(f"{label}[{i}].id: '{item_id}' appears twice")
            seen.add(item_id)
    usernames = [normalise_username(a.username) for a in d.accounts]
    for i, name in enumerate(usernames):
        if name in usernames[:i]:
            problems.append(f"accounts[{i}].username: '{d.accounts[i].username}' appears twice")
    people = {p.id for p in d.people}
    for i, a in enumerate(d.accounts):
        if a.person_id not in people:
            problems.append(f"accounts[{i}].person_id: '{a.person_id}' is not among the people")
    if problems:
        raise DirectoryError(f"{path}: " + "; ".join(problems))


def load_directory(engine: Engine, path: Path) -> DirectoryFile:
    """Load a directory file; loading it again changes nothing.

    Organisations and people are upserted (the file wins). Accounts are created when missing and
    otherwise left alone, so reloading the file never resets a password someone has changed.
    """
    directory = read_directory(path)
    with transaction(engine) as conn:
        for org in directory.organisations:
            _upsert(conn, ORG, _org_values(org))
        for person in directory.people:
            try:
                _check_organisation_known(conn, person)
            except DirectoryError as e:
                raise DirectoryError(f"{path}: {e}") from None
            _upsert(conn, PERSON, _person_values(person))
    with reading(engine) as conn:
        existing = set(conn.execute(select(AccountRow.__table__.c.username)).scalars())
    for account in directory.accounts:
        if normalise_username(account.username) in existing:
            continue
        try:
            create_account(engine, account.username, account.person_id, account.password.get_secret_value())
        except AccountExists:  # created by a parallel load: same outcome
            pass
    return directory
