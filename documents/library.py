"""The clause library: YAML files anyone can edit, validated before a clause is ever rendered.

Lawyers of the network revise wording far more often than engineers release code, so clauses live in
YAML: bundled ones in `documents/clauses/`, and an override folder (the data folder's `clauses/`)
whose clauses replace bundled ones with the same id, whose `kinds.yaml` may re-order a kind, and
whose glossary entries add to or replace bundled ones. A typo must not surface months later as a
broken signing ceremony, so every file is validated with pydantic and every body is compiled as a
template at load time; errors name the file and the field (`clauses[2] (id 'confidentiality').body.ko`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.agreements import AgreementKind
from domain.reference import LANGUAGES

BUNDLED_DIR = Path(__file__).parent / "clauses"
KINDS_FILE = "kinds.yaml"
CLAUSE_ID = r"^[a-z][a-z0-9_]{1,63}$"


class LibraryError(ValueError):
    """A clause file that cannot be used; the message names the file and the field."""


def _check_langs(v: dict[str, str]) -> dict[str, str]:
    for lang, text in v.items():
        if lang not in LANGUAGES:
            raise ValueError(f"'{lang}' is not a supported language ({', '.join(LANGUAGES)})")
        if not text or not text.strip():
            raise ValueError(f"the '{lang}' text is empty")
    if "en" not in v:
        raise ValueError("an English ('en') text is required")
    return v


class ClauseTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=CLAUSE_ID)
    heading: dict[str, str] = Field(min_length=1, description="language → heading, plain text")
    body: dict[str, str] = Field(min_length=1, description="language → body, a Jinja template of plain text")

    _langs = field_validator("heading", "body")(classmethod(lambda cls, v: _check_langs(v)))


class ClauseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clauses: list[ClauseTemplate] = Field(default_factory=list)
    glossary: dict[str, dict[str, str]] = Field(default_factory=dict, description="term → language → rendering")


class KindsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[AgreementKind, list[str]]

    @field_validator("kinds")
    @classmethod
    def _ids(cls, v: dict[AgreementKind, list[str]]) -> dict[AgreementKind, list[str]]:
        for kind, ids in v.items():
            if not ids:
                raise ValueError(f"{kind.value}: lists no clauses")
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"{kind.value}: lists {', '.join(sorted(dup))} twice")
            bad = [i for i in ids if not re.match(CLAUSE_ID, i)]
            if bad:
                raise ValueError(f"{kind.value}: {', '.join(bad)} is not a clause id")
        return v


class ClauseLibrary(BaseModel):
    clauses: dict[str, ClauseTemplate]
    kinds: dict[AgreementKind, list[str]]
    glossary: dict[str, dict[str, str]]
    sources: dict[str, str] = Field(description="clause id → the file it was read from, for error messages")

    def for_kind(self, kind: AgreementKind) -> list[ClauseTemplate]:
        return [self.clauses[i] for i in self.kinds[kind]]


def _read_yaml(path: Path) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise LibraryError(f"{path}: not valid YAML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise LibraryError(f"{path}: cannot be read: {e}") from None
    return {} if data is None else data


def _explain(path: Path, data: Any, e: ValidationError) -> LibraryError:
    problems = []
    for err in e.errors():
        loc = list(err["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "clauses" and isinstance(loc[1], int):
            try:
                cid = data["clauses"][loc[1]].get("id", "?")
            except (KeyError, IndexError, TypeError, AttributeError):
                cid = "?"
            where = f"clauses[{loc[1]}] (id '{cid}')" + "".join(f".{p}" for p in loc[2:])
        problems.append(f"{where}: {err['msg']}")
    return LibraryError(f"{path}: " + "; ".join(problems))


def _read_folder(
    folder: Path,
) -> tuple[dict[str, tuple[ClauseTemplate, str]], dict[AgreementKind, list[str]], dict[str, dict[str, str]]]:
    clauses: dict[str, tuple[ClauseTemplate, str]] = {}
    kinds: dict[AgreementKind, list[str]] = {}
    glossary: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _read_yaml(path)
        model: type[BaseModel] = KindsFile if path.name == KINDS_FILE else ClauseFile
        try:
            parsed = model.model_validate(data)
        except ValidationError as e:
            raise _explain(path, data, e) from None
        if isinstance(parsed, KindsFile):
            kinds.update(parsed.kinds)
            continue
        assert isinstance(parsed, ClauseFile)
        for c in parsed.clauses:
            if c.id in clauses:
                raise LibraryError(f"{path}: clause id '{c.id}' is already defined in {clauses[c.id][1]}")
            clauses[c.id] = (c, str(path))
        for term, texts in parsed.glossary.items():
            glossary.setdefault(term, {}).update(texts)
    return clauses, kinds, glossary


def _fingerprint(folder: Path | None) -> tuple[tuple[str, int, int], ...]:
    if folder is None or not folder.is_dir():
        return ()
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml")))


def load_library(override_dir: Path | None = None) -> ClauseLibrary:
    """The bundled library with `override_dir`'s clauses, kinds and glossary laid over it.

    `override_dir` may be missing (an installation that never customised anything). Results are
    cached until a YAML file in either folder changes, so calling this per compose is cheap.
    """
    folder = Path(override_dir) if override_dir is not None else None
    return _load(folder, _fingerprint(BUNDLED_DIR), _fingerprint(folder))


@cache
def _load(override_dir: Path | None, _bundled: object, _override: object) -> ClauseLibrary:
    clauses, kinds, glossary = _read_folder(BUNDLED_DIR)
    if override_dir is not None and override_dir.is_dir():
        o_clauses, o_kinds, o_glossary = _read_folder(override_dir)
        clauses.update(o_clauses)
        kinds.update(o_kinds)
        for term, texts in o_glossary.items():
            glossary.setdefault(term, {}).update(texts)
    for kind in AgreementKind:
        if kind not in kinds:
            raise LibraryError(f"{BUNDLED_DIR / KINDS_FILE}: kind '{kind.value}' lists no clauses")
        missing = [i for i in kinds[kind] if i not in clauses]
        if missing:
            raise LibraryError(f"{KINDS_FILE}: kind '{kind.value}' lists unknown clause(s) {', '.join(missing)}")
    env = SandboxedEnvironment()
    for cid, (c, src) in clauses.items():
        for lang, body in c.body.items():
            try:
                env.parse(body)
            except TemplateSyntaxError as e:
                raise LibraryError(f"{src}: clause '{cid}' body.{lang}, line {e.lineno}: {e.message}") from None
    return ClauseLibrary(
        clauses={cid: c for cid, (c, _) in clauses.items()},
        kinds=kinds,
        glossary=glossary,
        sources={cid: src for cid, (_, src) in clauses.items()},
    )
