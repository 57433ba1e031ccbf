"""SOAP with zeep as a pure codec: zeep builds envelopes and reads replies, and never sends.

Design:

* zeep is imported lazily, the first time a SOAP carrier builds or reads a message
  (``import carriergate`` does not import it: it costs 100-200 ms).
* Each WSDL is loaded once per process from package data (:func:`load_client` is cached), with
  ``strict``, ``forbid_dtd``, ``forbid_entities`` and ``forbid_external`` set, through a transport
  that refuses every remote load: loading a WSDL never touches the network.
* :meth:`SoapService.request` builds the envelope with the port's binding into an ``httpx.Request``
  (SOAPAction header included) that the executor sends with the carrier's auth (WS-Security).
* :meth:`SoapService.parse` checks the reply with :func:`~carriergate.adapters.xml_safety.parse_untrusted`
  BEFORE zeep sees it, hands it to the binding's ``process_reply``, maps SOAP faults to typed
  :class:`~carriergate.CarrierError` (faultcode as ``code``, faultstring as ``message``) and any
  other unreadable reply to :class:`~carriergate.MalformedResponse`. The result is plain data:
  dicts, lists, strings (``zeep.helpers.serialize_object``).
"""

from __future__ import annotations

import functools
import importlib
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from ..core.errors import AuthenticationError, CarrierError, CarrierUnavailable, MalformedResponse
from ..core.http import error_for_status, request_id
from .xml_safety import parse_untrusted

#: WS-Security fault codes (OASIS WSS 1.0, section 12) that mean "your credentials were refused".
AUTH_FAULT_CODES = frozenset({"FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken",
                              "FailedCheck", "SecurityTokenUnavailable"})


def _zeep() -> Any:
    """The zeep package, imported on first use (typed as Any: zeep is only partly annotated)."""
    return importlib.import_module("zeep")


class RemoteLoadRefused(RuntimeError):
    """A WSDL or schema tried to load a remote document; carriergate never allows that."""


@functools.cache
def _offline_transport_class() -> type[Any]:
    transports = importlib.import_module("zeep.transports")

    class OfflineTransport(transports.Transport):  # type: ignore[misc,name-defined]
        """Reads local files only. Every remote fetch and every send is refused."""

        def _load_remote_data(self, url: str) -> bytes:
            raise RemoteLoadRefused(f"refusing to load remote document {url!r}: carriergate's SOAP layer is offline")

        def post(self, address: str, message: Any, headers: Any) -> Any:
            raise RemoteLoadRefused("zeep never sends: carriergate's executor does")

        def get(self, address: str, params: Any, headers: Any) -> Any:
            raise RemoteLoadRefused("zeep never sends: carriergate's executor does")

    return OfflineTransport


def _materialise(resource: Traversable) -> Path:
    """A real directory holding ``resource``'s files (a copy when the package is zipped)."""
    if isinstance(resource, Path):
        return resource
    target = Path(tempfile.mkdtemp(prefix="carriergate-wsdl-"))
    for entry in resource.iterdir():
        if entry.is_file():
            with entry.open("rb") as src, (target / entry.name).open("wb") as dst:
                shutil.copyfileobj(src, dst)
    return target


@functools.cache
def _wsdl_dir(package: str) -> Path:
    return _materialise(files(package).joinpath("wsdl"))


@functools.cache
def load_client(package: str, wsdl_name: str) -> Any:
    """The zeep client for ``<package>/wsdl/<wsdl_name>``, loaded once per process, hardened and offline."""
    zeep = _zeep()
    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True,
                             xml_huge_tree=False)
    path = _wsdl_dir(package) / wsdl_name
    return zeep.Client(str(path), transport=_offline_transport_class()(), settings=settings)


@dataclass(frozen=True)
class _Reply:
    """What zeep's ``process_reply`` reads from a response (it expects a ``requests.Response``)."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    encoding: str | None

    @classmethod
    def of(cls, response: httpx.Response) -> _Reply:
        return cls(response.status_code, response.headers, response.content, response.charset_encoding)


def fault_error(code: str | None, message: str | None, response: httpx.Response, *,
                carrier: str | None) -> CarrierError:
    """A SOAP fault as a typed error: WS-Security refusals and HTTP 401/403 are AuthenticationError,
    HTTP 503 is CarrierUnavailable, every other fault a CarrierError with the fault's own code."""
    status = response.status_code
    kwargs: dict[str, Any] = {"carrier": carrier, "code": code or "soap_fault", "http_status": status,
                              "request_id": request_id(response)}
    text = message or "SOAP fault without a faultstring"
    if (code or "").rpartition(":")[2] in AUTH_FAULT_CODES or status in (401, 403):
        return AuthenticationError(text, **kwargs)
    if status == 503:
        return CarrierUnavailable(text, **kwargs)
    return CarrierError(text, **kwargs)


class SoapService:
    """One port of one WSDL shipped in ``package``'s ``wsdl/`` folder.

    ``SoapService("carriergate.carriers.dhl_express", "expressRateBook.wsdl", "expressRateBook",
    "expressRateBook")``. Constructing it loads nothing; the WSDL is loaded (once per process) the
    first time a message is built or read. ``carrier`` names the carrier in errors; leave it None to
    let the executor fill in the account's name.
    """

    def __init__(self, package: str, wsdl_name: str, service: str, port: str, *, carrier: str | None = None) -> None:
        self.package = package
        self.wsdl_name = wsdl_name
        self.service = service
        self.port = port
        self.carrier = carrier

    def _client_and_binding(self) -> tuple[Any, Any]:
        client = load_client(self.package, self.wsdl_name)
        return client, client.wsdl.services[self.service].ports[self.port].binding

    def envelope(self, operation: str, **body: Any) -> tuple[bytes, dict[str, str]]:
        """The serialised SOAP envelope for ``operation`` and its HTTP headers (SOAPAction, Content-Type)."""
        client, binding = self._client_and_binding()
        document, headers = binding._create(operation, (), body, client=client)
        content: bytes = etree.tostring(document, encoding="utf-8", xml_declaration=True)
        return content, {str(k): str(v) for k, v in headers.items()}

    def request(self, operation: str, url: str, **body: Any) -> httpx.Request:
        """A POST of ``operation``'s envelope to ``url``, ready for the executor (which adds auth)."""
        content, headers = self.envelope(operation, **body)
        headers.setdefault("Accept", "text/xml")
        return httpx.Request("POST", url, content=content, headers=headers)

    def _http_error(self, response: httpx.Response) -> CarrierError:
        error = error_for_status(response, carrier=self.carrier or "")
        error.carrier = self.carrier  # None lets the executor name the account
        return error

    def parse(self, operation: str, response: httpx.Response) -> Any:
        """The reply body of ``operation`` as plain data, or a typed CarrierError."""
        status = response.status_code
        what = f"{self.carrier or 'SOAP'} {operation} reply"
        try:
            parse_untrusted(response.content, carrier=self.carrier, what=what, http_status=status)
        except MalformedResponse as malformed:
            if status >= 400 and malformed.code != "unsafe_xml":
                raise self._http_error(response) from None
            raise
        client, binding = self._client_and_binding()
        exceptions = importlib.import_module("zeep.exceptions")
        try:
            result = binding.process_reply(client, binding.get(operation), _Reply.of(response))
        except exceptions.Fault as fault:
            raise fault_error(fault.code, fault.message, response, carrier=self.carrier) from None
        except exceptions.TransportError:
            if status >= 400:
                raise self._http_error(response) from None
            raise MalformedResponse(f"{what} is not a SOAP envelope", carrier=self.carrier, code="malformed",
                                    http_status=status) from None
        except (exceptions.Error, etree.LxmlError, ValueError, TypeError, AttributeError, LookupError) as exc:
            if status >= 400:
                raise self._http_error(response) from None
            raise MalformedResponse(f"{what} does not match the service description ({type(exc).__name__})",
                                    carrier=self.carrier, code="malformed", http_status=status) from None
        helpers = importlib.import_module("zeep.helpers")
        return helpers.serialize_object(result, dict)


__all__ = ["AUTH_FAULT_CODES", "RemoteLoadRefused", "SoapService", "fault_error", "load_client"]
