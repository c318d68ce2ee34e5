"""A network (port 9100) ESC/POS printer emulator on a real TCP socket, with the faults printers show in a lobby.

python-escpos' own `Network` connection talks to it exactly as to an Epson on the LAN; it keeps the
bytes of each connection, answers `DLE EOT n` like an Epson, and can misbehave:

- ``""``            reads everything, answers status (`paper` "ok" / "near_end" / "out")
- ``never_reads``   accepts the connection and never reads a byte (hung firmware); its receive buffer is small,
                    as on a printer, so a pass cannot vanish into it
- ``closes``        accepts, then closes the connection at once
- ``no_status``     prints, never answers DLE EOT
- ``garbled``       answers DLE EOT with a malformed byte
- ``slow``          reads `slow_bytes_per_s` (a slow serial bridge), no status answer
- ``paper_out_after_job``: the next job runs out of paper half-way; status says paper end from then on
`unplug()` closes the listening socket and every connection; `replug()` listens again on the same port.
"""
from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

_DLE_EOT = b"\x10\x04"
SMALL_RCVBUF = 4096


class NetworkPrinterEmulator:
    def __init__(self, fault: str = "", *, paper: str = "ok", slow_bytes_per_s: int = 20000) -> None:
        self.fault = fault
        self.paper = paper
        self.slow_bytes_per_s = slow_bytes_per_s
        self.received = bytearray()
        self.status_queries = 0
        self.connections = 0
        self.port = 0
        self._server: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self._tails: dict[socket.socket, bytes] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- lifecycle ---

    def start(self) -> NetworkPrinterEmulator:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit it: a printer's TCP window is a few KB, not the host's megabytes.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RCVBUF)
        server.bind(("127.0.0.1", self.port))
        server.listen(4)
        self.port = server.getsockname()[1]
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="printer-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with contextlib.suppress(OSError):
            if self._server is not None:
                self._server.close()
        self._server = None
        for client in self._clients:
            with contextlib.suppress(OSError):
                client.close()
        self._clients = []

    unplug = stop

    def replug(self) -> None:
        """Listen again on the same port (the printer is back on the network)."""
        self.start()

    def __enter__(self) -> NetworkPrinterEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests look at ---

    @property
    def jobs_bytes(self) -> bytes:
        """Everything received except the status queries."""
        with self._lock:
            return bytes(self.received).replace(_DLE_EOT + b"\x01", b"").replace(_DLE_EOT + b"\x02", b"").replace(
                _DLE_EOT + b"\x04", b"")

    # --- the printer ---

    def _status(self, n: int) -> int:
        out = self.paper == "out"
        if n == 1:
            return 0x12 | (0x08 if out else 0)
        if n == 2:
            return 0x12 | (0x20 if out else 0)
        if n == 4:
            return 0x12 | (0x6C if out else 0x0C if self.paper == "near_end" else 0)
        return 0x12

    def _serve(self) -> None:
        while not self._stop.is_set():
            socks = [self._server, *self._clients]
            try:
                ready, _, _ = select.select(socks, [], [], 0.02)
            except (OSError, ValueError):
                return
            for sock in ready:
                if sock is self._server:
                    self._accept()
                else:
                    self._read(sock)

    def _accept(self) -> None:
        client, _ = self._server.accept()
        self.connections += 1
        if self.fault == "closes":
            client.close()
            return
        self._clients.append(client)

    def _read(self, client: socket.socket) -> None:
        if self.fault == "never_reads":
            time.sleep(0.01)
            return
        size = 65536
        if self.fault == "slow":
            size = max(1, self.slow_bytes_per_s // 50)
            time.sleep(0.02)
        try:
            data = client.recv(size)
        except OSError:
            data = b""
        if not data:
            self._clients.remove(client)
            client.close()
            return
        with self._lock:
            self.received += data
            job_seen = len(self.received) > 16
        # A query may be cut between two reads: look at the end of the previous read too.
        data = self._tails.get(client, b"") + data
        self._tails[client] = data[-2:]
        replies = bytearray()
        for i in range(len(data) - 2):
            if data[i : i + 2] == _DLE_EOT and data[i + 2] in (1, 2, 4):
                self.status_queries += 1
                if self.fault in ("no_status", "slow"):
                    continue
                if self.fault == "paper_out_after_job" and job_seen:
                    self.paper = "out"
                replies.append(0x6C if self.fault == "garbled" else self._status(data[i + 2]))
        if replies:
            with contextlib.suppress(OSError):
                client.sendall(bytes(replies))
