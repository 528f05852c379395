"""Payload codecs: encryption and compression on their own, the settings that configure them, a real
agreement whose history on the Temporal server holds no name or e-mail in clear, and one whose
large payloads the server stores compressed."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.agreements import ApproveAction, CommentAction, Phase, PhaseAction
from services.codec import (
    COMPRESSED_ENCODING,
    ENCODING,
    KEY_ID_METADATA,
    CodecChain,
    CompressionCodec,
    EncryptionCodec,
    PayloadDecodeError,
    PayloadDecryptionError,
    PayloadKeyError,
    new_key,
    parse_key,
    parse_old_keys,
)
from settings import Settings, settings_or_exit
from tests.workflows import conftest as wf
from tests.workflows.conftest import spec
from tests.workflows.fakes import FakeActivities, serving
from tests.workflows.test_agreement import rejected, state, wait_phase
from workflows.agreement import AgreementInput, AgreementWorkflow
from workflows.item_activities import PATCH_DOCUMENTS_QUEUE, PATCH_MAIL_BEHIND, PATCH_PROJECT_FIRST

ROOT = Path(__file__).resolve().parents[2]
K1, K2 = os.urandom(32), os.urandom(32)


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def json_payloads(*values: object) -> list[Payload]:
    return pydantic_data_converter.payload_converter.to_payloads(list(values))


async def test_round_trip_keeps_data_and_metadata() -> None:
    codec = EncryptionCodec("k1", K1)
    plain = json_payloads({"name": "Kim Min-ji", "email": "kim.minji@kofic.or.kr"}, "한국영화", None)
    sealed = await codec.encode(plain)
    assert all(p.metadata["encoding"] == ENCODING and p.metadata[KEY_ID_METADATA] == b"k1" for p in sealed)
    assert not any(b"Kim" in p.SerializeToString() or b"json" in p.SerializeToString() for p in sealed)
    assert await codec.decode(sealed) == plain
    assert pydantic_data_converter.payload_converter.from_payloads(await codec.decode(sealed)) == [
        {"name": "Kim Min-ji", "email": "kim.minji@kofic.or.kr"}, "한국영화", None]  # fmt: skip


async def test_same_plaintext_twice_gives_different_ciphertexts() -> None:
    codec = EncryptionCodec("k1", K1)
    plain = json_payloads("Kim Min-ji")
    first, second = await codec.encode(plain), await codec.encode(plain)
    assert first[0].data != second[0].data  # a fresh nonce each time: equal values cannot be spotted
    assert await codec.decode(first) == await codec.decode(second) == plain


async def test_tampered_ciphertext_fails() -> None:
    codec = EncryptionCodec("k1", K1)
    sealed = (await codec.encode(json_payloads({"grade": "A"})))[0]
    flipped = bytearray(sealed.data)
    flipped[-1] ^= 1
    with pytest.raises(PayloadDecryptionError, match="fails authentication"):
        await codec.decode([Payload(metadata=dict(sealed.metadata), data=bytes(flipped))])
    impostor = EncryptionCodec("k1", K2)  # another key under the same id
    with pytest.raises(PayloadDecryptionError, match="fails authentication"):
        await impostor.decode([sealed])


async def test_unknown_key_id_names_the_key_to_add() -> None:
    sealed = await EncryptionCodec("k0", K1).encode(json_payloads("x"))
    with pytest.raises(PayloadDecryptionError) as e:
        await EncryptionCodec("k1", K2).decode(sealed)
    assert "key id 'k0'" in str(e.value) and "HELIX_PAYLOAD_OLD_KEYS" in str(e.value) and "'k1'" in str(e.value)
    assert b64(K1) not in str(e.value) and b64(K2) not in str(e.value)


async def test_unencrypted_payloads_pass_through() -> None:
    """Histories from before encryption was turned on, and processes without it, keep working."""
    plain = json_payloads({"name": "Park Ji-hoon"}, 42)
    codec = EncryptionCodec("k1", K1)
    mixed = [plain[0], *(await codec.encode([plain[1]]))]
    assert await codec.decode(mixed) == plain


async def test_rotation_old_key_decrypts_new_key_encrypts() -> None:
    before = EncryptionCodec("k1", K1)
    sealed_then = await before.encode(json_payloads("sealed with k1"))
    after = EncryptionCodec("k2", K2, old_keys={"k1": K1})
    assert await after.decode(sealed_then) == json_payloads("sealed with k1")
    sealed_now = await after.encode(json_payloads("sealed with k2"))
    assert sealed_now[0].metadata[KEY_ID_METADATA] == b"k2"
    with pytest.raises(PayloadDecryptionError, match="'k2'"):
        await before.decode(sealed_now)  # a process still on the old settings names the key it lacks
    assert after.key_ids == ["k2", "k1"]


# --- compression ---


def big_journal() -> object:
    from bench.ledger import journal

    return journal(4000)


async def test_compression_shrinks_large_payloads_and_leaves_small_ones() -> None:
    codec = CompressionCodec(2048)
    ledger = big_journal()
    plain = json_payloads(ledger, {"actor_id": "kim-minji"}, os.urandom(6000))
    packed = await codec.encode(plain)
    assert packed[0].metadata["encoding"] == COMPRESSED_ENCODING and dict(packed[0].metadata).keys() == {"encoding"}
    assert packed[0].ByteSize() * 5 < plain[0].ByteSize()  # a fund's 4,000-entry journal: 697 KB as JSON
    assert packed[1] == plain[1]  # small: readable in the web UI as it was
    assert packed[2].metadata["encoding"] != COMPRESSED_ENCODING  # random bytes do not shrink: kept as they are
    assert await codec.decode(packed) == plain
    assert pydantic_data_converter.payload_converter.from_payloads(await codec.decode(packed[:1]), [type(ledger)]) == [ledger]


async def test_uncompressed_payloads_pass_through() -> None:
    """Histories from before compression, and payloads from processes without it, keep working."""
    plain = json_payloads({"name": "Park Ji-hoon"}, "x" * 5000)
    assert await CompressionCodec(1).decode(plain) == plain
    mixed = [plain[0], *(await CompressionCodec(100).encode([plain[1]]))]
    assert mixed[1].metadata["encoding"] == COMPRESSED_ENCODING
    assert await CompressionCodec(4096).decode(mixed) == plain  # whatever threshold the reader has


async def test_compression_off_still_reads_compressed_payloads() -> None:
    """Turning compression off (or rolling back to 0) never strands a history written with it on."""
    written = await Settings(payload_key=None).data_converter().encode([big_journal()])
    assert written[0].metadata["encoding"] == COMPRESSED_ENCODING
    off = Settings(payload_key=None, payload_compress_bytes=0).data_converter()
    assert await off.encode(["x" * 5000]) == json_payloads("x" * 5000)  # writes nothing compressed
    assert await off.decode(written, [type(big_journal())]) == [big_journal()]
    sealed = await Settings(payload_key=b64(K1)).data_converter().encode([big_journal()])
    keyed_off = Settings(payload_key=b64(K1), payload_compress_bytes=0).data_converter()
    assert await keyed_off.decode(sealed, [type(big_journal())]) == [big_journal()]


async def test_a_payload_that_would_expand_too_far_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import services.codec as codec_module

    packed = (await CompressionCodec(10).encode(json_payloads("x" * 100_000)))[0]
    assert packed.ByteSize() < 1000
    monkeypatch.setattr(codec_module, "MAX_DECOMPRESSED_BYTES", 50_000)
    with pytest.raises(PayloadDecodeError, match="expands past"):
        await CompressionCodec().decode([packed])
    import zlib

    not_a_payload = Payload(metadata={"encoding": COMPRESSED_ENCODING}, data=zlib.compress(b"\xff" * 40))
    with pytest.raises(PayloadDecodeError, match="does not decompress"):
        await CompressionCodec().decode([not_a_payload])


async def test_corrupt_compressed_payload_is_one_readable_error() -> None:
    packed = (await CompressionCodec(10).encode(json_payloads("x" * 5000)))[0]
    broken = Payload(metadata=dict(packed.metadata), data=packed.data[:-10])
    with pytest.raises(PayloadDecodeError, match="does not decompress"):
        await CompressionCodec().decode([broken])
    with pytest.raises(ValueError, match="at least 1 byte"):
        CompressionCodec(0)


async def test_chain_compresses_then_encrypts() -> None:
    chain = CodecChain([CompressionCodec(2048), EncryptionCodec("k1", K1)])
    plain = json_payloads(big_journal(), "small")
    sealed = await chain.encode(plain)
    assert all(p.metadata["encoding"] == ENCODING for p in sealed)
    inner = await EncryptionCodec("k1", K1).decode(sealed)
    assert inner[0].metadata["encoding"] == COMPRESSED_ENCODING and inner[1] == plain[1]
    assert sealed[0].ByteSize() * 5 < plain[0].ByteSize()
    assert await chain.decode(sealed) == plain


def test_key_texts_are_checked() -> None:
    assert parse_key(b64(K1)) == K1 and len(parse_key(new_key())) == 32
    with pytest.raises(PayloadKeyError, match="not valid base64"):
        parse_key("not a key!")
    with pytest.raises(PayloadKeyError, match=r"32 bytes .* not 16 bytes"):
        parse_key(b64(os.urandom(16)))
    assert parse_old_keys(f"k0:{b64(K1)}, k1:{b64(K2)}") == {"k0": K1, "k1": K2}
    with pytest.raises(PayloadKeyError, match="entry 1 must be"):
        parse_old_keys(b64(K1))
    with pytest.raises(PayloadKeyError, match="appears twice"):
        parse_old_keys(f"k0:{b64(K1)},k0:{b64(K2)}")


def test_settings_build_the_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HELIX_PAYLOAD_KEY", "HELIX_PAYLOAD_KEY_ID", "HELIX_PAYLOAD_OLD_KEYS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("HELIX_PAYLOAD_COMPRESS_BYTES", raising=False)
    default = Settings().data_converter()  # the embedded default: large payloads compressed, nothing encrypted
    assert isinstance(default.payload_codec, CompressionCodec) and default.payload_codec.min_bytes == 2048
    assert default.failure_converter_class is pydantic_data_converter.failure_converter_class
    off = Settings(payload_compress_bytes=0).data_converter()  # compresses nothing, still reads what others compressed
    assert isinstance(off.payload_codec, CompressionCodec) and off.payload_codec.min_bytes is None
    monkeypatch.setenv("HELIX_PAYLOAD_KEY", b64(K2))
    monkeypatch.setenv("HELIX_PAYLOAD_KEY_ID", "k2")
    monkeypatch.setenv("HELIX_PAYLOAD_OLD_KEYS", f"k1:{b64(K1)}")
    s = Settings()
    converter = s.data_converter()
    chain = converter.payload_codec
    assert isinstance(chain, CodecChain)
    compress, encrypt = chain.codecs  # compressed first: ciphertext does not compress
    assert isinstance(compress, CompressionCodec) and isinstance(encrypt, EncryptionCodec) and encrypt.key_ids == ["k2", "k1"]
    assert converter.payload_converter_class is pydantic_data_converter.payload_converter_class
    off = Settings(payload_compress_bytes=0).data_converter().payload_codec
    assert isinstance(off, CodecChain) and [type(c) for c in off.codecs] == [CompressionCodec, EncryptionCodec]
    assert b64(K1) not in repr(s) and b64(K2) not in repr(s)


def test_a_wrong_key_is_one_readable_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from settings import get_settings

    short = b64(os.urandom(16))
    monkeypatch.setenv("HELIX_PAYLOAD_KEY", short)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as e:
            settings_or_exit()
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert e.value.code == 2
    assert err.startswith("error: HELIX_PAYLOAD_KEY must be the base64 of 32 bytes") and "helix keys new" in err
    assert short not in err and "Traceback" not in err


def test_worker_refuses_a_wrong_key_without_a_trace(tmp_path: Path) -> None:
    env = {**os.environ, "HELIX_PAYLOAD_KEY": "c2hvcnQ=", "HELIX_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "error: HELIX_PAYLOAD_KEY must be the base64 of 32 bytes" in done.stderr
    assert "Traceback" not in done.stderr and "c2hvcnQ=" not in done.stderr


def test_helix_keys_new_prints_a_usable_key() -> None:
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["keys", "new"])
    assert result.exit_code == 0
    key = result.stdout.strip().splitlines()[0]
    assert len(parse_key(key)) == 32 and Settings(payload_key=key).encrypts_payloads


# --- a real agreement on the time-skipping server, its client and worker encrypting ---


@pytest_asyncio.fixture
async def encrypted_env() -> AsyncIterator[WorkflowEnvironment]:
    async with wf.time_skipping(Settings(payload_key=b64(K1), payload_key_id="k1").data_converter()) as e:
        yield e


async def test_history_on_the_server_holds_no_personal_data(encrypted_env: WorkflowEnvironment) -> None:
    env = encrypted_env
    queue = f"q-{uuid.uuid4()}"
    s = spec()
    approver, commenter = s.parties[0].approvers[0], s.parties[1].approvers[0]
    personal = [p.name for party in s.parties for p in [*party.approvers, *party.signatories, party.liaison]]
    personal += [p.email for party in s.parties for p in [*party.approvers, *party.signatories, party.liaison]]
    personal += [s.initiator.name, s.initiator.email, s.parties[0].names["en"], "Article 4 reads well"]
    async with serving(env.client, queue, FakeActivities(client=env.client).all()):
        h = await env.client.start_workflow(
            AgreementWorkflow.run, AgreementInput(spec=s), id=f"agreement-{s.id}", task_queue=queue
        )
        st = await wait_phase(h, Phase.REVIEW)
        await h.execute_update(AgreementWorkflow.comment, CommentAction(actor_id=commenter.id, text="Article 4 reads well"))
        # A refusal is a failure: its sentence travels encrypted too, and the codec client reads it.
        refusal = await rejected(h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=approver.id)))
        assert "initiator" in refusal
        await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
        await h.execute_update(AgreementWorkflow.approve, ApproveAction(actor_id=approver.id, version_hash=st.current_hash))
        st = await state(h)
        assert st.phase is Phase.APPROVAL  # the codec client reads the whole state in clear
        assert st.comments[0].author_name == commenter.name and st.approvals[0].person_name == approver.name
        assert st.spec.parties[0].approvers[0].email == approver.email

        # What the server stores, read by a client without the codec.
        plain = Client(env.client.service_client, namespace=env.client.namespace, data_converter=pydantic_data_converter)
        history = await plain.get_workflow_handle(h.id).fetch_history()
        raw = b"".join(e.SerializeToString() for e in history.events)
        assert len(history.events) > 20
        leaked = [p for p in personal if p.encode() in raw]
        assert leaked == [], f"in clear on the server: {leaked}"
        # `workflow.patched` leaves a marker and the `TemporalChangeVersion` search attribute, both
        # written by the SDK's core, never through the codec (search attributes must stay readable
        # to the server): they hold the patch's id, which is code, not data. Every other payload is
        # encrypted.
        patches = set()
        for e in history.events:
            if e.HasField("marker_recorded_event_attributes"):
                assert e.marker_recorded_event_attributes.marker_name == "core_patch"
            if e.HasField("upsert_workflow_search_attributes_event_attributes"):
                fields = e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
                assert set(fields) == {"TemporalChangeVersion"}
                patches.update(json.loads(fields["TemporalChangeVersion"].data))
        assert patches <= {PATCH_PROJECT_FIRST, PATCH_DOCUMENTS_QUEUE, PATCH_MAIL_BEHIND}
        skipped = ("marker_recorded_event_attributes", "upsert_workflow_search_attributes_event_attributes")
        payloads = [p for e in history.events if not any(e.HasField(f) for f in skipped) for p in _payloads(e)]
        assert payloads and all(p.metadata["encoding"] == ENCODING for p in payloads)
        with pytest.raises(Exception, match="binary/encrypted"):  # the SDK's own error type is internal
            await plain.get_workflow_handle(h.id).query(AgreementWorkflow.state)


def _payloads(message: object) -> list[Payload]:
    """Every Payload inside a history event, however deeply nested (messages, lists, maps)."""
    if isinstance(message, Payload):
        return [message]
    found: list[Payload] = []
    for _, value in message.ListFields():  # type: ignore[attr-defined]
        if isinstance(value, str | bytes | int | float):
            continue
        if hasattr(value, "ListFields"):
            items = [value]
        elif hasattr(value, "keys"):
            items = list(value.values())
        else:
            items = list(value)
        found += [p for item in items if hasattr(item, "ListFields") for p in _payloads(item)]
    return found


# --- the default converter on the time-skipping server: large payloads stored compressed ---


@pytest_asyncio.fixture
async def compressing_env() -> AsyncIterator[WorkflowEnvironment]:
    async with wf.time_skipping(Settings(payload_key=None, payload_compress_bytes=2048).data_converter()) as e:
        yield e


async def test_server_stores_large_payloads_compressed(compressing_env: WorkflowEnvironment) -> None:
    env = compressing_env
    queue = f"q-{uuid.uuid4()}"
    s = spec()
    async with serving(env.client, queue, FakeActivities(client=env.client).all()):
        h = await env.client.start_workflow(AgreementWorkflow.run, AgreementInput(spec=s), id=f"agreement-{s.id}", task_queue=queue)
        st = await wait_phase(h, Phase.REVIEW)
        await h.execute_update(AgreementWorkflow.close_review, PhaseAction(actor_id=s.initiator.id))
        st = await wait_phase(h, Phase.APPROVAL)
        assert st.spec == s  # the client reads the whole state, compressed on the wire

        plain = Client(env.client.service_client, namespace=env.client.namespace, data_converter=pydantic_data_converter)
        history = await plain.get_workflow_handle(h.id).fetch_history()
        payloads = [p for e in history.events for p in _payloads(e)]
        packed = [p for p in payloads if p.metadata.get("encoding") == COMPRESSED_ENCODING]
        assert packed and all(p.ByteSize() < 2048 * 4 for p in packed)
        started = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
        assert started.metadata["encoding"] == COMPRESSED_ENCODING  # the spec, with its parties and clauses
        assert all(p.ByteSize() < 2048 or p.metadata.get("encoding") == COMPRESSED_ENCODING for p in payloads
                   if p.metadata.get("encoding") != b"binary/null")  # fmt: skip
        with pytest.raises(Exception, match="binary/zlib"):  # a client without the codec cannot read it
            await plain.get_workflow_handle(h.id).query(AgreementWorkflow.state)
