"""The canonical text of an agreement version, its hash, and readable diffs between versions.

Parties approve and sign a *hash*, so the bytes behind it must not depend on dict order, JSON
whitespace or how a keyboard composed an accented letter. `canonical_json` fixes all three, and the
content store keys a text by `text_sha256`, which is the sha256 of exactly those bytes: a stored text
can be re-read with `CanonicalText.model_validate_json(canonical_json(text))`.

Pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from domain.agreements import AgreementKind

# The version number is excluded from the canonical form: it says when a text was proposed, not
# what it says. Reverting to an earlier wording therefore gives back the earlier hash, so approvals
# and signatures given to that wording stay meaningful. `agreement_id` and `kind` are *included*, so
# a signature on one agreement's hash can never be presented as a signature on another agreement
# that happens to use the same clauses.
_NOT_HASHED = {"version"}


class Clause(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    heading: dict[str, str] = Field(description="language → heading")
    body: dict[str, str] = Field(description="language → plain text; paragraphs separated by blank lines")

    def paragraphs(self, lang: str) -> list[str]:
        """The body split into paragraphs, so two languages can be laid side by side paragraph by paragraph."""
        return split_paragraphs(self.body.get(lang, ""))


class CanonicalText(BaseModel):
    """What the parties agree to: title, languages, parties and clauses, in every language of the agreement."""

    agreement_id: str
    kind: AgreementKind
    title: dict[str, str]
    languages: list[str]
    version: int = Field(default=0, description="Not part of the canonical form; 0 when re-read from it")
    parties: list[dict[str, Any]] = Field(description="organisation_id, names (language → name), country")
    clauses: list[Clause]

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)


def split_paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def canonical_json(text: CanonicalText) -> bytes:
    """Sorted keys, no whitespace, UTF-8 (not \\u escapes), every string in Unicode NFC; `version` left out."""
    data = _nfc(text.model_dump(mode="json", exclude=_NOT_HASHED))
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def text_sha256(text: CanonicalText) -> str:
    """Hex sha256 of `canonical_json(text)`: the hash people approve and sign."""
    return hashlib.sha256(canonical_json(text)).hexdigest()


# ---------------------------------------------------------------- diffs


class ClauseStatus(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class DiffSegment(BaseModel):
    """A run of text with one fate; a UI shows `delete` in red, `insert` in green."""

    op: Literal["equal", "insert", "delete"]
    text: str


class ClauseDiff(BaseModel):
    clause_id: str
    status: ClauseStatus
    heading: str = Field(description="The heading in the newer text (the older one for a removed clause)")
    old_heading: str | None = Field(default=None, description="Set when the heading itself changed")
    segments: list[DiffSegment] = Field(default_factory=list, description="The body, old to new")


# Han ideographs, kana and CJK punctuation are compared one character at a time (Chinese and Japanese
# do not separate words with spaces); everything else word by word, keeping whitespace as its own token
# so re-joining the segments gives back the exact text.
_TOKEN = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]|\w+|\s+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _segments(old: str, new: str) -> list[DiffSegment]:
    a, b = tokenize(old), tokenize(new)
    out: list[DiffSegment] = []

    def add(op: Literal["equal", "insert", "delete"], tokens: list[str]) -> None:
        if not tokens:
            return
        if out and out[-1].op == op:
            out[-1] = DiffSegment(op=op, text=out[-1].text + "".join(tokens))
        else:
            out.append(DiffSegment(op=op, text="".join(tokens)))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:  # 'replace' shows as the old words struck out, then the new ones
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return out


def _order(a: CanonicalText, b: CanonicalText) -> list[str]:
    """Clause ids of `b` in order, with each clause only `a` has placed after its predecessor in `a`."""
    order = [c.id for c in b.clauses]
    in_b = set(order)
    previous: str | None = None
    for c in a.clauses:
        if c.id not in in_b:
            at = order.index(previous) + 1 if previous is not None else 0
            order.insert(at, c.id)
        previous = c.id
    return order


def diff_texts(a: CanonicalText, b: CanonicalText, lang: str) -> list[ClauseDiff]:
    """Clause by clause, what changed from `a` (older) to `b` (newer) in one language."""
    out: list[ClauseDiff] = []
    for cid in _order(a, b):
        old, new = a.clause(cid), b.clause(cid)
        if old is None and new is not None:
            body = new.body.get(lang, "")
            segs = [DiffSegment(op="insert", text=body)] if body else []
            out.append(ClauseDiff(clause_id=cid, status=ClauseStatus.ADDED, heading=new.heading.get(lang, ""), segments=segs))
        elif new is None and old is not None:
            body = old.body.get(lang, "")
            segs = [DiffSegment(op="delete", text=body)] if body else []
            out.append(ClauseDiff(clause_id=cid, status=ClauseStatus.REMOVED, heading=old.heading.get(lang, ""), segments=segs))
        elif old is not None and new is not None:
            old_body, new_body = old.body.get(lang, ""), new.body.get(lang, "")
            old_heading, new_heading = old.heading.get(lang, ""), new.heading.get(lang, "")
            same = old_body == new_body and old_heading == new_heading
            out.append(
                ClauseDiff(
                    clause_id=cid,
                    status=ClauseStatus.UNCHANGED if same else ClauseStatus.CHANGED,
                    heading=new_heading,
                    old_heading=None if old_heading == new_heading else old_heading,
                    segments=[DiffSegment(op="equal", text=new_body)] if same else _segments(old_body, new_body),
                )
            )
    return out


def diff_as_text(a: CanonicalText, b: CanonicalText, lang: str, *, context: int = 1) -> str:
    """A unified-diff-style report for a terminal: one `@@` hunk header per clause that changed.

    Lines are the clause's paragraphs, so a one-word edit shows as the whole paragraph removed and
    re-added, which is what a reader of a legal text wants to re-read anyway.
    """
    lines = [f"--- version {a.version}", f"+++ version {b.version}"]
    for d in diff_texts(a, b, lang):
        if d.status is ClauseStatus.UNCHANGED:
            continue
        old_c, new_c = a.clause(d.clause_id), b.clause(d.clause_id)
        old_paras = old_c.paragraphs(lang) if old_c else []
        new_paras = new_c.paragraphs(lang) if new_c else []
        lines.append(f"@@ {d.clause_id} ({d.status.value}): {d.heading} @@")
        if d.old_heading is not None:
            lines += [f"-# {d.old_heading}", f"+# {d.heading}"]
        body = list(difflib.unified_diff(old_paras, new_paras, n=context, lineterm=""))
        lines += [line for line in body[2:] if not line.startswith("@@")]
    return "\n".join(lines) + "\n"
