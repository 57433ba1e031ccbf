"""Checkout quoting: shipping options priced by the shop's fee policy, always within a deadline.

``quote``/``aquote`` for code, ``create_app`` for an ASGI service (our JSON, Shopify's
CarrierService callback and the carriers' signed tracking pushes, read by :class:`WebhookReceiver`).
"""

from carriergate.checkout.admission import AdmissionSettings
from carriergate.checkout.app import CheckoutApp, create_app
from carriergate.checkout.delivery import DeliveryWindow
from carriergate.checkout.exchange import RateSource, StaticRates
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.quoting import CheckoutOption, CheckoutQuote, aquote, price, quote
from carriergate.checkout.settings import ShopifyOptions
from carriergate.checkout.webhooks import WebhookReceiver

__all__ = ["AdmissionSettings", "CheckoutApp", "CheckoutOption", "CheckoutQuote", "DeliveryWindow", "FeePolicy",
           "RateSource", "ShopifyOptions", "StaticRates", "WebhookReceiver", "aquote", "create_app", "price", "quote"]
