"""E-mail leaves over SMTP only after the real commit, and only for what was committed."""

from __future__ import annotations

import socketserver
import threading

import pytest
from sqlalchemy import select

from curriculum.db import db
from lms.mail.models import OutboxMessage
from lms.mail.operations import send_mail


class SMTPSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages (no STARTTLS, no AUTH)."""

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command == b"DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append(data.decode())
                self.wfile.write(b"250 ok\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp(app):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPSink)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=server.server_address[1], LMS_SMTP_STARTTLS=False)
    yield server
    server.shutdown()
    server.server_close()


def test_mail_leaves_after_the_commit_and_never_for_a_rolled_back_savepoint(app, smtp):
    send_mail("amina@example.org", "Kept", "Bonjour Amina")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        send_mail("omar@example.org", "Undone", "Ce message est annulé")
        raise RuntimeError("this item fails")
    assert smtp.messages == []  # nothing before the commit
    db.session.commit()
    assert len(smtp.messages) == 1 and "Subject: Kept" in smtp.messages[0]
    sent = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.subject, m.sent_at is not None) for m in sent] == [("Kept", True)]


def test_a_rolled_back_request_mails_nobody(app, smtp):
    send_mail("amina@example.org", "Never", "...")
    db.session.rollback()
    db.session.commit()
    assert smtp.messages == []
