"""A local SMTP server for the tests that check what leaves by e-mail (``smtp`` fixture)."""

from __future__ import annotations

import socketserver
import threading

import pytest


class SMTPSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages (no STARTTLS, no AUTH). ``server.refuse`` (a reply
    such as ``b"451 try later"``) refuses every message; ``server.drop_after`` hangs up once a
    connection has carried that many messages."""

    def handle(self):
        server = self.server
        server.connections += 1
        self.wfile.write(b"220 sink\r\n")
        carried = 0
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith(b"MAIL") and server.refuse:
                self.wfile.write(server.refuse + b"\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                server.messages.append(data.decode())
                self.wfile.write(b"250 ok\r\n")
                carried += 1
                if carried == server.drop_after:
                    return  # hang up without a word, as a server that limits its sessions does
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp(app):
    """A local SMTP server; the app sends its mail there."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPSink)
    server.daemon_threads = True
    server.messages, server.connections, server.refuse, server.drop_after = [], 0, None, None
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    app.config.update(
        LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=server.server_address[1], LMS_SMTP_STARTTLS=False
    )
    yield server
    server.shutdown()
    server.server_close()
