"""Auth and signing as httpx auth flows, applied afresh on every attempt.

- :mod:`.oauth2` — OAuth2 client credentials with a shared token cache (:mod:`.tokens`);
- :mod:`.rsa_signing` — RSA-SHA256 request signing, RFC 7523 JWT client assertions;
- :mod:`.hmac_signing` — HMAC-SHA256 request signing and webhook verification;
- :mod:`.wsse` — WS-Security UsernameToken in SOAP envelopes;
- :mod:`.md5_form` — Kuaidi100 MD5 form signatures; :mod:`.api_key` — header API keys;
- :mod:`.sf_digest` — SF Express msgDigest.

Import the module you need; this package imports nothing (lxml and cryptography stay unloaded).
"""
