"""E-mails from suppliers and carriers (``.eml``, RFC 5322 / MIME): read with the standard
library's ``email`` package, typeset with Typst.

:func:`read_mail` gives the header fields (From, To, Cc, Date, Subject, Message-ID, decoded
from RFC 2047), the text body (the text/plain part; else the text of the HTML part, read
with lxml — scripts and styles dropped, nothing fetched), and the attachments (name,
type, size, SHA-256). :func:`attachment_bytes` returns one attachment, so that an exhibit
can be an attachment of an e-mail (``attachment:`` in the case): it is then read, bundled
and uploaded as a file of its own type.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from poaforge.errors import EvidenceError, Problem

__all__ = ["Mail", "read_mail", "attachment_bytes", "mail_pages", "HEADERS"]

HEADERS = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("date", "Date"), ("subject", "Subject"),
           ("message_id", "Message-ID"))


@dataclass
class Mail:
    """What an e-mail shows: header fields, body lines, attachments."""

    fields: dict[str, str]
    body: str
    from_html: bool
    attachments: list[dict[str, Any]] = field(default_factory=list)


def _fail(where: str, message: str, hint: str) -> EvidenceError:
    return EvidenceError(Problem(file=where, message=message, hint=hint))


def _parse(data: bytes, where: str) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(msg, EmailMessage) or not (msg.get("From") or msg.get("Subject") or msg.get("Date")):
        raise _fail(where, "is not an e-mail (no From, Date or Subject header)",
                    "save the message from the mail program as .eml (File → Save as), or print it to PDF")
    return msg


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except (ValueError, IndexError, TypeError):  # a malformed header: show it undecoded
        raw = msg.get_all(name, failobj=[""])
        return " ".join(str(raw[0]).split())


def _html_text(html: str) -> str:
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html)
    except Exception:  # lxml's ParserError for empty or broken HTML
        return ""
    for bad in doc.xpath("//script|//style|//head"):
        bad.drop_tree()
    for br in doc.xpath("//br"):
        br.tail = "\n" + (br.tail or "")
    for block in doc.xpath("//p|//div|//tr|//li|//h1|//h2|//h3|//h4|//table"):
        block.tail = "\n" + (block.tail or "")
    lines = [" ".join(line.split()) for line in doc.text_content().split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _content(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError, UnicodeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


def read_mail(data: bytes, where: str) -> Mail:
    """Header fields, body and attachments of one e-mail."""
    msg = _parse(data, where)
    fields = {key: _header(msg, name) for key, name in HEADERS}
    body, from_html = "", False
    part = msg.get_body(preferencelist=("plain",))
    if part is not None:
        body = _content(part)
    else:
        html = msg.get_body(preferencelist=("html",))
        if html is not None:
            body, from_html = _html_text(_content(html)), True
    attachments = []
    for n, att in enumerate(msg.iter_attachments(), 1):
        payload = att.get_payload(decode=True) or b""
        raw = payload if isinstance(payload, bytes) else b""
        attachments.append({"name": att.get_filename() or f"attachment-{n}", "type": att.get_content_type(),
                            "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()})
    return Mail(fields=fields, body=body.strip(), from_html=from_html, attachments=attachments)


def attachment_bytes(data: bytes, name: str, where: str) -> bytes:
    """The attachment called ``name`` of an e-mail; EvidenceError listing the names when absent."""
    msg = _parse(data, where)
    names = []
    for n, att in enumerate(msg.iter_attachments(), 1):
        found = att.get_filename() or f"attachment-{n}"
        names.append(found)
        if found == name:
            payload = att.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else b""
    listed = ", ".join(f"'{n}'" for n in names) or "none"
    raise _fail(where, f"has no attachment named '{name}' (its attachments: {listed})",
                "write the attachment's name exactly as the e-mail lists it")


def _size(n: int) -> str:
    return f"{n:,} B" if n < 10_000 else f"{n / 1000:,.0f} kB" if n < 10_000_000 else f"{n / 1e6:,.1f} MB"


def mail_pages(case: dict[str, Any], exhibit: dict[str, Any], mail: Mail, sha: str) -> tuple[bytes, int]:
    """The e-mail as PDF pages: header fields, the text body, and its attachments, each marked
    with the exhibit that cites it (an exhibit whose ``attachment`` is that file)."""
    from poaforge.evidence.render import page_inputs, split_lines, labels, typeset

    lab = labels(str(case.get("language", "en")))
    cited = {str(e.get("attachment")): e.get("number") for e in case.get("exhibits", [])
             if e.get("file") == exhibit["file"] and e.get("attachment")}
    data = {**page_inputs(case, exhibit, f"e-mail, {len(mail.attachments)} attachment(s)", sha),
            "fields": [[lab[key], value] for key, _ in HEADERS if (value := mail.fields.get(key))],
            "body_title": lab["body"], "body_note": lab["html_body"] if mail.from_html else "",
            "body": split_lines(mail.body) if mail.body else [lab["no_body"]],
            "attachments_title": lab["attachments"], "none_text": lab["no_attachments"],
            "columns": [lab["name"], lab["type"], lab["size"], ""],
            "attachments": [{"name": a["name"], "type": a["type"], "size": _size(a["size"]),
                             "cited": lab["cited"].format(number=cited[a["name"]]) if a["name"] in cited else ""}
                            for a in mail.attachments]}
    return typeset("email.typ", data)
