"""Checkout quoting: shipping options priced by the shop's fee policy, always within a deadline.

``quote``/``aquote`` for code, ``create_app`` for an ASGI service (our JSON and Shopify's
CarrierService callback).
"""

from ...core.fees import FeePolicy
from .admission import AdmissionSettings
from .app import CheckoutApp, create_app
from .quoting import CheckoutOption, CheckoutQuote, aquote, price, quote
from .shopify import ShopifyOptions

__all__ = ["AdmissionSettings", "CheckoutApp", "CheckoutOption", "CheckoutQuote", "FeePolicy", "ShopifyOptions",
           "aquote", "create_app", "price", "quote"]
