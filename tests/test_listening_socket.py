"""TCP_NODELAY on the listening socket reaches every connection accepted from it (real sockets)."""

from __future__ import annotations

import socket

from components import listening_socket


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def _listener() -> socket.socket:
    """A listening socket made as Streamlit 1.67 makes its own: protocol 0."""
    sock = socket.socket(socket.AF_INET)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_connections_accepted_after_it_are_not_held_by_nagle_and_other_listeners_are_left_alone() -> None:
    with _listener() as ours, _listener() as other:
        port = ours.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)), ours.accept()[0] as before:
            assert _nodelay(before) == 0, "asyncio leaves a protocol-0 socket's connections with Nagle on"
        assert listening_socket.no_delay(port) == 1
        with socket.create_connection(("127.0.0.1", port)), ours.accept()[0] as accepted:
            assert _nodelay(accepted) == 1
        with socket.create_connection(other.getsockname()), other.accept()[0] as elsewhere:
            assert _nodelay(elsewhere) == 0


def test_a_port_nothing_listens_on_changes_nothing() -> None:
    with _listener() as sock:
        port = sock.getsockname()[1]
    assert listening_socket.no_delay(port) == 0
