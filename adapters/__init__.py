"""The edges: HTTP executors (sync and async), SOAP, auth and signing, stores, CLI, checkout app."""
