"""Auth and signing as httpx auth flows, applied afresh on every attempt."""
