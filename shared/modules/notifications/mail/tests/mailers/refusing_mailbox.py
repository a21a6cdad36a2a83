"""aiosmtpd's Mailbox handler (a Maildir of every accepted message), refusing some recipients
so that tests can provoke the server's answers: a local part starting with "rejected" gets a
permanent 550, one starting with "deferred" a temporary 451."""

from aiosmtpd.handlers import Mailbox


class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("rejected"):
            return "550 5.1.1 Recipient address rejected: no such user"
        if local.startswith("deferred"):
            return "451 4.3.0 Recipient deferred, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"
