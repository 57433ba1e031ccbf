"""State shared between worker processes (Redis): OAuth tokens and their cross-process lock, rate
quotas per carrier account, breaker state and the rate cache. In-memory stays the default; these are
used when a Redis URL is configured (``redis_url`` or ``CARRIERGATE_REDIS_URL``)."""
