"""The directory: upserts, scoped role filters, and loading a file with errors a person can fix."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from sqlalchemy import Engine, select

from domain.parties import Organisation, Person, Role, RoleGrant
from store.db import reading
from store.directory import (
    DirectoryError,
    get_organisation,
    get_people,
    get_person,
    list_organisations,
    list_people,
    load_directory,
    upsert_organisation,
    upsert_person,
)
from store.models import AccountRow, OrganisationRow, PersonRow

DIRECTORY = dedent(
    """\
    organisations:
      - {id: kofic, names: {en: Korean Film Council, ko: 영화진흥위원회}, kind: film_body, country: KR}
      - {id: kazakhfilm, names: {en: Kazakhfilm, ru: Казахфильм}, kind: producer, country: kz}
    people:
      - id: kim
        name: Kim Min-ji
        email: kim@kofic.example.org
        organisation_id: kofic
        roles: [{role: approver}, {role: signatory, organisation_id: kofic}]
        languages: [ko, en]
      - id: aigerim
        name: Aigerim Sadykova
        email: aigerim@kazakhfilm.example.org
        organisation_id: kazakhfilm
        roles: [{role: approver, organisation_id: kazakhfilm}, {role: liaison, country: KZ}]
      - id: board-chair
        name: Li Wei
        email: li@example.org
        roles: [{role: board_member}, {role: liaison, country: CN}]
    accounts:
      - {username: Kim, person_id: kim, password: correct-horse}
    """
)


def write(tmp_path: Path, text: str, name: str = "directory.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def table_rows(engine: Engine) -> list[list[dict]]:
    with reading(engine) as conn:
        return [
            [dict(r) for r in conn.execute(select(m.__table__).order_by(*m.__table__.primary_key.columns)).mappings()]
            for m in (OrganisationRow, PersonRow, AccountRow)
        ]


def test_upsert_and_read_back(engine: Engine) -> None:
    org = Organisation(id="kofic", names={"en": "KOFIC"}, kind="film_body", country="KR")
    upsert_organisation(engine, org)
    upsert_organisation(engine, org.model_copy(update={"names": {"en": "Korean Film Council"}}))
    assert get_organisation(engine, "kofic") == org.model_copy(update={"names": {"en": "Korean Film Council"}})
    kim = Person(
        id="kim",
        name="Kim",
        email="kim@example.org",
        organisation_id="kofic",
        roles=(RoleGrant(role=Role.SIGNATORY, organisation_id="kofic"),),
        languages=("ko", "en"),
    )
    upsert_person(engine, kim)
    upsert_person(engine, kim)
    assert get_person(engine, "kim") == kim
    assert get_people(engine, ["kim", "ghost"]) == {"kim": kim}
    assert get_person(engine, "ghost") is None and get_organisation(engine, "ghost") is None


def test_person_of_an_unknown_organisation_is_refused(engine: Engine) -> None:
    stray = Person(id="stray", name="Stray", email="s@example.org", organisation_id="nowhere")
    with pytest.raises(DirectoryError, match="organisation_id 'nowhere' is not in the directory"):
        upsert_person(engine, stray)


def test_load_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, DIRECTORY)
    loaded = load_directory(engine, path)
    assert len(loaded.people) == 3
    first = table_rows(engine)
    load_directory(engine, path)
    assert table_rows(engine) == first  # same rows, same password hash: nothing re-hashed
    assert first[2][0]["username"] == "kim" and first[2][0]["password_hash"].startswith("$argon2id$")
    assert get_organisation(engine, "kazakhfilm").country == "KZ"  # type: ignore[union-attr]


def test_json_directory(engine: Engine, tmp_path: Path) -> None:
    data = {"organisations": [{"id": "kofic", "names": {"en": "KOFIC"}, "kind": "film_body", "country": "KR"}]}
    load_directory(engine, write(tmp_path, json.dumps(data), "directory.json"))
    assert [o.id for o in list_organisations(engine)] == ["kofic"]


def test_people_filters(engine: Engine, tmp_path: Path) -> None:
    load_directory(engine, write(tmp_path, DIRECTORY))
    ids = lambda **kw: [p.id for p in list_people(engine, **kw)]
    assert ids() == ["aigerim", "kim", "board-chair"]  # by name
    assert ids(role="approver") == ["aigerim", "kim"]
    assert ids(role=Role.APPROVER, organisation_id="kofic") == ["kim"]  # unscoped grant: own organisation
    assert ids(role="liaison", country="kz") == ["aigerim"]
    assert ids(role="liaison", country="KR") == []
    assert ids(organisation_id="kazakhfilm") == ["aigerim"]
    assert ids(country="CN") == ["board-chair"]  # through the liaison grant
    assert ids(country="KR") == ["kim"]
    assert [o.id for o in list_organisations(engine, kind="producer")] == ["kazakhfilm"]
    assert [o.id for o in list_organisations(engine, country="kr")] == ["kofic"]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("email: aigerim@kazakhfilm.example.org", "people[1].email: value is not a valid email address"),
        ("kind: producer", "organisations[1].kind: Input should be"),
        ("country: kz", "organisations[1].country: Value error, 'KZ' is not an ISO 3166 code"),
        ("{role: liaison, country: KZ}", "people[1].roles[1].role: Input should be"),
        ("password: correct-horse", "accounts[0].password: Value error, a password needs at least 8 characters"),
    ],
)
def test_malformed_entries_name_the_field(engine: Engine, tmp_path: Path, broken: str, message: str) -> None:
    replacement = {
        "email: aigerim@kazakhfilm.example.org": "email: not-an-email",
        "kind: producer": "kind: studio",
        "country: kz": "country: XX",
        "{role: liaison, country: KZ}": "{role: emperor, country: KZ}",
        "password: correct-horse": "password: short",
    }[broken]
    path = write(tmp_path, DIRECTORY.replace(broken, replacement))
    with pytest.raises(DirectoryError) as caught:
        load_directory(engine, path)
    assert message.replace("'KZ'", "'XX'") in str(caught.value)
    assert str(path) in str(caught.value)
    assert table_rows(engine) == [[], [], []]  # nothing half-loaded


def test_dangling_and_duplicate_references(engine: Engine, tmp_path: Path) -> None:
    text = DIRECTORY.replace("person_id: kim", "person_id: kimm") + "  - {username: kim, person_id: kim, password: 12345678}\n"
    with pytest.raises(DirectoryError) as caught:
        load_directory(engine, write(tmp_path, text))
    assert "accounts[0].person_id: 'kimm' is not among the people" in str(caught.value)
    assert "accounts[1].username: 'kim' appears twice" in str(caught.value)

    orphan = DIRECTORY.replace("organisation_id: kazakhfilm\n", "organisation_id: kazakh-film\n")
    with pytest.raises(DirectoryError, match="person 'aigerim': organisation_id 'kazakh-film'"):
        load_directory(engine, write(tmp_path, orphan))


def test_yaml_syntax_error_gives_the_line(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match=r"not valid YAML or JSON at line 3"):
        load_directory(engine, write(tmp_path, "organisations:\n  - id: a\n    names: en: x\n"))
    with pytest.raises(DirectoryError, match="unknown"):
        load_directory(engine, write(tmp_path, "unknown: 1\n"))
    with pytest.raises(DirectoryError, match="expected a mapping"):
        load_directory(engine, write(tmp_path, "- just a list\n"))
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(engine, tmp_path / "missing.yaml")
