"""TCP_NODELAY for every connection the server accepts, set once on its listening socket.

Streamlit 1.67 binds its listening socket itself, as `socket.socket(family)`: protocol 0, so
asyncio, which sets TCP_NODELAY only on sockets whose protocol reads IPPROTO_TCP, never sets it
on the connections accepted from it. A rerun's messages then leave in several small writes, and
Nagle's algorithm holds each write until the previous one is acknowledged, which a client (a
browser, the Space's proxy) delays by up to 40 ms: about 40 ms added to every view and every
click. Linux gives accepted sockets the listening socket's TCP_NODELAY, so setting it there once
removes the wait for every connection. Elsewhere (no /proc) nothing is done.
"""

from __future__ import annotations

import os
import socket

_FDS = "/proc/self/fd"


def no_delay(port: int) -> int:
    """Set TCP_NODELAY on this process's listening TCP sockets bound to `port`; how many."""
    if not os.path.isdir(_FDS):
        return 0
    done = 0
    for name in os.listdir(_FDS):
        try:
            # A duplicate of the descriptor: options set on it are the socket's own.
            with socket.fromfd(int(name), socket.AF_INET, socket.SOCK_STREAM) as sock:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and sock.getsockname()[1] == port:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    done += 1
        except (OSError, IndexError, TypeError):  # not a socket, not TCP, or not bound to an address with a port
            continue
    return done
