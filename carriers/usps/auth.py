"""USPS's two credentials: the OAuth2 bearer of every call and, for label calls, the payment
authorization token obtained with it.

The token comes from ``POST /payments/v3/payment-authorization`` with the PAYER and LABEL_OWNER roles
(payments.yaml); USPS issues it for eight hours and asks callers not to fetch one per label. It
goes out as ``X-Payment-Authorization-Token`` on label calls only (create, cancel, reprint), through
:class:`~carriergate.protocols.auth.side_token.SideTokenAuth`: cached, fetched once for any number
of concurrent callers, fetched again on expiry or when a 401 names it.
"""

from __future__ import annotations

from functools import partial

import httpx

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.endpoints import PAYMENT_HEADER, payment_url, token_url
from carriergate.carriers.usps.errors import checked, failed, names_payment_token
from carriergate.core.errors import AuthenticationError, CarrierError, MalformedResponse
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.auth.side_token import SideTokenAuth
from carriergate.protocols.auth.tokens import TokenStore
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import text


def token_error(response: httpx.Response, *, carrier: str) -> CarrierError:
    """A refused OAuth token request: USPS's error body, typed (401/403: authentication)."""
    error = failed(response, carrier=carrier)
    if response.status_code < 400:
        return AuthenticationError(error.message, carrier=carrier, code=error.code, http_status=response.status_code)
    return error


def bearer(account: USPSAccount, *, carrier: str, base_url: str,
           store: TokenStore | None = None) -> OAuth2ClientCredentials:
    """The OAuth2 client-credentials flow of ``POST /oauth2/v3/token``. The credentials go in the form
    body (RFC 6749 section 2.3.1 allows it; USPS's OAuth file is not among the specs we hold, so the
    form-body choice is not confirmed there)."""
    return OAuth2ClientCredentials(carrier=carrier, token_url=token_url(base_url), client_id=account.client_id,
                                   client_secret=account.client_secret, credentials_in="form", store=store,
                                   error_parser=partial(token_error, carrier=carrier))


def build_payment_authorization(account: USPSAccount, *, base_url: str) -> httpx.Request:
    """``POST /payments/v3/payment-authorization`` with the PAYER and LABEL_OWNER roles."""
    return json_request("POST", payment_url(base_url), {"roles": account.payment_roles()})


def parse_payment_authorization(response: httpx.Response, *, carrier: str) -> tuple[str, float | None]:
    """The token of a payment authorization answer; its lifetime is the account's (None here)."""
    if response.status_code >= 400:
        error = failed(response, carrier=carrier)
        if response.status_code in (400, 403):  # roles USPS refuses: the payment account is wrong
            raise AuthenticationError(error.message, carrier=carrier, code=error.code,
                                      http_status=response.status_code)
        raise error
    token = text(checked(response, carrier=carrier).get("paymentAuthorizationToken"))
    if token is None:
        raise MalformedResponse("payment authorization answer has no paymentAuthorizationToken", carrier=carrier,
                                http_status=response.status_code)
    return token, None


def label_auth(account: USPSAccount, oauth: httpx.Auth, *, carrier: str, base_url: str,
               store: TokenStore | None = None) -> SideTokenAuth:
    """The auth of label calls: ``oauth`` (the carrier's own bearer flow, so both share one bearer
    token) plus the payment authorization token."""
    identity = "\x00".join([account.client_secret.get_secret_value(), account.crid, account.mid,
                            account.payer_mid or "", account.account_type, account.account_number or "",
                            account.permit_number or "", account.permit_zip or ""])
    return SideTokenAuth(carrier=carrier, bearer=oauth, header=PAYMENT_HEADER, token_url=payment_url(base_url),
                         client_id=account.client_id, identity=identity,
                         token_request=partial(build_payment_authorization, account, base_url=base_url),
                         accept=partial(parse_payment_authorization, carrier=carrier),
                         rejects=names_payment_token, lifetime=account.payment_token_lifetime, store=store)
