"""Optional conformance check: every request an emulator receives, validated against the carrier's
official schema, so the sandbox never quietly accepts what the real carrier would reject.

The official files are NOT part of carriergate. Validation is on only when a specs directory is
configured: ``specs_dir=...`` on the registry, transport or server functions, or the environment
variable ``CARRIERGATE_SPECS_DIR`` (e.g. ``CARRIERGATE_SPECS_DIR=../shared/specs carriergate sandbox
serve``). Unset: no validation, and jsonschema, PyYAML (development dependencies) are never imported.
The directory holds ``ups/*.yaml``, ``fedex/*-Resource.json``, ``usps/*.yaml`` (patched by
:mod:`.usps_conformance`), ``dhl-express-soap/*.wsdl`` and ``sf-express/demo-requests/*.json``; a
configured directory missing a file, or a missing validation library, is a :class:`ConfigurationError`
when the emulators are created, never later.

What is checked:

- UPS, FedEx, USPS: the method and path must be an operation of the carrier's OpenAPI files (servers' base
  path included); a JSON body is validated STRICTLY (every constraint, no undeclared property)
  against the operation's request schema. Where a vendor lists alternative payloads in a ``oneOf``
  (FedEx's Full_Schema_* then samples, UPS's pickup creation then trigger), the first is the request
  schema. Form and multipart bodies (OAuth tokens, ETD uploads) are not validated.
- DHL Express: the SOAP body's element against the XSD embedded in the official WSDL of the
  service at that path (lxml).
- SF Express: ``msgData`` of the services SF publishes a demo body for must carry the service's
  required top-level keys, and every key shared with the demo must have the demo's JSON kind (list,
  object or scalar). Services without a demo (delivery-time quotes, cloud print) are not checked.

A violation is loud: the emulator answers HTTP 400 (in the carrier's own error shape, naming each
schema path), appends a :class:`Violation` to ``emulator.violations`` and logs it at ERROR on the
``carriergate.sandbox`` logger (see :meth:`Emulator.receive <.base.Emulator.receive>`).
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from carriergate.core.errors import ConfigurationError, MalformedResponse
from carriergate.sandbox.usps_conformance import USPS_FILES, USPS_UNDESCRIBED

if TYPE_CHECKING:
    from lxml import etree

    from carriergate.sandbox.openapi import DocumentPatch, Spec

ENV_VAR = "CARRIERGATE_SPECS_DIR"
_METHODS = ("get", "put", "post", "delete", "patch")
Checker = Callable[[httpx.Request, str], list[str]]


@dataclass(frozen=True)
class Violation:
    """A request the real carrier would reject: where it went and every problem (``path: message``)."""

    carrier: str
    method: str
    path: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.carrier} {self.method} {self.path}: " + "; ".join(self.problems)


def specs_dir(explicit: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The configured specs directory: ``explicit``, else ``$CARRIERGATE_SPECS_DIR``, else None."""
    chosen = explicit if explicit is not None else (os.environ if environ is None else environ).get(ENV_VAR)
    if chosen is None or str(chosen) == "":
        return None
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise ConfigurationError(f"specs directory {str(path)!r} (for sandbox conformance) does not exist",
                                 code="configuration")
    return path


def _require(module: str, purpose: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise ConfigurationError(f"sandbox conformance ({purpose}) needs the {module!r} package; install "
                                 "carriergate's development dependencies or unset " + ENV_VAR,
                                 code="configuration") from None


def _file(root: Path, relative: str) -> Path:
    path = root / relative
    if not path.is_file():
        raise ConfigurationError(f"sandbox conformance: {relative} not found under {str(root)!r}", code="configuration")
    return path


# -- OpenAPI (UPS, FedEx) -----------------------------------------------------------------------------
def ups_rating_patch(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    # Service.Code says minLength 3, yet lists two-character codes (01, 03, 65) and its examples send '03'.
    schemas["Shipment_Service"]["properties"]["Code"].update(minLength=2, maxLength=3)
    # DeclaredValue.MonetaryValue says exactly 8 characters, yet "absolute maximum value is 21474836.47".
    schemas["PackageServiceOptions_DeclaredValue"]["properties"]["MonetaryValue"].update(minLength=1, maxLength=19)
    # Request requires RequestOption but never declares it.
    schemas["RateRequest_Request"]["properties"].setdefault("RequestOption", {"type": "string", "maxLength": 35})


def ups_pickup_patch(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    # PickupDate is "Format: yyyyMMdd" (8 characters) but limited to 4..4.
    schemas["PickupCreationRequest_PickupDateInfo"]["properties"]["PickupDate"].update(minLength=8, maxLength=8)
    # TotalWeight.Weight: "One decimal digit is allowed. Example: 10.9" but limited to 6..6.
    schemas["PickupCreationRequest_TotalWeight"]["properties"]["Weight"].update(minLength=1, maxLength=6)


def ups_label_recovery_patch(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    # TrackingNumbers and ReferenceValues are "mandatory for only Roadie shipments", yet required; the
    # file's own standard example sends neither (only TrackingNumber).
    schemas["LabelRecoveryRequest"]["required"] = ["Request"]
    # LabelImageFormat.Code lists GIF, PDF, ZPL, EPL, SPL, yet demands at least 4 characters.
    schemas["LabelRecovery_LabelSpecification_LabelImageFormat"]["properties"]["Code"].update(minLength=3)


def _fedex_contact(doc: dict[str, Any]) -> None:
    # TrackingNumbers refers to a ContactVO_1 it never defines; ContactVO1 is meant.
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ContactVO_1", {"$ref": "#/components/schemas/ContactVO1"})


#: Operations a carrier documents that its official files do not describe: FedEx's Track by
#: References (developer docs) is in none of the OpenAPI files. Their emulators check the body alone.
UNDESCRIBED: dict[str, frozenset[tuple[str, str]]] = {
    "fedex": frozenset({("POST", "/track/v1/referencenumbers")}), "usps": USPS_UNDESCRIBED,
}

#: carrier -> (file under the specs directory, document patches): the vendors' measured defects.
OPENAPI_FILES: dict[str, list[tuple[str, tuple[DocumentPatch, ...]]]] = {
    "ups": [("ups/OAuthClientCredentials.yaml", ()), ("ups/Rating.yaml", (ups_rating_patch,)),
            ("ups/Shipping.yaml", (ups_label_recovery_patch,)), ("ups/Paperless.yaml", ()),
            ("ups/Pickup.yaml", (ups_pickup_patch,)),
            ("ups/Tracking.yaml", ())],
    "fedex": [("fedex/APIAuthorization-Resource.json", ()), ("fedex/RateQuotes-Resource.json", ()),
              ("fedex/Shipment-Resource.json", ()), ("fedex/Pickup-Resource.json", ()),
              ("fedex/TrackingNumbers-Resource.json", (_fedex_contact,)), ("fedex/EDUDocuments-Resource.json", ())],
    "usps": USPS_FILES,
}
_UNCHECKED = "unchecked"  # an operation whose body is not JSON (form, multipart)


@cache
def _spec(path: Path, patches: tuple[DocumentPatch, ...]) -> Spec:
    from carriergate.sandbox.openapi import Spec, replace_tabs

    return Spec.load(path, text_patches=(replace_tabs,) if path.suffix in (".yaml", ".yml") else (),
                     document_patches=patches)


def _base_path(*holders: Any) -> str:
    for holder in holders:
        servers = holder.get("servers") if isinstance(holder, dict) else None
        if servers:
            return re.sub(r"^[a-z]+://[^/]+", "", str(servers[0].get("url", ""))).rstrip("/")
    return ""


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    spec: Spec
    schema: dict[str, Any] | str | None  # None: no body; _UNCHECKED: a body that is not JSON


class OpenAPIChecker:
    """Matches a request to an operation of the carrier's OpenAPI files and validates its JSON body."""

    def __init__(self, specs: Iterable[Spec]) -> None:
        self.routes: list[_Route] = []
        self.sources: list[str] = []
        for spec in specs:
            self.sources.append(spec.source)
            for template, ops in (spec.document.get("paths") or {}).items():
                for method in _METHODS:
                    op = ops.get(method) if isinstance(ops, dict) else None
                    if not isinstance(op, dict):
                        continue
                    literal = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
                    pattern = re.compile(re.escape(_base_path(op, ops, spec.document)) + literal)
                    self.routes.append(_Route(method, pattern, spec, self._schema(spec, op)))

    @staticmethod
    def _schema(spec: Spec, op: dict[str, Any]) -> dict[str, Any] | str | None:
        content = (op.get("requestBody") or {}).get("content") or {}
        if not content:
            return None
        media = content.get("application/json")
        if not isinstance(media, dict) or "schema" not in media:
            return _UNCHECKED
        schema: dict[str, Any] = media["schema"]
        while True:  # the first of a oneOf of alternatives (FedEx: Full_Schema_* before the samples)
            alternatives = spec.resolve(schema).get("oneOf")
            if not (isinstance(alternatives, list) and alternatives):
                return schema
            schema = alternatives[0]

    def __call__(self, request: httpx.Request, path: str) -> list[str]:
        route = next((r for r in self.routes if r.method == request.method.lower() and r.pattern.fullmatch(path)), None)
        if route is None:
            return [f"{request.method} {path}: no such operation in {', '.join(self.sources)}"]
        if route.schema is None or route.schema == _UNCHECKED:
            return []
        try:
            payload = json.loads(request.content)
        except ValueError:
            return [f"(body): not JSON, but {route.spec.source} declares application/json"]
        assert isinstance(route.schema, dict)
        return route.spec.strict_errors(payload, route.schema)


def openapi_checker(root: Path, carrier: str) -> OpenAPIChecker:
    _require("jsonschema", f"{carrier} OpenAPI schemas")
    _require("yaml", f"{carrier} OpenAPI schemas")
    return OpenAPIChecker(_spec(_file(root, name), patches) for name, patches in OPENAPI_FILES[carrier])


# -- SOAP (DHL Express) -------------------------------------------------------------------------------
_XS = "http://www.w3.org/2001/XMLSchema"
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
#: emulator path -> the official WSDL of that service.
DHL_WSDLS = {"/expressRateBook": "dhl-express-soap/sndpt-expressRateBook.wsdl",
             "/glDHLExpressTrack": "dhl-express-soap/glDHLExpressTrack.wsdl"}


@cache
def wsdl_schemas(wsdl: Path) -> dict[str, etree.XMLSchema]:
    """Every schema embedded in ``wsdl``, compiled with its siblings, by target namespace.

    Each xsd:schema is written to its own (temporary) file with the WSDL's namespace declarations
    (type references use prefixes declared on wsdl:definitions) and its namespace-only imports
    pointed at the sibling files; nothing is fetched from the network."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(wsdl), parser).getroot()
    schemas = root.findall(f"{{{_WSDL}}}types/{{{_XS}}}schema")
    compiled: dict[str, etree.XMLSchema] = {}
    with tempfile.TemporaryDirectory(prefix="carriergate-wsdl-") as workdir:
        files = {s.get("targetNamespace"): Path(workdir) / f"schema{i}.xsd" for i, s in enumerate(schemas)}
        for schema in schemas:
            namespaces = {str(k): v for k, v in [*root.nsmap.items(), *schema.nsmap.items()] if k is not None}
            standalone = etree.Element(schema.tag, nsmap=namespaces, attrib=dict(schema.attrib))
            standalone.extend(copy.deepcopy(child) for child in schema)
            for imported in standalone.findall(f"{{{_XS}}}import"):
                target = files.get(imported.get("namespace"))
                if target is not None:
                    imported.set("schemaLocation", target.name)
            files[schema.get("targetNamespace")].write_bytes(etree.tostring(standalone))
        for namespace, file in files.items():
            if namespace is not None:
                compiled[namespace] = etree.XMLSchema(etree.parse(str(file), parser))
    return compiled


class SoapChecker:
    """Validates the SOAP body element against the XSD of the official WSDL of the service's path."""

    def __init__(self, root: Path, wsdls: Mapping[str, str] = DHL_WSDLS) -> None:
        self.services = {path: (name.rsplit("/", 1)[-1], wsdl_schemas(_file(root, name)))
                         for path, name in wsdls.items()}

    def __call__(self, request: httpx.Request, path: str) -> list[str]:
        from lxml import etree

        from carriergate.protocols.xml_safety import parse_untrusted

        service = self.services.get(path)
        if service is None:
            return [f"POST {path}: no such service in {', '.join(n for n, _ in self.services.values())}"]
        wsdl, schemas = service
        try:
            envelope = parse_untrusted(request.content, what="SOAP request")
        except MalformedResponse as exc:
            return [f"(envelope): {exc.message}"]
        body = envelope.find(f"{{{_SOAP_ENV}}}Body")
        if body is None or len(body) == 0:
            return ["Envelope/Body: missing or empty"]
        element = body[0]
        name = etree.QName(element)
        schema = schemas.get(name.namespace or "")
        if schema is None:
            return [f"Body/{name.localname}: namespace {name.namespace!r} is declared by no schema of {wsdl}"]
        if schema.validate(etree.ElementTree(copy.deepcopy(element))):
            return []
        return [f"{e.path}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]


# -- SF Express demo bodies ---------------------------------------------------------------------------
#: serviceCode -> (SF's demo msgData, the top-level keys SF requires for that service).
SF_DEMOS: dict[str, tuple[str, frozenset[str]]] = {
    "EXP_RECE_CREATE_ORDER": ("01.order.json", frozenset({"language", "orderId", "contactInfoList", "cargoDetails"})),
    "EXP_RECE_SEARCH_ORDER_RESP": ("02.order.query.json", frozenset({"orderId"})),
    "EXP_RECE_UPDATE_ORDER": ("03.order.confirm.json", frozenset({"orderId", "dealType"})),
    "EXP_RECE_SEARCH_ROUTES": ("05.route_query_by_MailNo.json", frozenset({"trackingType", "trackingNumber"})),
}


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "object" if isinstance(value, dict) else "scalar"


class DemoChecker:
    """SF's ``msgData``: required top-level keys present, shared keys of the demo's JSON kind."""

    def __init__(self, root: Path, demos: Mapping[str, tuple[str, frozenset[str]]] = SF_DEMOS) -> None:
        self.demos: dict[str, tuple[str, dict[str, Any], frozenset[str]]] = {}
        for service, (name, required) in demos.items():
            document = json.loads(_file(root, f"sf-express/demo-requests/{name}").read_text(encoding="utf-8"))
            if isinstance(document, list):
                document = document[0]
            if not isinstance(document, dict) or not required <= document.keys():
                raise ConfigurationError(f"sandbox conformance: SF demo {name} lacks {sorted(required)}",
                                         code="configuration")
            self.demos[service] = (name, document, required)

    def __call__(self, request: httpx.Request, path: str) -> list[str]:
        from carriergate.protocols.auth.sf_digest import decode_form

        try:
            form = decode_form(request.content)
        except ValueError:
            return ["(body): not a form"]
        demo = self.demos.get(form.get("serviceCode", ""))
        if demo is None:
            return []
        name, document, required = demo
        try:
            msg = json.loads(form.get("msgData", ""))
        except ValueError:
            return ["msgData: not JSON"]
        if not isinstance(msg, dict):
            return [f"msgData: {_kind(msg)} where SF's demo {name} has an object"]
        problems = [f"msgData.{key}: required (SF demo {name}) but missing" for key in sorted(required - msg.keys())]
        for key in sorted(msg.keys() & document.keys()):
            if msg[key] is not None and _kind(msg[key]) != _kind(document[key]):
                problems.append(f"msgData.{key}: {_kind(msg[key])} where SF's demo {name} has {_kind(document[key])}")
        return problems


# -- per carrier ----------------------------------------------------------------------------------------
def _dhl(root: Path) -> Checker:
    _require("lxml", "DHL Express WSDL schemas")
    return SoapChecker(root)


CHECKERS: dict[str, Callable[[Path], Checker]] = {
    "ups": lambda root: openapi_checker(root, "ups"),
    "fedex": lambda root: openapi_checker(root, "fedex"), "usps": lambda root: openapi_checker(root, "usps"),
    "dhl_express": _dhl,
    "sf_express": DemoChecker,
}


class Conformance:
    """The checkers of the carriers asked for (all known ones by default), built at once from ``root``
    so a misconfigured directory fails now. Carriers without a checker are not validated."""

    def __init__(self, root: Path, carriers: Iterable[str] | None = None) -> None:
        self.root = root
        names = CHECKERS if carriers is None else [c for c in carriers if c in CHECKERS]
        self.checkers: dict[str, Checker] = {name: CHECKERS[name](root) for name in names}

    def check(self, carrier: str, request: httpx.Request, path: str) -> list[str]:
        """Every problem of ``request`` (received at ``path`` below the carrier's prefix); [] if none
        (and for an operation in :data:`UNDESCRIBED`: there is no schema to check it by)."""
        if (request.method, path) in UNDESCRIBED.get(carrier, frozenset()):
            return []
        checker = self.checkers.get(carrier)
        return [] if checker is None else checker(request, path)


def conformance(explicit: str | Path | None = None, carriers: Iterable[str] | None = None) -> Conformance | None:
    """A :class:`Conformance` for the configured specs directory, or None when none is configured."""
    root = specs_dir(explicit)
    return None if root is None else Conformance(root, carriers)


__all__ = ["ENV_VAR", "UNDESCRIBED", "Conformance", "DemoChecker", "OpenAPIChecker", "SoapChecker", "Violation",
           "conformance", "specs_dir"]
