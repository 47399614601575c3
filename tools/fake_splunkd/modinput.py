"""The XML configuration splunkd writes to a modular input's stdin."""
from __future__ import annotations

from typing import Any, Dict
from xml.sax.saxutils import escape, quoteattr


def modinput_xml(stanza_name: str, params: Dict[str, Any], checkpoint_dir: str, *, server_uri: str,
                 session_key: str, app: str = "TA-openai-audit", server_host: str = "fake-splunkd") -> str:
    """``stanza_name`` is the full input name, e.g. ``openai_audit://prod``."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<input>",
             "  <server_host>%s</server_host>" % escape(server_host),
             "  <server_uri>%s</server_uri>" % escape(server_uri),
             "  <session_key>%s</session_key>" % escape(session_key),
             "  <checkpoint_dir>%s</checkpoint_dir>" % escape(checkpoint_dir),
             "  <configuration>",
             "    <stanza name=%s app=%s>" % (quoteattr(stanza_name), quoteattr(app))]
    for name, value in params.items():
        lines.append("      <param name=%s>%s</param>" % (quoteattr(name), escape(str(value))))
    lines += ["    </stanza>", "  </configuration>", "</input>", ""]
    return "\n".join(lines)


def validation_xml(name: str, params: Dict[str, Any], *, server_uri: str, session_key: str,
                   checkpoint_dir: str, server_host: str = "fake-splunkd") -> str:
    """The XML splunkd writes to ``<script> --validate-arguments`` for a new or edited input ``name``."""
    lines = ["<items>", "  <server_host>%s</server_host>" % escape(server_host),
             "  <server_uri>%s</server_uri>" % escape(server_uri),
             "  <session_key>%s</session_key>" % escape(session_key),
             "  <checkpoint_dir>%s</checkpoint_dir>" % escape(checkpoint_dir),
             "  <item name=%s>" % quoteattr(name)]
    lines += ["    <param name=%s>%s</param>" % (quoteattr(k), escape(str(v))) for k, v in params.items()]
    lines += ["  </item>", "</items>", ""]
    return "\n".join(lines)
