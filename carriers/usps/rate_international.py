"""International prices: ``POST /international-prices/v3/total-rates/search`` (USPS International
Prices 3.0), for a parcel mailed in the US to another country.

../shared/specs/usps holds no international-prices file, so the request and answer follow what
USPS publishes elsewhere: its developer portal's API list (International Prices 3.0 prices Global
Express Guaranteed, Priority Mail Express International, Priority Mail International and
First-Class Package International Service), the International Prices examples of USPS's own
api-examples repository (a total-rates request and its ``rateOptions`` answer), and the field
names, enums and answer shape of clients generated from USPS's international-prices OpenAPI file
(``TotalRatesQuery``: originZIPCode, foreignPostalCode, destinationCountryCode, weight, length,
width, height, mailClass, priceType, mailingDate, accountType, accountNumber, itemValue,
extraServices). We send only those fields, in the units the domestic call uses (pounds, inches).

What could not be confirmed, and how it is handled:

- which fields are required: the published examples send all of the above but itemValue and
  extraServices, and so do we (foreignPostalCode only when the address has a postal code);
- the total-rates query takes one ``mailClass`` (not domestic's ``mailClasses`` list); ``ALL`` is in
  its enum, so several classes are asked as ``ALL`` and the answer filtered to those asked;
- the mailing-date window: domestic prices' (today to 7 days ahead) is applied here too;
- the answer lists flat-rate containers beside single-piece prices for the same class (the
  request has no rateIndicator to exclude them): an option whose rate description names a Flat
  Rate envelope or box prices a USPS container, not this parcel, and is skipped;
- ``extraServices`` of an option: a flat list in USPS's example, a list of lists in the generated
  clients: both are read. The quote's total is ``totalBasePrice`` plus the insurance asked for
  (``totalPrice`` is not trusted: it may count extra services we did not ask for).

No customs data goes on a price request: the API has no field for it (customs are the label's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import httpx

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.packages import measures, the_parcel
from carriergate.carriers.usps.parties import DOMESTIC, zip_code
from carriergate.carriers.usps.rate import (
    cheapest_each,
    insurance_fields,
    lane,
    mailing_date,
    payment_account,
    quote_of,
    rate_options,
)
from carriergate.carriers.usps.services import INTERNATIONAL, LANE_NOT_SUPPORTED
from carriergate.core.errors import FieldError, NotServed, ValidationError
from carriergate.core.notices import Notice
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import records, text

PATH = "/international-prices/v3/total-rates/search"
#: The mail classes international prices quote (``mailClass`` enum), cheapest first. Global Express
#: Guaranteed is priced but not labelled here (international-labels.yaml has no such class).
QUOTED = {**INTERNATIONAL, "GLOBAL_EXPRESS_GUARANTEED": "Global Express Guaranteed"}
#: The ``mailClass`` value that asks every class at once.
ALL = "ALL"
#: A postal code USPS takes in ``foreignPostalCode``: as the label's ``postalCode`` (international-labels.yaml).
POSTAL_CODE_MAX = 11


def mail_classes(request: RateRequest) -> list[str]:
    """The classes asked for; when the request names none, those a label can be bought for (Global
    Express Guaranteed is priced only when asked for by name: no USPS label API makes it)."""
    if not request.services:
        return list(INTERNATIONAL)
    classes = [c for c in request.services if c in QUOTED]
    if not classes:
        raise ValidationError(FieldError("services", f"USPS international mail classes are {', '.join(QUOTED)}"))
    return classes


def build_international_rate(request: RateRequest, account: USPSAccount, *, base_url: str, today: date,
                             carrier: str = "usps") -> httpx.Request:
    lane(request, carrier=carrier)
    destination = request.destination
    if destination.country in DOMESTIC:
        raise NotServed("USPS international prices are for mail leaving the US; domestic prices price "
                        f"{destination.country}", carrier=carrier, code=LANE_NOT_SUPPORTED)
    origin, _ = zip_code(request.origin, "origin")
    classes = mail_classes(request)
    body: dict[str, Any] = {"originZIPCode": origin}
    postal = (destination.postal_code or "").strip()
    if postal:
        if len(postal) > POSTAL_CODE_MAX:
            raise ValidationError(FieldError("destination.postal_code",
                                             f"USPS takes at most {POSTAL_CODE_MAX} characters here"))
        body["foreignPostalCode"] = postal
    body.update({"destinationCountryCode": destination.country, **measures(the_parcel(request)),
                 "mailClass": classes[0] if len(classes) == 1 else ALL, "priceType": account.price_type,
                 "mailingDate": mailing_date(request, today).isoformat(), **payment_account(account),
                 **insurance_fields(request)})
    return json_request("POST", f"{base_url}{PATH}", body)


def _flat_rate(option: dict[str, Any]) -> bool:
    return any("flat rate" in (text(r.get("description")) or "").lower() for r in records(option.get("rates")))


def _flattened(option: dict[str, Any]) -> dict[str, Any]:
    """The option with its ``extraServices`` as one flat list (either published shape) and without
    ``totalPrice``: USPS lists every eligible extra service when it is not told which, and its total
    would then include services not bought; the quote's total is the base plus the insurance asked."""
    extras = option.get("extraServices")
    flat: list[Any] = []
    for entry in extras if isinstance(extras, list) else []:
        flat.extend(entry if isinstance(entry, list) else [entry])
    return {key: value for key, value in option.items() if key != "totalPrice"} | {"extraServices": flat}


def _offered(options: Iterable[dict[str, Any]], *, carrier: str, insured: bool,
             classes: tuple[str, ...]) -> Iterator[Quote]:
    """A quote of every single-piece option of the classes asked for (insurable, when insurance is asked)."""
    for option in options:
        if _flat_rate(option):
            continue
        quote = quote_of(_flattened(option), carrier=carrier, insured=insured)
        if quote is None or quote.service_code not in classes:
            continue
        if insured and not any(c.kind == "insurance" for c in quote.charges):
            continue  # this option cannot be insured: an insured request gets no uninsured price
        if quote.service_code not in INTERNATIONAL:  # priced by USPS, but no label API of USPS makes it
            quote = quote.model_copy(update={"shippable": False, "warnings": [*quote.warnings, Notice(
                message=f"USPS prices {QUOTED[quote.service_code]} but its label APIs do not make it",
                code="no_label_api")]})
        yield quote


def parse_international_rate(response: httpx.Response, *, carrier: str, insured: bool = False,
                             classes: tuple[str, ...] = tuple(QUOTED)) -> list[Quote]:
    """The cheapest single-piece option of each mail class asked for, one quote each, in USD."""
    options = rate_options(response, carrier=carrier, what="international total rates")
    best = cheapest_each(_offered(options, carrier=carrier, insured=insured, classes=classes))
    if not best:
        raise NotServed("USPS has no international price for this parcel and destination", carrier=carrier,
                        code="no_quote", http_status=response.status_code)
    return [best[c] for c in QUOTED if c in best]
