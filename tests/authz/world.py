"""The demo world the authorization matrix runs in.

The people are the demo directory's (`demo/directory.yaml`): every one of its 46 sign-in accounts.
The items start from what the services build out of the demo files — the agreement files, the
KAFA–VGIK program, the SCO fund and its applications, the 2026 festival — resolved against a
scratch read model that holds the directory (organisations and people, no accounts: no password
is hashed), so every snapshot of people a workflow would get is the one it gets in the demo.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from domain.parties import Person, PersonRef
from store import directory
from store.db import dispose_engine, init_db, make_engine

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo"
DIRECTORY_FILE = DEMO / "directory.yaml"


@cache
def demo_directory() -> directory.DirectoryFile:
    return directory.read_directory(DIRECTORY_FILE)


@cache
def people() -> dict[str, Person]:
    return {p.id: p for p in demo_directory().people}


@cache
def accounts() -> tuple[tuple[str, Person], ...]:
    """(username, person) of every sign-in account of the demo, in the file's order."""
    by_id = people()
    return tuple((a.username, by_id[a.person_id]) for a in demo_directory().accounts)


def ref(person_id: str) -> PersonRef:
    return PersonRef.of(people()[person_id])


def person_of(username: str) -> Person:
    return next(p for u, p in accounts() if u == username)


def username_of(person_id: str) -> str:
    return next(u for u, p in accounts() if p.id == person_id)


@cache
def engine() -> Engine:
    """A scratch read model holding the demo directory, for the services' builders (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="helix-authz-"))
    eng = make_engine(f"sqlite:///{folder / 'helix.db'}")
    init_db(eng)
    d = demo_directory()
    for org in d.organisations:
        directory.upsert_organisation(eng, org)
    for p in d.people:
        directory.upsert_person(eng, p)

    def cleanup() -> None:
        dispose_engine(eng)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(cleanup)
    return eng
