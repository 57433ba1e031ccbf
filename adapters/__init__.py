"""The request pipeline: executors (sync and async) that send a carrier's calls with auth, timeouts,
retries, circuit breakers, body limits and redacted logs and hooks; one HTTP client per account."""
