"""Wire protocols, pure: auth and signing flows, SOAP through zeep, JSON helpers, XML safety, body limits.

Imports only :mod:`carriergate.core`; carriers and the request pipeline build on it."""
