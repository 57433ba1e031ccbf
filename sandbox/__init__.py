"""The local sandbox: emulators of each carrier's API, reachable in-process (an httpx transport,
no sockets) or over loopback. Each emulator speaks its carrier's real wire format at its real paths.
With ``$CARRIERGATE_SPECS_DIR`` (or ``specs_dir=``) naming the carriers' official specs, every request
an emulator receives is validated against them (:mod:`.conformance`); unset, nothing is validated.
"""
