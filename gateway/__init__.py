"""The gateway: every configured carrier account behind one interface, rate shopping, the rate cache
and backup rates. Imports core, protocols and adapters; carriers are found through the registry."""
