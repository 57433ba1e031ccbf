"""The local sandbox: emulators of each carrier's API, reachable in-process (an httpx transport,
no sockets) or over loopback. Each emulator speaks its carrier's real wire format at its real paths.
"""
