"""One message's SMTP conversation, below Django's mail backend: announce it (MAIL, RCPT
and DATA, in one write where the server offers PIPELINING), hand it over, and what
becomes of the connection after a refusal or an unforeseen error."""

import contextlib
import re
import smtplib

# A line of a message that starts with a dot gets a second one (RFC 5321, 4.5.2).
LEADING_DOT = re.compile(rb"(?m)^\.")


def _smtp_code(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return codes[0] if codes else 0
    return getattr(error, "smtp_code", 0) or 0


def _after_refusal(smtp, codes):
    """A server closing the connection (421) is let go; otherwise the refused
    transaction is reset, and the connection serves the next message."""
    if 421 in codes:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _announce(smtp, sender, recipient, size):
    """MAIL, RCPT and DATA: all of a message's transaction but the message itself. The
    server has accepted nothing yet. A server that offers PIPELINING (RFC 2920; every
    common MTA does) gets the three commands in one write and answers them together:
    one round trip instead of three."""
    smtp.ehlo_or_helo_if_needed()
    options = f" size={size}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    # Both are bare addresses already (PreparedIssue and mail.addresses made them so).
    mail_from = f"mail FROM:<{sender}>{options}"
    rcpt_to = f"rcpt TO:<{recipient}>"
    if smtp.does_esmtp and smtp.has_extn("pipelining"):
        smtp.send(f"{mail_from}\r\n{rcpt_to}\r\ndata\r\n")
        replies = [smtp.getreply() for _ in range(3)]
    else:
        replies = [smtp.docmd(mail_from)]
        if replies[0][0] == 250:
            replies.append(smtp.docmd(rcpt_to))
            if replies[1][0] in (250, 251):
                replies.append(smtp.docmd("data"))
    codes = [code for code, _ in replies]
    if codes[0] == 250 and codes[1:2] in ([250], [251]) and codes[2:] == [354]:
        return
    if codes[2:] == [354]:
        # Told to go on despite a refusal: end the empty message before resetting.
        smtp.send(".\r\n")
        smtp.getreply()
    _after_refusal(smtp, codes)
    (mail_code, mail_reply), *rest = replies
    if mail_code != 250:
        raise smtplib.SMTPSenderRefused(mail_code, mail_reply, sender)
    rcpt_code, rcpt_reply = rest[0]
    if rcpt_code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_reply)})
    raise smtplib.SMTPDataError(*rest[1])


def _hand_over(smtp, raw):
    """The message after DATA; the server's 250 is its promise to deliver it."""
    data = LEADING_DOT.sub(b"..", raw)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _after_refusal(smtp, [code])
        raise smtplib.SMTPDataError(code, reply)


def _hang_up(backend):
    """Close the socket without a word: after an error the connection may be in the
    middle of a message, where QUIT would be taken as its text (and its answer waited
    for); the server drops what it got of the message."""
    if backend.connection is not None:
        with contextlib.suppress(Exception):
            backend.connection.close()
        backend.connection = None


def _reconnect(backend):
    """A new connection after an unforeseen error, which may have left the old one in the
    middle of a message (see _hang_up). False when the server cannot be reached again."""
    _hang_up(backend)
    try:
        backend.open()
    except OSError:
        return False
    return True
