"""Payload codecs: large payloads compressed, and every payload encrypted when a key is set.

Compression (`CompressionCodec`, on by default): a payload of at least `HELIX_PAYLOAD_COMPRESS_BYTES`
(2 KiB) travels zlib-compressed when that makes it smaller. The state a long-running workflow
carries into its next run (a fund's journal, a student's record), the snapshots it projects and the
documents' inputs are repetitive JSON: 4,000 journal entries are 697 KB as JSON and 62 KB
compressed, so a fund stays far below Temporal's 2 MB limit on a payload, and every history the
server stores, replays and sends to a worker is smaller (`python -m bench.ledger`). Small payloads
(most update arguments and answers) stay as they are, readable in the Temporal web UI.

Encryption: the Temporal server stores people's names, e-mails and grades only as ciphertext.

`EncryptionCodec` is a `PayloadCodec`: the client and the worker encrypt every payload (workflow
and activity arguments, results, update and query values, signals, failures' messages) before
it leaves the process, and decrypt it on the way back; the server, its database and its web UI see
`binary/encrypted` bytes. AES-256-GCM with a random 12-byte nonce per payload, the whole payload
(metadata and data) sealed, the key's id in clear next to it — the layout of Temporal's own
encryption samples, so their codec servers can decrypt for the web UI.

Payloads without our encoding pass through on decode: histories written before encryption was
turned on, and a deployment that turns it on one process at a time, keep working. A payload
sealed with a key this process does not have is an error that names the key id to add. Keys rotate
by id: the current key encrypts, older keys (by id) only decrypt, until every workflow that
carried them has finished.
"""

from __future__ import annotations

import base64
import os
import zlib
from collections.abc import Iterable, Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
COMPRESSED_ENCODING = b"binary/zlib"
DEFAULT_COMPRESS_BYTES = 2048
MAX_DECOMPRESSED_BYTES = 64 * 2**20  # Temporal refuses payloads over 2 MB; 64 MiB of JSON is far past any of ours
KEY_ID_METADATA = "encryption-key-id"
KEY_BYTES = 32
NONCE_BYTES = 12


class PayloadKeyError(ValueError):
    """A key setting that is not the base64 of 32 bytes; the message names the setting."""


class PayloadDecodeError(ValueError):
    """A compressed payload whose bytes do not decompress (altered or truncated)."""


class PayloadDecryptionError(ValueError):
    """A payload this process cannot decrypt: an unknown key id, or ciphertext that fails
    authentication (altered, or sealed with another key under the same id)."""


def new_key() -> str:
    """A fresh random key as base64, the form `HELIX_PAYLOAD_KEY` takes."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_key(text: str, setting: str = "HELIX_PAYLOAD_KEY") -> bytes:
    """The 32 key bytes from their base64, or `PayloadKeyError` naming `setting` (never echoing
    the value: it is a secret, even when wrong)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:  # binascii.Error, or characters outside ASCII
        raise PayloadKeyError(f"{setting} is not valid base64; make a key with `helix keys new`") from None
    if len(key) != KEY_BYTES:
        raise PayloadKeyError(
            f"{setting} must be the base64 of {KEY_BYTES} bytes (AES-256), not {len(key)} bytes; make one with `helix keys new`"
        )
    return key


def parse_old_keys(text: str, setting: str = "HELIX_PAYLOAD_OLD_KEYS") -> dict[str, bytes]:
    """Older keys for decryption only, from `id:base64,id:base64`."""
    keys: dict[str, bytes] = {}
    for n, entry in enumerate(e.strip() for e in text.split(",")):
        if not entry:
            continue
        key_id, sep, value = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id:
            raise PayloadKeyError(f"{setting}: entry {n + 1} must be `id:base64-key`")
        if key_id in keys:
            raise PayloadKeyError(f"{setting}: key id '{key_id}' appears twice")
        keys[key_id] = parse_key(value, f"{setting} (key '{key_id}')")
    return keys


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over each whole payload; encrypts with `key_id`, decrypts with it or `old_keys`."""

    def __init__(self, key_id: str, key: bytes, old_keys: Mapping[str, bytes] | None = None) -> None:
        super().__init__()
        if not key_id:
            raise PayloadKeyError("the payload key needs an id (HELIX_PAYLOAD_KEY_ID)")
        if len(key) != KEY_BYTES:
            raise PayloadKeyError(f"the payload key must be {KEY_BYTES} bytes, not {len(key)}")
        self.key_id = key_id
        self._key_id_bytes = key_id.encode()
        self._ciphers = {kid: AESGCM(k) for kid, k in (old_keys or {}).items()}
        self._ciphers[key_id] = AESGCM(key)  # the current key wins over an old one of the same id
        self._current = self._ciphers[key_id]

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._current.encrypt(nonce, payload.SerializeToString(), None)
        return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: self._key_id_bytes}, data=sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption was on, or by a process without it
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptionError(
                f"payload encrypted with key id '{key_id}', which this process does not have (it has "
                f"{', '.join(repr(k) for k in self.key_ids)}); add that key to HELIX_PAYLOAD_OLD_KEYS as "
                f"'{key_id}:<base64>'"
            )
        data = payload.data
        try:
            plain = cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        except InvalidTag:
            raise PayloadDecryptionError(
                f"payload encrypted with key id '{key_id}' fails authentication: it was altered, or sealed "
                "with a different key under the same id"
            ) from None
        return Payload.FromString(plain)

    @property
    def key_ids(self) -> list[str]:
        return [self.key_id, *sorted(k for k in self._ciphers if k != self.key_id)]


class CompressionCodec(PayloadCodec):
    """zlib over each whole payload (metadata and data) of at least `min_bytes`, when that is smaller.

    Every process decodes compressed payloads, whatever it writes: `min_bytes=None` (the setting
    at 0) compresses nothing but still reads what others compressed, so turning compression off, or
    rolling back to 0, never strands a history. Payloads without this encoding pass through on
    decode: histories written before compression was on, small payloads, and payloads that did not
    shrink. A payload never decompresses past `MAX_DECOMPRESSED_BYTES`: a few bytes that would
    expand to gigabytes are refused, not allowed to exhaust a worker's memory."""

    def __init__(self, min_bytes: int | None = DEFAULT_COMPRESS_BYTES, level: int = 6) -> None:
        super().__init__()
        if min_bytes is not None and min_bytes < 1:
            raise ValueError("compress payloads of at least 1 byte, or None: decode only")
        self.min_bytes = min_bytes
        self.level = level

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.compress(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decompress(p) for p in payloads]

    def compress(self, payload: Payload) -> Payload:
        if self.min_bytes is None or payload.ByteSize() < self.min_bytes:
            return payload
        plain = payload.SerializeToString()
        packed = zlib.compress(plain, self.level)
        if len(packed) >= len(plain):
            return payload  # already compressed (a PDF's bytes, ciphertext): kept as it is
        return Payload(metadata={"encoding": COMPRESSED_ENCODING}, data=packed)

    def decompress(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != COMPRESSED_ENCODING:
            return payload
        inflater = zlib.decompressobj()
        try:
            plain = inflater.decompress(payload.data, MAX_DECOMPRESSED_BYTES)
            if inflater.unconsumed_tail:
                raise PayloadDecodeError(
                    f"a compressed payload ({len(payload.data)} bytes) expands past {MAX_DECOMPRESSED_BYTES // 2**20} MiB; refused"
                )
            if not inflater.eof:
                raise zlib.error("the stream is truncated")
            return Payload.FromString(plain)
        except (zlib.error, ValueError, DecodeError) as e:
            raise PayloadDecodeError(f"a compressed payload ({len(payload.data)} bytes) does not decompress: {e}") from None


class CodecChain(PayloadCodec):
    """Codecs applied in order on the way out and in reverse on the way in: compress, then encrypt
    (ciphertext does not compress)."""

    def __init__(self, codecs: Sequence[PayloadCodec]) -> None:
        super().__init__()
        self.codecs = list(codecs)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = list(payloads)
        for codec in self.codecs:
            out = await codec.encode(out)
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = list(payloads)
        for codec in reversed(self.codecs):
            out = await codec.decode(out)
        return out


def codec_from_texts(key: str, key_id: str, old_keys: str | None) -> EncryptionCodec:
    """The codec from the settings' texts (base64 key, id, `id:base64,…`)."""
    return EncryptionCodec(key_id, parse_key(key), parse_old_keys(old_keys) if old_keys else None)


def all_secrets(key: str | None, old_keys: str | None) -> Iterable[str]:
    """Every secret text in the key settings, for log redaction."""
    if key:
        yield key.strip()
    if old_keys:
        yield old_keys.strip()
        for entry in old_keys.split(","):
            value = entry.partition(":")[2].strip()
            if value:
                yield value
