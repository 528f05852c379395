"""Worked examples for the canonical form, its hash, and version diffs."""

from __future__ import annotations

import json

from domain.agreements import AgreementKind
from domain.texts import (
    CanonicalText,
    Clause,
    ClauseStatus,
    DiffSegment,
    canonical_json,
    diff_as_text,
    diff_texts,
    text_sha256,
    tokenize,
)


def clause(cid: str, en: str, heading: str | None = None, **other: str) -> Clause:
    return Clause(id=cid, heading={"en": heading or cid.title(), **{k: k for k in other}}, body={"en": en, **other})


def text(*clauses: Clause, version: int = 1, agreement_id: str = "mou-1", title: str = "Café MOU") -> CanonicalText:
    return CanonicalText(
        agreement_id=agreement_id,
        kind=AgreementKind.CO_PRODUCTION,
        title={"en": title},
        languages=["en"],
        version=version,
        parties=[{"organisation_id": "kofic", "names": {"en": "KOFIC", "ko": "영화진흥위원회"}, "country": "KR"}],
        clauses=list(clauses),
    )


BASE = text(clause("purpose", "The Parties cooperate."), clause("term", "It lasts five years."))


def test_canonical_json_is_sorted_compact_utf8_without_version() -> None:
    raw = canonical_json(BASE)
    assert raw.startswith(b'{"agreement_id":"mou-1","clauses":[{"body":{"en":"The Parties cooperate."}')
    assert b": " not in raw and b", " not in raw
    assert "영화진흥위원회".encode() in raw  # UTF-8, not \\u escapes
    assert b"version" not in raw
    assert list(json.loads(raw)) == sorted(json.loads(raw))


def test_hash_is_sha256_of_the_canonical_bytes_and_has_a_fixed_value() -> None:
    import hashlib

    assert text_sha256(BASE) == hashlib.sha256(canonical_json(BASE)).hexdigest()
    # A golden value: if this changes, every signature ever given changes meaning. Never update it
    # casually; a change of canonical form needs a migration of stored hashes.
    assert text_sha256(BASE) == GOLDEN


GOLDEN = "9057d17557d26e2cb3319f9d8dce9db0787199523887d75750894282a46cf5e7"


def test_nfc_makes_composed_and_decomposed_accents_hash_alike() -> None:
    composed = text(clause("purpose", "Café"), title="Café MOU")
    decomposed = text(clause("purpose", "Cafe\u0301"), title="Cafe\u0301 MOU")
    assert composed != decomposed
    assert text_sha256(composed) == text_sha256(decomposed)
    assert "Café".encode() in canonical_json(decomposed)


def test_version_number_is_not_hashed_but_agreement_id_is() -> None:
    assert text_sha256(BASE) == text_sha256(BASE.model_copy(update={"version": 7}))
    assert text_sha256(BASE) != text_sha256(BASE.model_copy(update={"agreement_id": "mou-2"}))


def test_canonical_bytes_read_back_to_the_same_text() -> None:
    again = CanonicalText.model_validate_json(canonical_json(BASE))
    assert again.version == 0
    assert text_sha256(again) == text_sha256(BASE)
    assert again.clauses == BASE.clauses


def test_tokens_are_words_for_latin_and_hangul_but_characters_for_han() -> None:
    assert tokenize("Each Party, at once") == ["Each", " ", "Party", ",", " ", "at", " ", "once"]
    assert tokenize("각 당사자는") == ["각", " ", "당사자는"]
    assert tokenize("本协议生效") == ["本", "协", "议", "生", "效"]


def test_diff_worked_example() -> None:
    a = text(
        clause("purpose", "The Parties cooperate."),
        clause("confidentiality", "Each Party shall keep all information secret."),
        clause("costs", "Each Party bears its costs."),
        clause("term", "It lasts five years."),
    )
    b = text(
        clause("purpose", "The Parties cooperate."),
        clause("confidentiality", "Each Party shall keep the information secret.", heading="Secrecy"),
        clause("term", "It lasts five years."),
        clause("annex", "Annex A lists the films."),
        version=2,
    )
    d = diff_texts(a, b, "en")
    assert [(x.clause_id, x.status) for x in d] == [
        ("purpose", ClauseStatus.UNCHANGED),
        ("confidentiality", ClauseStatus.CHANGED),
        ("costs", ClauseStatus.REMOVED),  # placed where it stood in the older text
        ("term", ClauseStatus.UNCHANGED),
        ("annex", ClauseStatus.ADDED),
    ]
    conf = d[1]
    assert conf.heading == "Secrecy" and conf.old_heading == "Confidentiality"
    assert conf.segments == [
        DiffSegment(op="equal", text="Each Party shall keep "),
        DiffSegment(op="delete", text="all"),
        DiffSegment(op="insert", text="the"),
        DiffSegment(op="equal", text=" information secret."),
    ]
    assert d[2].segments == [DiffSegment(op="delete", text="Each Party bears its costs.")]
    assert d[4].segments == [DiffSegment(op="insert", text="Annex A lists the films.")]


def test_diff_segments_rebuild_both_texts() -> None:
    old, new = "Each Party may, by notice, end it.", "A Party may end it by written notice."
    a, b = text(clause("termination", old)), text(clause("termination", new))
    segs = diff_texts(a, b, "en")[0].segments
    assert "".join(s.text for s in segs if s.op != "insert") == old
    assert "".join(s.text for s in segs if s.op != "delete") == new


def test_chinese_is_diffed_character_by_character() -> None:
    a = text(Clause(id="entry", heading={"en": "Entry", "zh": "生效"}, body={"en": "x", "zh": "本协议自签署之日起生效。"}))
    b = text(Clause(id="entry", heading={"en": "Entry", "zh": "生效"}, body={"en": "x", "zh": "本协议自批准之日起生效。"}))
    assert diff_texts(a, b, "zh")[0].segments == [
        DiffSegment(op="equal", text="本协议自"),
        DiffSegment(op="delete", text="签署"),
        DiffSegment(op="insert", text="批准"),
        DiffSegment(op="equal", text="之日起生效。"),
    ]


def test_diff_as_text_for_the_cli() -> None:
    a = text(clause("purpose", "We cooperate.\n\nIn film."), clause("costs", "Each bears its costs."))
    b = text(clause("purpose", "We cooperate.\n\nIn film and television."), clause("annex", "Annex A."), version=2)
    assert diff_as_text(a, b, "en") == (
        "--- version 1\n"
        "+++ version 2\n"
        "@@ purpose (changed): Purpose @@\n"
        " We cooperate.\n"
        "-In film.\n"
        "+In film and television.\n"
        "@@ costs (removed): Costs @@\n"
        "-Each bears its costs.\n"
        "@@ annex (added): Annex @@\n"
        "+Annex A.\n"
    )


def test_identical_texts_have_no_changes() -> None:
    assert all(d.status is ClauseStatus.UNCHANGED for d in diff_texts(BASE, BASE, "en"))
    assert diff_as_text(BASE, BASE, "en") == "--- version 1\n+++ version 1\n"
