"""The gateway: every configured carrier account behind one interface, rate shopping, the rate cache
and backup rates. Imports core, protocols and adapters; carriers are found through the registry.

``gateways`` (Gateway, AsyncGateway and their public surface), ``accounts`` (one account's
operations), ``fanout`` (how a run and a round are bounded by their Deadline), ``config``; built on
those public names only: ``shopping`` (RateShopper), ``rate_cache`` and ``fallback``."""
