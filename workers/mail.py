"""Email: Jinja2 templates (plain text and HTML, British English), a quick MIME builder, and a
mailer that speaks SMTP (TLS optional) or, with no SMTP host configured, writes ``.eml`` files under
``var/outbox-mail/``.

The MIME builder writes the two-part message directly (quoted-printable UTF-8): the standard
library's ``EmailMessage`` costs about 2 ms a message, which alone would cap a worker near
500 emails a second.
"""

from __future__ import annotations

import binascii
import hashlib
import logging
import re
import smtplib
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from brokerage.dates import long_date, long_datetime
from brokerage import links
from brokerage.auth import tokens
from brokerage.config import PROJECT_ROOT, Settings, get_settings

logger = logging.getLogger(__name__)

TEMPLATE_DIR = PROJECT_ROOT / "brokerage" / "templates" / "email"

_DOT_LINE = re.compile(rb"(?m)^\.")

# Subjects are short templates of their own; bodies live in brokerage/templates/email/.
SUBJECTS: dict[str, str] = {
    "invitation": "{{ sender }} invites you to volunteer: {{ role.title }}",
    "referral_referred": "Your volunteer centre has put you forward for {{ role.title }}",
    "referral_message": "A new message about {{ role.title }}",
    "reengagement": "New volunteering roles since you were last here",
    "role_match": "A new volunteering role that suits you: {{ role.title }}",
    "volunteer_matches": "Volunteering roles that suit you",
    "digest": "This week's volunteering roles for you",
    "referral_created": "{{ volunteer_name }} is interested in {{ role.title }}",
    "referral_status": "An update on your interest in {{ role.title }}",
    "referral_chase": "Please reply to {{ volunteer_name }} about {{ role.title }}",
    "referral_escalated": "A referral needs the centre's help: {{ role.title }}",
    "role_refresh": 'Your listing "{{ role.title }}" closes on {{ closes_on }}',
    "dbs_reminder": "{% if expired %}Your DBS check needs renewing{% else %}Your DBS check is due for renewal on {{ renew_by|date }}{% endif %}",
    "hours_submitted": "New volunteer hours to approve",
    "hours_reminder": "Volunteer hours waiting for your approval",
    "password_reset": "Reset your password",
    "email_change": "Confirm your new email address",
    "retention_reminder": "Your volunteering account will be deleted unless you sign in",
    "organisation_verification": "Your organisation's registration: {{ decision }}",
    "session_place": "A place has come free for you: {{ role_title }}, {{ when }}",
    "session_reminder": "Tomorrow: {{ role_title }}, {{ when }}",
    "hours_proposed": "Please confirm your hours for {{ role_title }}",
    "safeguarding_concern": "A safeguarding concern has been raised with {{ centre_name }}",
    "milestone": "Congratulations: {{ threshold }} hours of volunteering",
    "satisfaction_question": "How is volunteering with {{ organisation_name }} going?",
    "guardian_consent": "Your consent for {{ first_name }} to volunteer",
    "training_booked": "Your place is booked: {{ title }}, {{ when }}",
    "callout": "Emergency call-out: can you help? {{ title }}, {{ starts_at|datetime }}",
}


class MailError(Exception):
    """Sending failed. ``permanent`` failures (the address was refused) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(slots=True)
class Email:
    kind: str
    key: str
    to: str
    to_name: str | None
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


@lru_cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change under a running worker: no stat() per render
    )
    env.filters["date"] = long_date
    env.filters["datetime"] = long_datetime
    return env


@lru_cache(maxsize=64)
def _subject_template(kind: str):
    return _env().from_string(SUBJECTS[kind])


def unsubscribe_url(*, volunteer_id: int | None = None, email: str | None = None, settings: Settings | None = None) -> str:
    """A signed link that works without signing in (RFC 8058 one-click when POSTed)."""
    data: dict[str, Any] = {}
    if volunteer_id is not None:
        data["v"] = volunteer_id
    if email:
        data["e"] = email.strip().lower()
    token = tokens.sign(tokens.UNSUBSCRIBE_SALT, data)
    base = settings.base_url.rstrip("/") if settings is not None else links.base_url()
    return base + links.unsubscribe_page(token)


def render(kind: str, key: str, to: str, to_name: str | None, *, unsubscribe: str | None = None, **context: Any) -> Email:
    """Render a message from ``<kind>.txt`` and ``<kind>.html``; ``unsubscribe`` adds the
    ``List-Unsubscribe`` headers and the link in the footer."""
    env = _env()
    context.setdefault("base_url", links.base_url())
    context.setdefault("profile_url", links.absolute(links.PROFILE))
    context.setdefault("sign_in_url", links.absolute(links.SIGN_IN))
    context["unsubscribe_url"] = unsubscribe
    context["to_name"] = to_name
    subject = " ".join(_subject_template(kind).render(**context).split())
    text = env.get_template(f"{kind}.txt").render(**context)
    html = env.get_template(f"{kind}.html").render(subject=subject, **context)
    headers: dict[str, str] = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Email(kind=kind, key=key, to=to, to_name=to_name, subject=subject, text=text, html=html, headers=headers)


def _header(value: str) -> str:
    value = " ".join(value.replace("\r", " ").replace("\n", " ").split())
    if value.isascii():
        return value
    return Header(value, "utf-8").encode()


def _qp(text: str) -> bytes:
    data = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return data.replace(b"\n", b"\r\n")


def message_id(key: str, sender: str) -> str:
    return f"<{hashlib.sha1(key.encode()).hexdigest()}@{_sender_domain(sender)}>"


@lru_cache(maxsize=8)
def _sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "brokerage.invalid"


@lru_cache(maxsize=8)
def _from_header(sender: str) -> str:
    return _header(sender) if sender.isascii() else formataddr(parseaddr(sender), charset="utf-8")


def build_message(email: Email, sender: str) -> bytes:
    """The message as bytes: headers, then a multipart/alternative body (plain text, then HTML)."""
    boundary = "=_" + uuid.uuid4().hex
    to = formataddr((email.to_name, email.to), charset="utf-8") if email.to_name else email.to
    lines = [
        f"From: {_from_header(sender)}",
        f"To: {_header(to)}",
        f"Subject: {_header(email.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {message_id(email.key, sender)}",
        "MIME-Version: 1.0",
        f"X-Brokerage-Kind: {email.kind}",
    ]
    lines.extend(f"{name}: {_header(value)}" for name, value in email.headers.items())
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    part = "Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    return b"".join(
        (
            head,
            f"--{boundary}\r\n{part.format('plain')}".encode(),
            _qp(email.text),
            f"\r\n--{boundary}\r\n{part.format('html')}".encode(),
            _qp(email.html),
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )


class Mailer:
    """Sends built messages. One SMTP connection per thread, kept open between messages."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._local = threading.local()
        self.sender = self.settings.mail_from
        self.envelope_from = parseaddr(self.sender)[1]

    # -- files ---------------------------------------------------------------------------
    @property
    def outbox_dir(self) -> Path:
        return self.settings.var_dir / "outbox-mail"

    def _write_file(self, email: Email, data: bytes) -> None:
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{email.kind}-{hashlib.sha1(email.key.encode()).hexdigest()[:12]}.eml"
        tmp = self.outbox_dir / (name + ".tmp")
        tmp.write_bytes(data)
        tmp.rename(self.outbox_dir / name)

    # -- SMTP ----------------------------------------------------------------------------
    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if not s.smtp_host:
            raise MailError("No mail server is configured (BROKERAGE_SMTP_HOST).", permanent=True)
        if s.smtp_ssl:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=30, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
            if s.smtp_starttls:
                conn.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            conn.login(s.smtp_username, s.smtp_password or "")
        conn.ehlo_or_helo_if_needed()
        return conn

    def _connection(self) -> smtplib.SMTP:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _open(self) -> tuple[smtplib.SMTP, socket.socket]:
        """The connection a message is under way on and its socket (never a new one: that would
        take the message's lines as commands)."""
        conn: smtplib.SMTP | None = getattr(self._local, "conn", None)
        if conn is None or conn.sock is None:
            raise ConnectionError("the connection was closed")
        return conn, conn.sock

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # pragma: no cover - closing a broken socket
                pass

    def send(self, email: Email) -> None:
        """Send one message and wait for the server to accept it. Returns once the server has
        answered 250 (or the ``.eml`` file is written); raises ``MailError`` otherwise. Only after
        that may the caller record the message as sent: a server that loses its client before it
        has answered may drop the message (RFC 5321 makes it the server's only with the 250), so
        a record written earlier could stand for an email nobody received."""
        data = build_message(email, self.sender)
        if not self.settings.smtp_host:
            self._write_file(email, data)
            return
        body = wire_body(data)
        for attempt in (1, 2):
            self.envelope(email.to)
            try:
                self.write_body(body)
            except MailError:
                if attempt == 2:
                    raise
                continue  # the server drops a message cut short: start again on a fresh connection
            break
        self.finish()

    # The three steps of a send, for callers that interleave them with their own work
    # (``workers.notify.deliver_many`` keeps each email's record uncommitted until ``finish``).
    def envelope(self, to: str) -> None:
        """Open a message to ``to``: MAIL, RCPT and DATA, in one write when the server offers
        PIPELINING (RFC 2920). On return the server waits for the message. Raises ``MailError``;
        nothing of the message has been sent then."""
        commands = _envelope_commands(self.envelope_from, to)
        for attempt in (1, 2):
            try:
                conn = self._connection()
                if conn.has_extn("pipelining"):
                    conn.send(b"".join(commands))
                    replies = [conn.getreply() for _ in commands]
                else:
                    replies = []
                    for command, wanted in zip(commands, _ENVELOPE_OK):
                        conn.send(command)
                        replies.append(conn.getreply())
                        if replies[-1][0] not in wanted:
                            break
            except (smtplib.SMTPException, ConnectionError, socket.timeout, OSError) as exc:
                self._drop()  # a connection the server had closed since the last message: try a new one
                if attempt == 2:
                    raise MailError(f"Could not reach the mail server: {exc}") from exc
                continue
            self._judge_envelope(replies)
            return
        raise AssertionError("unreachable")  # pragma: no cover

    # An envelope written ahead: while the caller claims the message's record in the database, the
    # server is already answering MAIL, RCPT and DATA (``workers.notify.deliver_many``).
    def envelope_ahead(self, to: str) -> bool:
        """Write MAIL, RCPT and DATA for ``to`` without waiting for the replies, when the server offers
        PIPELINING, on the connection already open. True if written: then ``envelope_replies`` (to go on
        with the message) or ``cancel_envelope`` (not to) must come next. False (nothing written) otherwise."""
        try:
            commands = _envelope_commands(self.envelope_from, to)
        except MailError:
            return False  # said by ``envelope`` itself, in its turn
        conn: smtplib.SMTP | None = getattr(self._local, "conn", None)
        if conn is None or conn.sock is None or not conn.has_extn("pipelining"):
            return False  # (a new connection is opened by ``envelope``, in its turn)
        try:
            conn.send(b"".join(commands))
        except (smtplib.SMTPException, ConnectionError, socket.timeout, OSError):
            self._drop()  # closed since the last message: ``envelope`` opens another
            return False
        return True

    def envelope_replies(self, to: str) -> None:
        """After ``envelope_ahead(to)``: the replies, as ``envelope(to)`` would take them. A connection
        found closed meanwhile is replaced and the envelope sent again."""
        try:
            conn = self._connection()
            replies = [conn.getreply() for _ in range(3)]
        except (smtplib.SMTPException, ConnectionError, socket.timeout, OSError):
            self._drop()
            self.envelope(to)
            return
        self._judge_envelope(replies)

    def cancel_envelope(self) -> None:
        """After ``envelope_ahead``, when the message is not to be sent after all: a server waiting for
        it is hung up on (it discards a message that never ended), otherwise the envelope is reset."""
        try:
            replies = [self._connection().getreply() for _ in range(3)]
        except (smtplib.SMTPException, ConnectionError, socket.timeout, OSError):
            self._drop()
            return
        if replies[2][0] == 354:
            self._drop()
        else:
            self._reset()

    def _judge_envelope(self, replies: list[tuple[int, bytes]]) -> None:
        """Return if the server waits for the message; otherwise leave the connection clean and raise."""
        codes = [code for code, _ in replies]
        if len(codes) == 3 and codes[2] == 354:
            if codes[0] == 250 and codes[1] in (250, 251):
                return
            self._drop()  # the server is waiting for a message it should have refused: hang up
        else:
            self._reset()
        for (code, _), wanted, what in zip(replies, _ENVELOPE_OK, _ENVELOPE_REFUSALS):
            if code not in wanted:
                raise MailError(f"The mail server {what} ({code}).", permanent=code >= 500)
        raise MailError("The mail server gave an unexpected reply.")  # pragma: no cover

    def write_body(self, body: bytes) -> None:
        """Write a message (``wire_body``) after ``envelope``. Raises ``MailError``: the server
        discards a message cut short, so nothing was sent."""
        try:
            self._open()[1].sendall(body)
        except (smtplib.SMTPException, ConnectionError, socket.timeout, OSError) as exc:
            self._drop()
            raise MailError(f"Could not reach the mail server: {exc}") from exc

    def finish(self) -> None:
        """Read the server's reply to the message written last. Raises ``MailError`` if it was not
        accepted or the reply could not be read (then it may or may not have been accepted)."""
        try:
            code, _ = self._open()[0].getreply()
        except (smtplib.SMTPException, ConnectionError, socket.timeout, OSError) as exc:
            self._drop()
            raise MailError(f"Could not reach the mail server: {exc}") from exc
        if code != 250:
            raise MailError(f"The mail server did not accept the message ({code}).", permanent=code >= 500)

    def abandon(self) -> None:
        """Forget this thread's connection (its state is unknown, e.g. a reply is unread)."""
        self._drop()

    def _reset(self) -> None:
        try:
            self._connection().rset()
        except Exception:
            self._drop()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            try:
                conn.quit()
            except Exception:
                pass
            self._local.conn = None


_ENVELOPE_OK = ((250,), (250, 251), (354,))
_ENVELOPE_REFUSALS = ("refused the sender", "refused the address", "would not take the message")


def _envelope_commands(sender: str, to: str) -> tuple[bytes, bytes, bytes]:
    """MAIL FROM, RCPT TO and DATA as bytes. An address that cannot go in a command is refused."""
    return _command("MAIL FROM:", sender), _command("RCPT TO:", to), b"DATA\r\n"


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _command(verb: str, address: str) -> bytes:
    if _PLAIN_ADDRESS.fullmatch(address):  # the usual case, without parsing
        return f"{verb}<{address}>\r\n".encode("ascii")
    quoted = smtplib.quoteaddr(address)
    if "\r" in quoted or "\n" in quoted or not quoted.isascii():
        raise MailError("The address cannot be used in an email.", permanent=True)
    return f"{verb}{quoted}\r\n".encode("ascii")


def wire_body(data: bytes) -> bytes:
    """A built message as written after DATA: leading dots doubled, then the closing dot line."""
    body = _DOT_LINE.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


_mailer: Mailer | None = None
_mailer_lock = threading.Lock()


def get_mailer() -> Mailer:
    global _mailer
    with _mailer_lock:
        if _mailer is None:
            _mailer = Mailer()
        return _mailer


def reset_mailer() -> None:
    global _mailer
    with _mailer_lock:
        _mailer = None
