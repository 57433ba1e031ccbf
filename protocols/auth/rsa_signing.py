"""RSA-SHA256 (PKCS#1 v1.5) request signing and RFC 7523 JWT client assertions.

:class:`RSASigner` signs the canonical string (see :mod:`.canonical`) on every attempt.
:func:`jwt_client_assertion` builds a signed JWT (``alg=RS256``) with ``iss = sub = client_id``,
``aud = token URL``, ``iat``, ``exp`` and a unique ``jti``; :class:`OAuth2JWTAssertion` is the
OAuth2 client-credentials flow that authenticates with such an assertion instead of a secret
(``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer``).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pydantic
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from carriergate.core.errors import CarrierError, ConfigurationError
from carriergate.protocols.auth.canonical import CanonicalSigner
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.auth.tokens import TokenStore

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def load_private_key(pem: pydantic.SecretStr, password: pydantic.SecretStr | None = None) -> rsa.RSAPrivateKey:
    """An RSA private key from PEM; a ConfigurationError (without key material) when unusable."""
    try:
        key = serialization.load_pem_private_key(
            pem.get_secret_value().encode("ascii"),
            password=password.get_secret_value().encode("utf-8") if password is not None else None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise ConfigurationError(f"the RSA private key could not be loaded ({type(exc).__name__})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError("the private key is not an RSA key")
    return key


def rsa_sha256_sign(key: rsa.RSAPrivateKey, message: bytes) -> bytes:
    return key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_segment(value: Mapping[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def jwt_client_assertion(
    *,
    client_id: str,
    audience: str,
    key: rsa.RSAPrivateKey,
    kid: str | None = None,
    lifetime: float = 300.0,
    clock: Callable[[], float] = time.time,
    jti_factory: Callable[[], str] = lambda: uuid.uuid4().hex,
) -> str:
    """A compact RS256 JWT for RFC 7523 client authentication."""
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    now = int(clock())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + int(lifetime),
              "jti": jti_factory()}
    signing_input = f"{_json_segment(header)}.{_json_segment(claims)}"
    return f"{signing_input}.{_b64url(rsa_sha256_sign(key, signing_input.encode('ascii')))}"


class RSASigner(CanonicalSigner):
    """Adds ``timestamp``, ``signature`` (base64 RSA-SHA256 PKCS#1 v1.5 of the canonical string) and
    optionally ``key id`` headers to every attempt. Header names are configurable."""

    scheme = "rsa"

    def __init__(
        self,
        *,
        private_key: pydantic.SecretStr,
        password: pydantic.SecretStr | None = None,
        key_id: str | None = None,
        clock: Callable[[], float] = time.time,
        signature_header: str = "X-Signature",
        timestamp_header: str = "X-Timestamp",
        key_id_header: str = "X-Key-Id",
    ) -> None:
        super().__init__(key_id=key_id, clock=clock, signature_header=signature_header,
                         timestamp_header=timestamp_header, key_id_header=key_id_header)
        self._key = load_private_key(private_key, password)

    def signature(self, canonical: str) -> str:
        return base64.b64encode(rsa_sha256_sign(self._key, canonical.encode("utf-8"))).decode("ascii")


class OAuth2JWTAssertion(OAuth2ClientCredentials):
    """OAuth2 client credentials authenticated by an RFC 7523 JWT assertion (a fresh one per token
    request). The cache key fingerprints the private key, so a rotated key gets a new token."""

    def __init__(
        self,
        *,
        carrier: str,
        token_url: str,
        client_id: str,
        private_key: pydantic.SecretStr,
        password: pydantic.SecretStr | None = None,
        kid: str | None = None,
        assertion_lifetime: float = 300.0,
        send_client_id: bool = True,
        extra_form: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        leeway: float = 60.0,
        error_parser: Callable[[httpx.Response], CarrierError] | None = None,
        jti_factory: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self._rsa_key = load_private_key(private_key, password)
        self.kid = kid
        self.assertion_lifetime = assertion_lifetime
        self.send_client_id = send_client_id
        self.jti_factory = jti_factory
        super().__init__(carrier=carrier, token_url=token_url, client_id=client_id, client_secret=private_key,
                         credentials_in="form", extra_form=extra_form, extra_headers=extra_headers, store=store,
                         clock=clock, leeway=leeway, error_parser=error_parser)

    def __repr__(self) -> str:
        return (f"OAuth2JWTAssertion(carrier={self.carrier!r}, token_url={self.token_url!r}, "
                f"client_id={self.client_id!r}, kid={self.kid!r})")

    def _add_credentials(self, form: dict[str, str], headers: dict[str, str]) -> None:
        if self.send_client_id:
            form["client_id"] = self.client_id
        form["client_assertion_type"] = JWT_BEARER
        form["client_assertion"] = jwt_client_assertion(
            client_id=self.client_id, audience=self.token_url, key=self._rsa_key, kid=self.kid,
            lifetime=self.assertion_lifetime, clock=self.clock, jti_factory=self.jti_factory)
