"""A certificate authority that lives for one agent run: the proxy shows the child a leaf for each Azure host.

EC P-256 keys: generating one takes well under a millisecond, where RSA 2048 takes tens. The CA's private key
never leaves the parent's memory; only its certificate is written, into the child's CA bundle.
"""
import datetime
import ipaddress
import os
import ssl
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=1)  # a run that lasts longer gets a CA that still works: leaves are re-made
BACKDATE = datetime.timedelta(minutes=5)  # a clock a little behind still accepts the certificates


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tokenguard agent"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san(host):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


class RunCA:
    """One run's CA: its certificate in PEM, and an ssl server context per host, made on first use."""

    def __init__(self, key_dir, now=None):
        self._key_dir = key_dir  # the parent's private dir, hidden from the child: leaf keys pass through it
        now = now or datetime.datetime.now(datetime.timezone.utc)
        self._not_before, self._not_after = now - BACKDATE, now + VALIDITY
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = _name("tokenguard agent run CA")
        self._cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                      .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
                      .not_valid_before(self._not_before).not_valid_after(self._not_after)
                      .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                      .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                     critical=True)
                      .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()),
                                     critical=False)
                      .sign(self._key, hashes.SHA256()))
        self._contexts = {}
        self._lock = threading.Lock()

    @property
    def certificate_pem(self):
        return self._cert.public_bytes(serialization.Encoding.PEM)

    def server_context(self, host):
        """An ssl context that presents a leaf for ``host`` signed by this CA (cached per host)."""
        host = host.lower()
        with self._lock:
            if host not in self._contexts:
                self._contexts[host] = self._make_context(host)
            return self._contexts[host]

    def _leaf(self, host):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(self._cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(self._not_before).not_valid_after(self._not_after)
                .add_extension(x509.SubjectAlternativeName([_san(host)]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                               critical=False)
                .sign(self._key, hashes.SHA256()))
        return key, cert

    def _make_context(self, host):
        key, cert = self._leaf(host)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_alpn_protocols(["http/1.1"])
        # ssl loads a chain only from files: write key and chain to a private temp file, load, delete.
        fd, path = tempfile.mkstemp(prefix="leaf-", suffix=".pem", dir=self._key_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
                handle.write(cert.public_bytes(serialization.Encoding.PEM) + self.certificate_pem)
            context.load_cert_chain(path)
        finally:
            os.unlink(path)
        return context


def write_bundle(path, ca_pem, trusted_bundles):
    """The child's CA bundle: this run's CA, then the certificates the parent trusts (so hosts the proxy
    passes through untouched still verify). Written 0600 by the caller's private dir."""
    parts = [ca_pem]
    for bundle in trusted_bundles:
        try:
            with open(bundle, "rb") as handle:
                parts.append(handle.read())
        except OSError:
            continue
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(part.rstrip(b"\n") + b"\n" for part in parts))
