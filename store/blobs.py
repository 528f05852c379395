"""Content-addressed document storage: files named by their sha256, written atomically.

Workflows carry document hashes, never bytes (payload limits, replay size), so any worker must
find a document by its hash alone. Writing to a temporary file and renaming it means a reader
never sees half a PDF and two workers writing the same document simply agree. Reads check the
hash, so a damaged file is reported instead of served as a signed agreement. The interface is
small on purpose: the same six methods can sit on object storage later.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobError(Exception):
    pass


class BlobMissing(BlobError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class BlobCorrupt(BlobError):
    pass


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise ValueError(f"'{sha}' is not a sha256 hex digest (64 lower-case hex characters)")
    return sha


class BlobStore:
    """Files under `root/ab/cd/abcd…` (two-level fan-out keeps directories small) and
    `root/aliases/` for cache keys such as "render of template X with inputs Y" → hash."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        _check_sha(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` and return its sha256; a no-op when the same content is already stored."""
        sha = sha256_hex(data)
        target = self.path(sha)
        if not target.is_file():
            _write_atomically(target, data)
        return sha

    def discard(self, sha: str) -> None:
        """Remove a blob only its writer knows of (a render that lost its key to another attempt's)."""
        self.path(sha).unlink(missing_ok=True)

    def get(self, sha: str) -> bytes:
        target = self.path(sha)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"document {sha} is not in the document store at {self.root}") from None
        actual = sha256_hex(data)
        if actual != sha:
            raise BlobCorrupt(
                f"document {sha} in {target} is damaged (its content hashes to {actual}); "
                "restore it from a backup or render it again"
            )
        return data

    def _alias_path(self, key: str) -> Path:
        if not key:
            raise ValueError("an alias key cannot be empty")
        # Hashing the key lets any string be a key without it ever becoming a path.
        return self.root / "aliases" / sha256_hex(key.encode("utf-8"))

    def set_alias(self, key: str, sha: str) -> None:
        _write_atomically(self._alias_path(key), _check_sha(sha).encode("ascii"))

    def claim_alias(self, key: str, sha: str) -> str:
        """Point `key` at `sha` unless another writer already did; return the hash `key` ends up at.

        First writer wins: where two attempts of one activity race (a worker presumed dead still
        finishing beside its retry), both return the first one's document, so a render that is not
        byte-reproducible (a signed PDF) is still one document per key. An alias whose document has
        gone is replaced. On object storage this is a conditional put (If-None-Match: *)."""
        _check_sha(sha)
        target = self._alias_path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o644)
                f.write(sha.encode("ascii"))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, target)  # fails if the alias exists: the atomic "create if absent"
            except FileExistsError:
                current = self.get_alias(key)
                if current is not None:
                    return current
                os.replace(tmp, target)
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        return sha

    def get_alias(self, key: str) -> str | None:
        """The hash stored under `key`, or None when unknown or when its document has gone."""
        try:
            sha = self._alias_path(key).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        if not _SHA256.match(sha) or not self.has(sha):
            return None
        return sha


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)  # mkstemp's 0600 would hide documents from a separate web server
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
