"""The document store: content-addressed, atomic, and loud about missing or damaged files."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from store.blobs import BlobCorrupt, BlobMissing, BlobStore

PDF = b"%PDF-1.7\n% a signed agreement\n"
SHA = hashlib.sha256(PDF).hexdigest()


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".tmp-")]


def test_put_get_and_layout(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    assert store.put(PDF) == SHA
    assert store.path(SHA) == tmp_path / SHA[:2] / SHA[2:4] / SHA
    assert store.has(SHA) and store.get(SHA) == PDF
    assert oct(store.path(SHA).stat().st_mode & 0o777) == "0o644"
    assert leftovers(tmp_path) == []


def test_put_twice_is_a_no_op(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    store.put(PDF)
    os.utime(store.path(SHA), (1_000_000, 1_000_000))
    assert store.put(PDF) == SHA
    assert store.path(SHA).stat().st_mtime == 1_000_000


def test_missing_and_corrupt(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobMissing, match=f"document {SHA} is not in the document store"):
        store.get(SHA)
    assert not store.has(SHA)
    store.put(PDF)
    store.path(SHA).write_bytes(PDF + b"tampered")
    with pytest.raises(BlobCorrupt, match="is damaged"):
        store.get(SHA)
    for bad in ("../../etc/passwd", SHA.upper(), SHA[:-1]):
        with pytest.raises(ValueError, match="not a sha256"):
            store.path(bad)


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BlobStore(tmp_path)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.put(PDF)
    assert not store.has(SHA) and leftovers(tmp_path) == []


def test_parallel_writers_agree(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    data = os.urandom(2_000_000)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(store.put(data))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and store.get(results[0]) == data and leftovers(tmp_path) == []


def test_aliases(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    key = "render:agreement-v2/ko+en?template=3"  # any string; never becomes a path
    assert store.get_alias(key) is None
    with pytest.raises(ValueError, match="not a sha256"):
        store.set_alias(key, "nope")
    store.set_alias(key, SHA)
    assert store.get_alias(key) is None  # the document itself is not stored (yet)
    store.put(PDF)
    assert store.get_alias(key) == SHA
    other = hashlib.sha256(b"other").hexdigest()
    store.put(b"other")
    store.set_alias(key, other)
    assert store.get_alias(key) == other
    assert [p.parent.name for p in (tmp_path / "aliases").iterdir()] == ["aliases"]
    assert leftovers(tmp_path) == []


def test_claiming_an_alias_keeps_the_first_writer(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    key = "render:executed/agreement-7"
    first, second = store.put(b"first signed pdf"), store.put(b"second signed pdf")
    results: list[str] = []
    barrier = threading.Barrier(8)

    def claim(sha: str) -> None:
        barrier.wait()
        results.append(store.claim_alias(key, sha))

    threads = [threading.Thread(target=claim, args=(first if i % 2 else second,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and store.get_alias(key) == results[0]
    assert store.claim_alias(key, first if results[0] == second else second) == results[0]
    assert leftovers(tmp_path) == []


def test_claiming_an_alias_whose_document_has_gone_replaces_it(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    store.set_alias("k", hashlib.sha256(b"gone").hexdigest())
    sha = store.put(b"here")
    assert store.claim_alias("k", sha) == sha and store.get_alias("k") == sha
