"""SOAP with zeep as a pure codec: zeep builds envelopes and reads replies, and never sends.

Design:

* zeep is imported lazily, the first time a SOAP carrier builds or reads a message
  (``import carriergate`` does not import it: it costs 100-200 ms).
* Each WSDL is loaded once per process from package data (:func:`load_client` is cached), with
  ``strict``, ``forbid_dtd``, ``forbid_entities`` and ``forbid_external`` set, through a transport
  that refuses every remote load: loading a WSDL never touches the network.
* :meth:`SoapService.request` builds the envelope with the port's binding into an ``httpx.Request``
  (SOAPAction header included) that the executor sends with the carrier's auth (WS-Security).
* :meth:`SoapService.parse` checks the reply with :func:`~carriergate.protocols.xml_safety.parse_untrusted`
  BEFORE zeep sees it, hands it to the binding's ``process_reply``, maps SOAP faults to typed
  :class:`~carriergate.CarrierError` (faultcode as ``code``, faultstring as ``message``) and any
  other unreadable reply to :class:`~carriergate.MalformedResponse`. The result is plain data:
  dicts, lists, strings (``zeep.helpers.serialize_object``).
* Replies are read tolerantly but never lossily. zeep stays ``strict``: in lax mode an unknown
  element makes zeep silently drop the KNOWN elements that follow it. Instead, before zeep parses,
  :func:`prune_unknown` walks the reply body along zeep's own schema for the operation's output and
  removes each element the schema does not declare at its place (logged at DEBUG on
  ``carriergate.soap``, tag names only). What remains is checked strictly by zeep: a missing required
  element, known elements out of order, or child elements inside a simple value stay loud.
"""

from __future__ import annotations

import functools
import importlib
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from carriergate.core.errors import AuthenticationError, CarrierError, CarrierUnavailable, MalformedResponse
from carriergate.protocols.http import error_for_status, request_id
from carriergate.protocols.xml_safety import parse_untrusted

#: WS-Security fault codes (OASIS WSS 1.0, section 12) that mean "your credentials were refused".
AUTH_FAULT_CODES = frozenset({"FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken",
                              "FailedCheck", "SecurityTokenUnavailable"})
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

logger = logging.getLogger("carriergate.soap")


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


class UnexpectedContent(ValueError):
    """Child elements inside an element the service description declares as a simple value."""


@dataclass(frozen=True)
class _Model:
    """The child elements a schema type declares: ``kind`` is "complex" (walk the children), "simple" (no
    child element allowed) or "open" (``xsd:anyType`` or a construct the walk does not model: left to zeep)."""

    kind: str
    children: dict[str, Any] = field(default_factory=dict)  # Clark name -> the zeep Element declared there
    by_local: dict[str, tuple[str, ...]] = field(default_factory=dict)  # local name -> Clark names
    required: tuple[str, ...] = ()  # Clark names that must be present (zeep misses trailing ones)
    wildcard: bool = False  # an xsd:any in the content model takes any element (zeep ignores its namespace list)

    def declared(self, tag: str) -> str | None:
        """The Clark name of the declaration ``tag`` stands for, matched as zeep matches: by local name
        when one side is unqualified (zeep's workaround for servers that qualify wrongly)."""
        if tag in self.children:
            return tag
        name = etree.QName(tag)
        for clark in self.by_local.get(name.localname, ()):
            if not name.namespace or not etree.QName(clark).namespace:
                return clark
        return None


#: id(zeep type) -> (the type, its model). Holding the type keeps its id from being reused.
_MODELS: dict[int, tuple[Any, _Model]] = {}
_OPEN = _Model("open")
_SIMPLE = _Model("simple")


def _model(xsd_type: Any) -> _Model:
    """What ``xsd_type`` allows as child elements, read from zeep's loaded schema objects."""
    types = importlib.import_module("zeep.xsd.types")
    elements = importlib.import_module("zeep.xsd.elements")
    if isinstance(xsd_type, types.AnySimpleType):
        return _SIMPLE
    if not isinstance(xsd_type, types.ComplexType):
        return _OPEN  # xsd:anyType: any content, kept whole
    nested = [particle for _name, particle in xsd_type.elements_nested]
    if len(nested) == 1 and isinstance(nested[0], elements.Element) \
            and isinstance(nested[0].type, types.AnySimpleType):
        return _SIMPLE  # xsd:simpleContent: a value with attributes
    children: dict[str, Any] = {}
    required: list[str] = []
    wildcard = False
    pending: list[tuple[Any, bool]] = [(particle, True) for particle in nested]  # (particle, on a mandatory path)
    while pending:
        particle, mandatory = pending.pop(0)
        mandatory = mandatory and (getattr(particle, "min_occurs", 1) or 0) >= 1
        if isinstance(particle, elements.Any):
            wildcard = True
        elif isinstance(particle, elements.Element) and particle.qname is not None:
            clark = etree.QName(particle.qname).text
            children.setdefault(clark, particle)
            if mandatory:
                required.append(clark)
        elif isinstance(particle, elements.Group):
            pending.append((particle.child, mandatory))
        elif isinstance(particle, elements.Choice):  # one alternative: none of them is required on its own
            pending.extend((alternative, False) for alternative in particle)
        elif isinstance(particle, elements.indicators.OrderIndicator):  # xsd:sequence, xsd:all
            pending.extend((item, mandatory) for item in particle)
        else:
            return _OPEN
    by_local: dict[str, tuple[str, ...]] = {}
    for clark in children:
        local = etree.QName(clark).localname
        by_local[local] = (*by_local.get(local, ()), clark)
    return _Model("complex", children, by_local, tuple(required), wildcard)


class _Pruner:
    """One walk of one reply: removes the elements the schema does not declare where they stand."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.removed = 0

    def _type_of(self, node: etree._Element, element: Any) -> Any:
        if node.get(_XSI_TYPE) is None:
            return element.type
        utils = importlib.import_module("zeep.utils")
        # As zeep does: the xsi:type if the schema knows it, else the declared type.
        return self.schema.get_type(utils.qname_attr(node, _XSI_TYPE), fail_silently=True) or element.type

    @staticmethod
    def _model_of(xsd_type: Any) -> _Model:
        """The type's model, read once per process: loaded WSDLs (and so their types) live as long."""
        found = _MODELS.get(id(xsd_type))
        if found is None:
            found = _MODELS[id(xsd_type)] = (xsd_type, _model(xsd_type))
        return found[1]

    def walk(self, node: etree._Element, element: Any, path: str) -> None:
        """Prune ``node`` (declared as zeep ``element``) and its known descendants; ``path`` names it in logs."""
        try:
            xsd_type = self._type_of(node, element)
        except Exception:  # an xsi:type zeep cannot resolve: zeep raises on it itself
            return
        model = self._model_of(xsd_type)
        if model.kind == "open":
            return
        kids = [child for child in node if isinstance(child.tag, str)]
        if model.kind == "simple":
            if kids:  # zeep would read only the text before the first child: a silently cut value
                raise UnexpectedContent(f"child elements inside the simple value {path}")
            return
        present: set[str] = set()
        for child in kids:
            name = etree.QName(child)
            declared = model.declared(child.tag)
            if declared is not None:
                present.add(declared)
                self.walk(child, model.children[declared], f"{path}/{name.localname}")
            elif model.wildcard or name.localname in model.by_local:
                continue  # taken by xsd:any, or a known name in a conflicting namespace: zeep refuses it
            else:
                _remove(child)
                self.removed += 1
                logger.debug("pruned element %s/%s not in the service description", path, name.text)
        if node.get(_XSI_NIL) not in ("true", "1"):
            for clark in model.required:
                if clark not in present:
                    raise UnexpectedContent(f"required element {path}/{etree.QName(clark).localname} is missing")


def _remove(child: etree._Element) -> None:
    """Remove ``child`` but keep the text that follows it (its tail)."""
    parent = child.getparent()
    if parent is None:
        return
    if child.tail:
        previous = child.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def prune_unknown(envelope: etree._Element, client: Any, operation: Any) -> int:
    """Remove from ``envelope``'s Body every element that ``operation``'s output schema does not declare
    where it stands; returns how many were removed. A Fault, another body element, a non-document
    message or a non-envelope is left untouched (zeep reports those as it always has)."""
    message = operation.output
    body_element = getattr(message, "body", None)
    nsmap = getattr(message, "nsmap", None) or {}
    if body_element is None or "soap-env" not in nsmap or type(message).__name__ != "DocumentMessage":
        return 0
    body = envelope.find("soap-env:Body", namespaces=nsmap)
    if envelope.tag != etree.QName(nsmap["soap-env"], "Envelope").text or body is None:
        return 0
    pruner = _Pruner(client.wsdl.types)
    if message._is_body_wrapped:  # several parts: the Body element itself is the wrapper
        pruner.walk(body, body_element, "Body")
    else:
        first = next((child for child in body if isinstance(child.tag, str)), None)
        if first is None or first.tag != etree.QName(body_element.qname).text:
            return 0
        pruner.walk(first, body_element, etree.QName(first).localname)
    return pruner.removed


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
            envelope = parse_untrusted(response.content, carrier=self.carrier, what=what, http_status=status)
        except MalformedResponse as malformed:
            if status >= 400 and malformed.code != "unsafe_xml":
                raise self._http_error(response) from None
            raise
        client, binding = self._client_and_binding()
        exceptions = importlib.import_module("zeep.exceptions")
        try:
            reply = _Reply.of(response)
            if prune_unknown(envelope, client, binding.get(operation)):
                content = etree.tostring(envelope, encoding="utf-8", xml_declaration=True)
                reply = _Reply(status, response.headers, content, "utf-8")
            result = binding.process_reply(client, binding.get(operation), reply)
        except exceptions.Fault as fault:
            raise fault_error(fault.code, fault.message, response, carrier=self.carrier) from None
        except exceptions.TransportError:
            if status >= 400:
                raise self._http_error(response) from None
            raise MalformedResponse(f"{what} is not a SOAP envelope", carrier=self.carrier,
                                    http_status=status) from None
        except (exceptions.Error, etree.LxmlError, ValueError, TypeError, AttributeError, LookupError) as exc:
            if status >= 400:
                raise self._http_error(response) from None
            raise MalformedResponse(f"{what} does not match the service description ({type(exc).__name__})",
                                    carrier=self.carrier, http_status=status) from None
        helpers = importlib.import_module("zeep.helpers")
        return helpers.serialize_object(result, dict)


__all__ = ["AUTH_FAULT_CODES", "RemoteLoadRefused", "SoapService", "UnexpectedContent", "fault_error",
           "load_client", "prune_unknown"]
