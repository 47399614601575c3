"""Render splunkd REST answers the way splunklib/solnlib parse them: Atom XML feeds (default) or JSON
(``output_mode=json``), plus splunkd's ``<response><messages>`` errors."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

UPDATED = "2026-01-01T00:00:00+00:00"

# (name, content, acl, alternate link)
Entry = Tuple[str, Dict[str, Any], Dict[str, Any], str]


def acl(app: str, owner: str = "nobody", sharing: str = "app") -> Dict[str, Any]:
    return {"app": app, "owner": owner, "sharing": sharing, "modifiable": "1", "removable": "1",
            "can_write": "1", "can_list": "1", "can_share_app": "1", "can_share_global": "1",
            "can_share_user": "0", "perms": {"read": ["*"], "write": ["admin"]}}


def link(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/")] + [quote(p, safe="") for p in parts])


def _xml_value(value: Any) -> str:
    if isinstance(value, dict):
        keys = "".join('<s:key name=%s>%s</s:key>' % (quoteattr(k), _xml_value(v)) for k, v in value.items())
        return "<s:dict>%s</s:dict>" % keys
    if isinstance(value, (list, tuple)):
        return "<s:list>%s</s:list>" % "".join("<s:item>%s</s:item>" % _xml_value(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "1" if value else "0"
    return escape(str(value))


def atom_feed(title: str, base_url: str, entries: List[Entry]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:s="http://dev.splunk.com/ns/rest" '
             'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">',
             "<title>%s</title><id>%s</id><updated>%s</updated>" % (escape(title), escape(base_url), UPDATED),
             "<opensearch:totalResults>%d</opensearch:totalResults>" % len(entries),
             "<opensearch:itemsPerPage>%d</opensearch:itemsPerPage>" % len(entries),
             "<opensearch:startIndex>0</opensearch:startIndex>"]
    for name, content, entry_acl, alternate in entries:
        body = dict(content)
        body["eai:acl"] = entry_acl
        parts.append(
            "<entry><title>%s</title><id>%s</id><updated>%s</updated>"
            '<link href=%s rel="alternate"/><author><name>%s</name></author>'
            '<link href=%s rel="list"/><link href=%s rel="edit"/><link href=%s rel="remove"/>'
            '<content type="text/xml">%s</content></entry>' % (
                escape(name), escape(alternate), UPDATED, quoteattr(alternate), escape(entry_acl["owner"]),
                quoteattr(alternate), quoteattr(alternate), quoteattr(alternate), _xml_value(body)))
    parts.append("</feed>")
    return "".join(parts).encode("utf-8")


def json_feed(base_url: str, entries: List[Entry]) -> bytes:
    return json.dumps({
        "links": {"create": base_url + "/_new"}, "origin": base_url, "updated": UPDATED, "generator": {},
        "entry": [{"name": n, "id": alt, "updated": UPDATED, "links": {"alternate": alt}, "author": a["owner"],
                   "acl": a, "content": c} for n, c, a, alt in entries],
        "paging": {"total": len(entries), "perPage": len(entries), "offset": 0}, "messages": [],
    }).encode("utf-8")


def feed(title: str, base_url: str, entries: List[Entry], output_mode: Optional[str]) -> Tuple[str, bytes]:
    if output_mode == "json":
        return "application/json; charset=UTF-8", json_feed(base_url, entries)
    return "text/xml; charset=UTF-8", atom_feed(title, base_url, entries)


def messages(text: str, output_mode: Optional[str]) -> Tuple[str, bytes]:
    if output_mode == "json":
        return "application/json; charset=UTF-8", json.dumps({"messages": [{"type": "ERROR", "text": text}]}).encode()
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  <messages>\n    <msg type="ERROR">%s</msg>\n'
            "  </messages>\n</response>\n" % escape(text))
    return "text/xml; charset=UTF-8", body.encode("utf-8")
