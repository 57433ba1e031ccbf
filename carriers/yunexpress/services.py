"""YunExpress logistics products (物流产品, ``product_code``): the service a shipment travels with.

Which products an account may use depends on its contract and the destination (``GET
/v1/basic-data/products/getlist?country_code=US`` lists them), so any code of YunExpress's shape is
accepted; the ones below are those public YunExpress answers name, with their names. A price trial
names each product it quotes, so a product missing here is still quoted under YunExpress's own name.
"""

from __future__ import annotations

import re

from carriergate.core.errors import FieldError, ValidationError

#: product_code -> (English name, YunExpress's Chinese name). Names as YunExpress's own answers give them.
PRODUCTS: dict[str, tuple[str, str]] = {
    "THZXR": ("YunExpress Global Direct Line, registered (economy, with battery)", "云途全球专线挂号（特惠带电）"),
    "BKZXR": ("YunExpress Global Direct Line, registered (standard express)", "云途全球专线挂号（标快）"),
}
#: A product code as YunExpress takes it (1 to 50 characters; codes are upper-case letters and digits).
_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,49}")


def checked_product(code: str, *, field: str = "service") -> str:
    """``code`` upper-cased, or a ValidationError naming ``field`` when it cannot be a product code."""
    value = code.strip().upper() if isinstance(code, str) else ""
    if not _CODE.fullmatch(value):
        raise ValidationError(FieldError(field, "a YunExpress product code: letters, digits, '-' or '_', "
                                                "at most 50 (e.g. THZXR)"), carrier="yunexpress")
    return value


def product_name(code: str, given: str | None = None) -> str:
    """The name to show for ``code``: YunExpress's own name when the answer gave one, else ours."""
    if given:
        return given
    known = PRODUCTS.get(code)
    return known[0] if known else code
