#!/usr/bin/python3
"""A local SMTP sink for tests/api/test_contrib.c (Debian's python3-aiosmtpd).

    smtp_sink.py PORT FILE

Listens on 127.0.0.1:PORT (0: a free port), prints the port on the first
line of stdout, and appends one JSON line per message received to FILE:
the envelope (mail_from, rcpt_tos) and the parsed message (to, subject,
message_id, category, body with its transfer encoding undone), so the C
test reads what a mail client would show.
"""
import asyncio
import json
import sys
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "category": str(msg["X-Faircrowd-Category"]),
            "body": msg.get_content(),
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


async def main(port, path):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Sink(path)), "127.0.0.1", port)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
