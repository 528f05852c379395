"""A local certificate authority for sealing executed PDFs, kept in the data folder.

The embedded default needs signatures that verify without any outside service, so the worker
creates, on first use, a self-signed root ("Helix Local Signing Authority") in `<data_dir>/pki/`
and issues one signing certificate per organisation from it. Every key is EC P-256 (generating one
takes a millisecond, so eleven parties signing for the first time hold nothing up) and is written
unencrypted with 0600 permissions: whoever can read the data folder can sign for the network,
exactly as whoever can read it can rewrite the read model. That is the trust this default has.

A real deployment keeps the same interface — `certificate_for(...)` returning a `SigningKey`, and
`root` for verifiers — and points it at its own CA, or an HSM through pyHanko's PKCS#11 signer,
without touching the sealing or verifying code.

Creation is safe when two processes (two workers, or a worker and the CLI) get there at once: the
first one holds an exclusive `flock` on `.lock` while it creates, the others then find the files.
Each file is written to a temporary file and renamed into place, and a certificate is written
after its key, so a present certificate always has its key beside it, even after a crash.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

AUTHORITY_NAME = "Helix Local Signing Authority"
VALIDITY = timedelta(days=20 * 365)
CLOCK_SKEW = timedelta(days=1)  # a certificate dated "now" on one machine is not yet valid on another
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class SigningKey:
    """An organisation's signing key with its certificate and the chain up to the root."""

    organisation_id: str
    key_pem: bytes
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]


class LocalAuthority:
    """The root certificate and, per organisation, a key and a certificate it issued."""

    def __init__(self, directory: Path, root: x509.Certificate, root_key: ec.EllipticCurvePrivateKey) -> None:
        self.directory = directory
        self.root = root
        self._root_key = root_key

    @classmethod
    def open_or_create(cls, directory: Path | str) -> LocalAuthority:
        """The authority kept in `directory`, created there the first time."""
        directory = Path(directory)
        key_path, cert_path = directory / "ca.key.pem", directory / "ca.cert.pem"
        if not cert_path.is_file():
            with _locked(directory):
                if not cert_path.is_file():
                    key = ec.generate_private_key(ec.SECP256R1())
                    _write(key_path, _key_pem(key), private=True)
                    _write(cert_path, _self_signed(key).public_bytes(serialization.Encoding.PEM))
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_path} does not hold an EC private key")
        return cls(directory, x509.load_pem_x509_certificate(cert_path.read_bytes()), key)

    @classmethod
    def trust_root(cls, directory: Path | str) -> x509.Certificate | None:
        """The root certificate of the authority in `directory`, without creating one (for verifiers)."""
        path = Path(directory) / "ca.cert.pem"
        return x509.load_pem_x509_certificate(path.read_bytes()) if path.is_file() else None

    def certificate_for(self, organisation_id: str, organisation_name: str, country: str) -> SigningKey:
        """The organisation's signing key, issued on first use.

        Issued once per organisation id: a later change of the organisation's name does not reissue
        it (a real CA would revoke and reissue; this default keeps the first certificate)."""
        if not _SAFE_ID.match(organisation_id):
            raise ValueError(f"'{organisation_id}' cannot name a certificate file")
        key_path = self.directory / f"{organisation_id}.key.pem"
        cert_path = self.directory / f"{organisation_id}.cert.pem"
        if not cert_path.is_file():
            with _locked(self.directory):
                if not cert_path.is_file():
                    key = ec.generate_private_key(ec.SECP256R1())
                    _write(key_path, _key_pem(key), private=True)
                    cert = self._issue(key.public_key(), organisation_name, country)
                    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        return SigningKey(
            organisation_id=organisation_id,
            key_pem=key_path.read_bytes(),
            cert=x509.load_pem_x509_certificate(cert_path.read_bytes()),
            chain=(self.root,),
        )

    def _issue(self, public_key: ec.EllipticCurvePublicKey, organisation_name: str, country: str) -> x509.Certificate:
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, country.upper()),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
            x509.NameAttribute(NameOID.COMMON_NAME, organisation_name),
        ])  # fmt: skip
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.root.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.root.not_valid_before_utc)
            .not_valid_after(self.root.not_valid_after_utc)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage("digital_signature", "content_commitment"), critical=True)  # non-repudiation
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._root_key.public_key()), critical=False)
            .sign(self._root_key, hashes.SHA256())
        )


def _self_signed(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Helix"),
        x509.NameAttribute(NameOID.COMMON_NAME, AUTHORITY_NAME),
    ])  # fmt: skip
    now = datetime.now(UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage("key_cert_sign", "crl_sign"), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _key_usage(*granted: str) -> x509.KeyUsage:
    flags = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")  # fmt: skip
    return x509.KeyUsage(**{flag: flag in granted for flag in flags})


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on `directory/.lock`: between processes and, since each call opens the
    file anew, between threads of one process too. The kernel drops it if the holder dies."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _write(target: Path, data: bytes, *, private: bool = False) -> None:
    """Write atomically: readers see the whole file or none. mkstemp creates it 0600."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as f:
            if not private:
                os.fchmod(f.fileno(), 0o644)
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
