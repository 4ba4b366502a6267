"""Keys that make a certificate provable: a PAdES signature over the PDF and an Ed25519 key for
the QR payload (DESIGN.md §5).

Development: `emitra certificates_ca` creates a throwaway certificate authority, a signing
certificate issued by it, and an Ed25519 key under `EMITRA_VAR_DIR/signing/` (once; later runs
keep them, so certificates already issued keep verifying). Production: the paths come from
settings (`CERT_SIGNING_KEY`, `CERT_SIGNING_CERT`, `CERT_CA_CERT`, `CERT_QR_KEY`, the key's
passphrase from `CERT_SIGNING_KEY_PASSPHRASE`); we never create keys there.
"""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

FIELD_NAME = "eMitraSignature"


@dataclass(frozen=True)
class SigningPaths:
    key: Path
    cert: Path
    ca_cert: Path
    qr_key: Path
    passphrase: bytes | None


def configured_paths() -> SigningPaths:
    """The files named by settings (development defaults live under EMITRA_VAR_DIR/signing)."""
    passphrase: str = settings.CERT_SIGNING_KEY_PASSPHRASE
    return SigningPaths(
        key=Path(settings.CERT_SIGNING_KEY),
        cert=Path(settings.CERT_SIGNING_CERT),
        ca_cert=Path(settings.CERT_CA_CERT),
        qr_key=Path(settings.CERT_QR_KEY),
        passphrase=passphrase.encode() if passphrase else None,
    )


def missing_files(paths: SigningPaths | None = None) -> list[Path]:
    paths = paths or configured_paths()
    return [p for p in (paths.key, paths.cert, paths.ca_cert, paths.qr_key) if not p.is_file()]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Rajasthan"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "e-Mitra (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(path: Path, data: bytes, *, secret: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if secret:
        path.chmod(0o600)


def create_development_keys(paths: SigningPaths, *, now: datetime | None = None) -> bool:
    """Create a CA, a document-signing certificate and the QR key where missing.

    Returns False (and touches nothing) when all files exist already: re-running must not
    replace keys that issued certificates depend on. A partial set is an error, not repaired,
    because replacing half of it would orphan what the other half signed.
    """
    missing = missing_files(paths)
    if not missing:
        return False
    if len(missing) != 4:
        raise RuntimeError(
            "signing files are incomplete (missing "
            + ", ".join(str(p) for p in missing)
            + "); restore them or remove the rest to start a new development CA"
        )
    moment = now or timezone.now()
    start = moment - timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("e-Mitra Development Root CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("e-Mitra Certificate Signing (development)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(paths.passphrase)
        if paths.passphrase
        else serialization.NoEncryption()
    )
    _write(
        paths.key,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ),
        secret=True,
    )
    _write(paths.cert, cert.public_bytes(serialization.Encoding.PEM), secret=False)
    _write(paths.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM), secret=False)
    qr_key = ed25519.Ed25519PrivateKey.generate()
    _write(
        paths.qr_key,
        qr_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        secret=True,
    )
    # The CA's private key is not kept: development needs no second signing certificate, and
    # a key that does not exist cannot leak.
    return True


# --- loading (cached per set of paths, so tests can point settings at a throwaway CA) ---------

_lock = threading.Lock()
_signers: dict[SigningPaths, signers.SimpleSigner] = {}
_qr_keys: dict[Path, ed25519.Ed25519PrivateKey] = {}


class SigningNotConfigured(RuntimeError):
    """The signing files are missing: run `emitra certificates_ca` (development) or set the
    CERT_* settings (production)."""


def _require(paths: SigningPaths) -> None:
    missing = missing_files(paths)
    if missing:
        raise SigningNotConfigured(
            "certificate signing files missing: "
            + ", ".join(str(p) for p in missing)
            + " (development: run `emitra certificates_ca`; production: set CERT_* settings)"
        )


def pdf_signer(paths: SigningPaths | None = None) -> signers.SimpleSigner:
    paths = paths or configured_paths()
    with _lock:
        signer = _signers.get(paths)
        if signer is None:
            _require(paths)
            loaded = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
                key_file=str(paths.key),
                cert_file=str(paths.cert),
                ca_chain_files=(str(paths.ca_cert),),
                key_passphrase=paths.passphrase,
            )
            if loaded is None:
                raise SigningNotConfigured(f"could not load the signing key {paths.key}")
            signer = _signers[paths] = loaded
    return signer


def qr_private_key(paths: SigningPaths | None = None) -> ed25519.Ed25519PrivateKey:
    paths = paths or configured_paths()
    with _lock:
        key = _qr_keys.get(paths.qr_key)
        if key is None:
            _require(paths)
            loaded = serialization.load_pem_private_key(paths.qr_key.read_bytes(), None)
            if not isinstance(loaded, ed25519.Ed25519PrivateKey):
                raise SigningNotConfigured(f"{paths.qr_key} is not an Ed25519 private key")
            key = _qr_keys[paths.qr_key] = loaded
    return key


def qr_public_key_raw(paths: SigningPaths | None = None) -> bytes:
    return (
        qr_private_key(paths)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def qr_key_id(public_raw: bytes) -> str:
    """A short name for a QR key, so a payload says which key signed it (keys can rotate)."""
    return base64.urlsafe_b64encode(hashlib.sha256(public_raw).digest()[:6]).decode().rstrip("=")


def sign_pdf(pdf: bytes, *, reason: str, location: str, paths: SigningPaths | None = None) -> bytes:
    """Sign `pdf` as PAdES baseline B (an invisible signature covering the whole file)."""
    signer = pdf_signer(paths)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        md_algorithm="sha256",
    )
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return bytes(out.getvalue())


def ca_certificate_pem(paths: SigningPaths | None = None) -> bytes:
    """The CA certificate that certificate signatures chain to, as published for outsiders
    (a public certificate, no secret): checked to be one PEM certificate before it is served."""
    paths = paths or configured_paths()
    if not paths.ca_cert.is_file():
        raise SigningNotConfigured(f"the CA certificate {paths.ca_cert} is missing")
    pem = paths.ca_cert.read_bytes()
    x509.load_pem_x509_certificate(pem)  # refuses anything else (a key put there by mistake)
    return pem


@dataclass(frozen=True)
class CaInfo:
    subject: str
    sha256: str  # fingerprint of the DER certificate, "AB:CD:…", as PDF readers show it
    not_after: datetime


def ca_info(paths: SigningPaths | None = None) -> CaInfo:
    cert = x509.load_pem_x509_certificate(ca_certificate_pem(paths))
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return CaInfo(
        subject=cert.subject.rfc4514_string(),
        sha256=":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        not_after=cert.not_valid_after_utc,
    )


def validation_context(paths: SigningPaths | None = None) -> ValidationContext:
    """Trust exactly our CA; no network (no CRL/OCSP fetching), revocation checks soft-fail."""
    paths = paths or configured_paths()
    root = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(paths.ca_cert.read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
    )
    return ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko's validator says about the one signature we put on a certificate."""

    signed: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def check_pdf_signature(pdf: bytes, *, paths: SigningPaths | None = None) -> SignatureCheck:
    """Validate the certificate signature of `pdf` against our CA (the offline check)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception:  # a file that is not a PDF, or too broken to read
        return SignatureCheck(signed=False, intact=False, trusted=False, covers_whole_file=False)
    if len(sigs) != 1:
        return SignatureCheck(
            signed=bool(sigs), intact=False, trusted=False, covers_whole_file=False
        )
    try:
        status = validate_pdf_signature(
            sigs[0], signer_validation_context=validation_context(paths)
        )
    except SignatureValidationError:
        return SignatureCheck(signed=True, intact=False, trusted=False, covers_whole_file=False)
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
    )
