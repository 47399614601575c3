"""splunkd REST for the add-on's own processes (modular inputs, REST handlers): conf stanzas with their encrypted
fields decrypted, and KV store collections.

Over ``splunklib.binding`` and ``splunklib.data`` only. The requests are the ones solnlib's ConfManager,
CredentialManager and KVStoreCheckpointer send through ``splunklib.client`` (same paths, parameters, Atom and JSON
bodies, same storage/passwords layout), minus their redundant round trips, and without importing
``splunklib.client``, solnlib's REST client or urllib3 (what that saves a modular input run: README, "Collector
benchmark").

No retries: splunkd is local, a failed call surfaces as the caller's error for this run (the checkpoint store then
keeps its file copy; a configuration read reports a configuration error and the next run tries again). Every call
is bounded by ``TIMEOUT`` (splunklib's own handler has none)."""
from __future__ import annotations

import functools
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional
from urllib.parse import urlsplit

from splunklib import binding, data

from oai_audit import ADDON_NAME
from oai_audit.errors import ConfigError

TIMEOUT = 60.0  # seconds per splunkd request
ENCRYPTED = "******"  # what a UCC conf stanza shows in place of an encrypted field (solnlib ConfFile.ENCRYPTED_TOKEN)
# solnlib CredentialManager: a clear password longer than 255 characters is stored in parts
# "<user>``splunk_cred_sep``<n>", the last part followed by one holding END_MARK.
CRED_SEP = "``splunk_cred_sep``"
END_MARK = CRED_SEP + CRED_SEP.join("SPLUNK") + CRED_SEP
_PART = re.compile(r"(.+)" + re.escape(CRED_SEP) + r"(\d+)")
JSON_HEADERS = [("Content-Type", "application/json")]
SAVE_BATCH = 1000  # documents per batch_save (the KV store's default max_documents_per_batch_save)
QUERY_PAGE = 10000  # documents per query request (below the default max_rows_per_query of 50000)

Stanzas = Dict[str, Dict[str, Any]]


def credential_realm(conf: str, app: str = ADDON_NAME) -> str:
    """The storage/passwords realm of a UCC conf file's encrypted fields (one JSON object per stanza)."""
    return f"__REST_CREDENTIAL__#{app}#configs/conf-{conf}"


def atom_entries(body: bytes) -> List[Mapping[str, Any]]:
    """The entries of a splunkd Atom feed, as splunklib.client reads them (one entry may come unwrapped)."""
    doc = data.load(body.decode("utf-8"))
    feed = doc.get("feed", doc)
    if feed.get("totalResults") in (0, "0"):
        return []
    entries = feed.get("entry") or []
    return entries if isinstance(entries, list) else [entries]


def stanza_fields(entry: Mapping[str, Any]) -> Dict[str, Any]:
    """A conf entry's key/value content as splunklib.client gives it: without its ACL and attribute metadata, and
    without the ``type="text/xml"`` attribute of the Atom <content> element, which splunklib.data reads as a key
    (a stanza's own ``type`` key then comes as a list with it)."""
    content = entry.get("content") or {}
    fields = {k: v for k, v in content.items() if k not in ("eai:acl", "eai:attributes", "type")}
    kind = content.get("type")
    if isinstance(kind, list):
        kept = [t for t in kind if t != "text/xml"]
        if kept:
            fields["type"] = kept[0] if len(kept) == 1 else kept
    return fields


def clear_passwords(entries: Iterable[Mapping[str, Any]]) -> Dict[str, str]:
    """username -> clear password of storage/passwords entries, parts joined (solnlib CredentialManager)."""
    parts: Dict[str, Dict[int, str]] = {}
    whole: Dict[str, str] = {}
    for entry in entries:
        content = entry.get("content") or {}
        user, clear = str(content.get("username") or ""), str(content.get("clear_password") or "")
        match = _PART.match(user)
        if match:
            parts.setdefault(match.group(1), {})[int(match.group(2))] = clear
        else:
            whole[user] = clear
    for user, chunks in parts.items():
        text = []
        for index in sorted(chunks):
            if chunks[index] == END_MARK:
                break
            text.append(chunks[index])
        whole[user] = "".join(text)
    return whole


def decrypt(conf: str, stanzas: Stanzas, passwords: Mapping[str, str]) -> Stanzas:
    """Stanzas with each ``******`` field replaced by its value from the stanza's JSON credential; ConfigError
    when the credential or the field is missing (a clear message, never the other fields' values)."""
    out: Stanzas = {}
    for name, fields in stanzas.items():
        hidden = [k for k, v in fields.items() if v == ENCRYPTED]
        if hidden:
            try:
                clear = json.loads(passwords[name])
                fields = {**fields, **{k: clear[k] for k in hidden}}
            except (KeyError, TypeError, ValueError):
                raise ConfigError(f"the encrypted fields of stanza '{name}' in {conf}.conf could not be read from "
                                  "storage/passwords; save the stanza again") from None
        out[name] = fields
    return out


def splunkd_parts(server_uri: str) -> Dict[str, Any]:
    """scheme/host/port keyword arguments of binding.Context from a splunkd URI."""
    parts = urlsplit(server_uri)
    return {k: v for k, v in (("scheme", parts.scheme), ("host", parts.hostname), ("port", parts.port)) if v}


@functools.lru_cache(maxsize=1)
def local_splunkd_uri(session_key: str) -> str:
    """The local splunkd's URI, found the way solnlib finds it (SPLUNKD_URI, else server.conf and web.conf read
    through splunkd); once per session key, however many confs a REST handler call reads."""
    from solnlib.splunkenv import get_splunkd_uri  # only outside a modular input (REST handlers)

    return get_splunkd_uri(session_key)


class Splunkd:
    """The app's namespace on splunkd (owner nobody), with the caller's session key. ``server_uri`` None:
    the local splunkd (``local_splunkd_uri``)."""

    def __init__(self, session_key: str, server_uri: Optional[str], app: str = ADDON_NAME) -> None:
        if not server_uri:
            server_uri = local_splunkd_uri(session_key)
        self.app = app
        self.context = binding.Context(handler=binding.handler(timeout=TIMEOUT), token=session_key, owner="nobody",
                                       app=app, **splunkd_parts(server_uri))

    def conf(self, conf: str) -> Stanzas:
        """Every stanza of one of the app's conf files, encrypted fields decrypted; {} if there is no such file.
        One request, plus one storage/passwords request when a stanza has encrypted fields."""
        try:
            body = self.context.get(f"configs/conf-{conf}/", count=-1, offset=0,
                                    search=f"eai:acl.app={self.app}").body.read()
        except binding.HTTPError as exc:
            if exc.status == 404:
                return {}
            raise
        stanzas = {str(e.get("title")): stanza_fields(e) for e in atom_entries(body)}
        if any(ENCRYPTED in fields.values() for fields in stanzas.values()):
            return decrypt(conf, stanzas, self.passwords(credential_realm(conf, self.app)))
        return stanzas

    def passwords(self, realm: str) -> Dict[str, str]:
        body = self.context.get("storage/passwords", count=-1, offset=0, search=f"realm={realm}").body.read()
        return clear_passwords(e for e in atom_entries(body) if (e.get("content") or {}).get("realm") == realm)

    def collection(self, name: str) -> KVCollection:
        return KVCollection(self.context, name)


class KVCollection:
    """One KV store collection of the app: documents by ``_key``, the requests splunklib.client's
    KVStoreCollectionData sends."""

    def __init__(self, context: binding.Context, name: str) -> None:
        self.context = context
        self.name = name
        self.path = "storage/collections/data/" + binding.UrlEncoded(name, encode_slash=True) + "/"

    def _key(self, key: str) -> str:
        return self.path + binding.UrlEncoded(str(key), encode_slash=True)

    def ensure(self, fields: Mapping[str, str]) -> None:
        """Create the collection if splunkd does not have it (HTTPError/OSError: the KV store is not usable)."""
        try:
            self.context.get("storage/collections/config/" + binding.UrlEncoded(self.name, encode_slash=True))
        except binding.HTTPError as exc:
            if exc.status != 404:
                raise
            self.context.post("storage/collections/config/", name=self.name,
                              **{f"field.{k}": v for k, v in fields.items()})

    def get(self, key: str) -> Optional[Dict[str, Any]]:
        """The document, or None if there is none."""
        try:
            body = self.context.get(self._key(key)).body.read()
        except binding.HTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return json.loads(body.decode("utf-8"))

    def delete(self, key: str) -> None:
        try:
            self.context.delete(self._key(key))
        except binding.HTTPError as exc:
            if exc.status != 404:
                raise

    def query(self, flt: Mapping[str, Any]) -> List[Dict[str, Any]]:
        """Every document matching ``flt``, read in pages of QUERY_PAGE."""
        out: List[Dict[str, Any]] = []
        while True:
            body = self.context.get(self.path, query=json.dumps(dict(flt)), limit=QUERY_PAGE, skip=len(out)).body.read()
            rows = json.loads(body.decode("utf-8"))
            out.extend(rows)
            if len(rows) < QUERY_PAGE:
                return out

    def batch_save(self, documents: List[Mapping[str, Any]]) -> None:
        """Insert or replace the documents (by ``_key``), SAVE_BATCH per request."""
        for i in range(0, len(documents), SAVE_BATCH):
            self.context.post(self.path + "batch_save", headers=JSON_HEADERS,
                              body=json.dumps(documents[i:i + SAVE_BATCH]))
