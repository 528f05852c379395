"""`helix pdf verify`: per file, each signature and a verdict; exit 0 only when every file is OK."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

import cli
from documents.pki import LocalAuthority
from documents.signing import seal_pdf
from settings import Settings
from tests.documents.pdfs import CFA, KOFIC, SIGNED_AT, tiny_pdf, with_annotation

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    s = Settings(data_dir=tmp_path / "data")
    monkeypatch.setattr(cli, "get_settings", lambda: s)
    authority = LocalAuthority.open_or_create(s.data_dir / "pki")
    (tmp_path / "signed.pdf").write_bytes(seal_pdf(tiny_pdf(), [KOFIC, CFA], authority, SIGNED_AT))
    (tmp_path / "tampered.pdf").write_bytes(with_annotation((tmp_path / "signed.pdf").read_bytes()))
    (tmp_path / "unsigned.pdf").write_bytes(tiny_pdf())
    (tmp_path / "notes.txt").write_text("not a pdf")
    return tmp_path


def verify(*args: str) -> tuple[int, str]:
    r = runner.invoke(cli.app, ["pdf", "verify", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output


def test_a_sealed_pdf_verifies(data: Path) -> None:
    code, out = verify(str(data / "signed.pdf"))
    assert code == 0, out
    assert "Korean Film Council (Sig_kofic), signed 2026-03-05 11:00:00 UTC: intact, trusted, covers its revision" in out
    assert "China Film Administration (Sig_cfa_cn), signed 2026-03-05 11:00:00 UTC: intact, trusted, covers the entire file" in out
    assert out.rstrip().endswith("OK")


def test_tampered_unsigned_and_unreadable_files_fail(data: Path) -> None:
    code, out = verify(str(data / "signed.pdf"), str(data / "tampered.pdf"))
    assert code == 1
    assert "  TAMPERED: " in out and "Something was added to the file after the last signature" in out
    assert out.count("  OK") == 1  # the first file is fine, the second is not
    code, out = verify(str(data / "unsigned.pdf"))
    assert code == 1 and "NOT SIGNED: This PDF carries no signature." in out
    for name, message in [("missing.pdf", "no such file"), ("notes.txt", "not a PDF file")]:
        code, out = verify(str(data / name))
        (line,) = out.splitlines()  # one line, no traceback
        assert code == 1 and line.startswith(f"{data / name}: error: {message}"), out


def test_another_trust_root_can_be_given(data: Path, tmp_path: Path) -> None:
    other = LocalAuthority.open_or_create(tmp_path / "other")
    pem = tmp_path / "other-root.pem"
    pem.write_bytes(other.root.public_bytes(serialization.Encoding.PEM))
    code, out = verify("--trust-root", str(pem), str(data / "signed.pdf"))
    assert code == 1 and "not trusted" in out and "untrusted" in out
    code, out = verify("--trust-root", str(tmp_path / "nope.pem"), str(data / "signed.pdf"))
    assert code == 2 and "cannot read the trust root" in out


def test_without_a_local_authority_the_command_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(data_dir=tmp_path / "empty"))
    (tmp_path / "x.pdf").write_bytes(tiny_pdf())
    code, out = verify(str(tmp_path / "x.pdf"))
    assert code == 2 and "no local signing authority" in out and "--trust-root" in out
