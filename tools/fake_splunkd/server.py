"""A small fake splunkd on 127.0.0.1 (plain HTTP) for tests: conf files, storage/passwords and the KV store,
answered in the formats splunklib 2.1.1 / solnlib 7.0.0 parse (Atom XML, or JSON with output_mode=json).

    with FakeSplunkd(app="TA-openai-audit") as sd:
        sd.set_conf("ta_openai_audit_settings", "logging", {"loglevel": "DEBUG"})
        sd.set_account("main", api_key="sk-admin-...")
        ConfManager(sd.session_key, sd.app, scheme="http", host="127.0.0.1", port=sd.port, realm=...)

``sd.fail_kvstore = True`` makes every storage/collections endpoint answer 503 (a heavy forwarder without
KV store). ``sd.env(splunk_home)`` gives the environment for a modular-input subprocess (see splunk_shim).
``sd.add_route(fn)`` adds REST paths: ``fn(method, base, owner, app, rest, query, form, session_key)`` returns a
reply or None; it runs outside the state lock, so it may call back into the fake (``admin_external.serve_app``).
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import SplitResult, parse_qs, unquote

from loopback_http import LoopbackService

from . import render as R
from .http_handler import Answer, StandInHandler

SHIM_DIR = Path(__file__).with_name("splunk_shim")
Reply = Tuple[int, str, bytes]
Route = Callable[[str, str, str, str, List[str], Dict[str, str], Dict[str, str], str], Optional[Reply]]


def _matches(name: str, content: Dict[str, Any], app: str, search: str) -> bool:
    """splunkd's `search=` filter, enough of it: `key=value` terms (incl. eai:acl.app, name) and bare words."""
    for term in search.split():
        if "=" in term:
            k, v = term.split("=", 1)
            v = v.replace("\\=", "=")
            have = name if k in ("name", "title") else app if k == "eai:acl.app" else content.get(k)
            if str(have) != v:
                return False
        elif term not in name:
            return False
    return True


class _State:
    def __init__(self, app: str) -> None:
        self.app = app
        self.confs: Dict[str, Dict[str, Tuple[str, Dict[str, str]]]] = {}
        self.passwords: Dict[str, Dict[str, str]] = {}
        self.collections: Dict[str, Dict[str, str]] = {}
        self.kvstore: Dict[str, Dict[str, Dict[str, Any]]] = {}
        self.fail_kvstore = False
        self.lock = threading.RLock()


class _Handler(StandInHandler):
    server_version = "Splunkd"
    fake: "FakeSplunkd"

    def answer(self, method: str, url: SplitResult, body: bytes) -> Answer:
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        form: Dict[str, str] = {}
        if body and "json" not in self.headers.get("Content-Type", ""):
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        params = {k: ("<redacted>" if "password" in k else v) for k, v in dict(query, **form).items()}
        self.fake.requests.append((method, url.path, params))
        status, ctype, out = self.fake._dispatch(method, url.path, query, form, body,
                                                 self.headers.get("Authorization", ""))
        # splunklib closes its connection before reading unless told keep-alive: say which one it is
        wants_close = self.headers.get("Connection", "").lower() == "close"
        return status, ctype, out, {"Connection": "close" if wants_close else "Keep-Alive"}


class FakeSplunkd(LoopbackService):
    def __init__(self, app: str = "TA-openai-audit", *, session_key: Optional[str] = None) -> None:
        super().__init__()
        self.app = app
        self.session_key = session_key or secrets.token_hex(16)
        self.state = _State(app)
        self.requests: List[Tuple[str, str, Dict[str, str]]] = []
        self.routes: List[Route] = []
        self.set_conf("server", "sslConfig", {"enableSplunkdSSL": "false"}, app="system")
        self.set_conf("server", "general", {"serverName": "fake-splunkd"}, app="system")

    _label = "fake splunkd"

    def _make_handler(self) -> type:
        return type("Handler", (_Handler,), {"fake": self})

    def _on_started(self) -> None:
        self.set_conf("web", "settings", {"mgmtHostPort": "127.0.0.1:%d" % self.port}, app="system")

    @property
    def uri(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    # test helpers ----------------------------------------------------------------------------------------
    @property
    def kvstore(self) -> Dict[str, Dict[str, Dict[str, Any]]]:
        """collection -> _key -> record (live view)."""
        return self.state.kvstore

    @property
    def fail_kvstore(self) -> bool:
        return self.state.fail_kvstore

    @fail_kvstore.setter
    def fail_kvstore(self, value: bool) -> None:
        self.state.fail_kvstore = bool(value)

    def add_route(self, route: Route) -> None:
        self.routes.append(route)

    def set_conf(self, conf: str, stanza: str, values: Dict[str, Any], *, app: Optional[str] = None) -> None:
        with self.state.lock:
            stanzas = self.state.confs.setdefault(conf, {})
            old = stanzas.get(stanza, (app or self.app, {}))[1]
            stanzas[stanza] = (app or self.app, dict(old, **{k: str(v) for k, v in values.items()}))

    def get_conf(self, conf: str, stanza: str) -> Dict[str, str]:
        with self.state.lock:
            return dict(self.state.confs[conf][stanza][1])

    def create_collection(self, name: str) -> None:
        """A KV-store collection as collections.conf creates it at install (empty)."""
        with self.state.lock:
            self.state.collections.setdefault(name, {})
            self.state.kvstore.setdefault(name, {})

    def set_password(self, realm: str, user: str, clear: str) -> None:
        """Store a credential the way splunkd lists it (solnlib reads single-entry credentials as they are)."""
        with self.state.lock:
            self.state.passwords["%s:%s:" % (realm, user)] = {"realm": realm, "username": user,
                                                              "clear_password": clear}

    def account_realm(self, conf: str = "ta_openai_audit_account") -> str:
        return "__REST_CREDENTIAL__#%s#configs/conf-%s" % (self.app, conf)

    def set_account(self, name: str, *, encrypted: Dict[str, str], conf: str = "ta_openai_audit_account",
                    **fields: str) -> None:
        """A UCC account stanza: encrypted fields show as ``******`` and live in storage/passwords as JSON."""
        self.set_conf(conf, name, dict(fields, **{k: "******" for k in encrypted}))
        self.set_password(self.account_realm(conf), name, json.dumps(encrypted))

    def env(self, splunk_home: str) -> Dict[str, str]:
        """Environment for a modular-input subprocess: SPLUNK_HOME (var/log/splunk and var/lib/splunk/modinputs
        are created), SPLUNKD_URI and the `splunk` shim on PYTHONPATH, so solnlib's Splunk-only helpers
        (get_log_level, get_proxy_dict, ConfManager without host/port, solnlib.log files) work."""
        for sub in (("var", "log", "splunk"), ("var", "lib", "splunk", "modinputs")):
            os.makedirs(os.path.join(splunk_home, *sub), exist_ok=True)
        env = dict(os.environ)
        env["SPLUNK_HOME"] = splunk_home
        env["SPLUNKD_URI"] = self.uri
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SHIM_DIR), env.get("PYTHONPATH", "")) if p)
        return env

    def modinput_xml(self, stanza_name: str, params: Dict[str, Any], checkpoint_dir: str, *,
                     server_host: str = "fake-splunkd") -> str:
        from .modinput import modinput_xml
        return modinput_xml(stanza_name, params, checkpoint_dir, server_uri=self.uri,
                            session_key=self.session_key, app=self.app, server_host=server_host)

    # dispatch --------------------------------------------------------------------------------------------
    def _dispatch(self, method: str, path: str, query: Dict[str, str], form: Dict[str, str], raw: bytes,
                  auth: str) -> Reply:
        mode = query.get("output_mode")
        segs = [unquote(s) for s in path.strip("/").split("/")]
        if segs[:1] == ["servicesNS"] and len(segs) >= 3:
            owner, app, rest = segs[1], segs[2], segs[3:]
        elif segs[:1] == ["services"]:
            owner, app, rest = "nobody", self.app, segs[1:]
        else:
            return self._err(404, "Not Found", mode)
        if auth not in ("Splunk " + self.session_key, "Bearer " + self.session_key):
            return self._err(401, "call not properly authenticated", mode)
        base = "/" + "/".join(segs[: len(segs) - len(rest)])
        for route in self.routes:
            reply = route(method, base, owner, app if app != "-" else self.app, rest, query, form, self.session_key)
            if reply is not None:
                return reply
        with self.state.lock:
            try:
                return self._route(method, base, owner, app if app != "-" else self.app, rest, query, form, raw, mode)
            except KeyError as exc:
                return self._err(404, "Could not find object id=%s" % exc.args[0], mode)

    def _err(self, status: int, text: str, mode: Optional[str]) -> Reply:
        ctype, body = R.messages(text, mode)
        return status, ctype, body

    def _route(self, method: str, base: str, owner: str, app: str, rest: List[str], query: Dict[str, str],
               form: Dict[str, str], raw: bytes, mode: Optional[str]) -> Reply:
        head = rest[0] if rest else ""
        if head == "properties":
            return self._properties(method, base, rest[1:], form, mode)
        if head == "configs" and len(rest) >= 2 and rest[1].startswith("conf-"):
            return self._configs(method, base, rest[1][5:], rest[2:], query, form, mode)
        if rest[:2] == ["storage", "passwords"]:
            return self._passwords(method, base, app, rest[2:], query, form, mode)
        if rest[:2] == ["storage", "collections"]:
            if self.state.fail_kvstore:
                return self._err(503, "KV Store is disabled. Enable it to use this endpoint.", mode)
            if rest[2:3] == ["config"]:
                return self._collections(method, base, app, rest[3:], query, form, mode)
            if rest[2:3] == ["data"] and len(rest) >= 4:
                return self._kvdata(method, rest[3], rest[4:], query, raw)
        if rest == ["server", "info"]:
            ctype, body = R.feed("server-info", base, [("server-info", {"version": "9.4.0", "serverName":
                                 "fake-splunkd"}, R.acl("system", "nobody", "system"), base + "/server/info")], mode)
            return 200, ctype, body
        return self._err(404, "Not Found", mode)

    # conf files ------------------------------------------------------------------------------------------
    def _conf_entries(self, base: str, conf: str, names: List[str]) -> List[R.Entry]:
        stanzas = self.state.confs[conf]
        out = []
        for name in names:
            app, values = stanzas[name]
            content = {"disabled": "0", "eai:appName": app, "eai:userName": "nobody"}
            content.update(values)
            out.append((name, content, R.acl(app), R.link(base, "configs", "conf-" + conf, name)))
        return out

    def _properties(self, method: str, base: str, rest: List[str], form: Dict[str, str], mode: Optional[str]) -> Reply:
        if method == "POST" and not rest:
            created = form["__conf"] not in self.state.confs
            self.state.confs.setdefault(form["__conf"], {})
            return (201 if created else 303), *R.feed("properties", base, [], mode)
        if method == "GET" and rest:
            if rest[0] not in self.state.confs:
                return self._err(404, "Not Found", mode)
            entries = [(n, {}, R.acl(a), R.link(base, "properties", rest[0], n))
                       for n, (a, _v) in self.state.confs[rest[0]].items()]
            return (200, *R.feed(rest[0], base, entries, mode))
        return self._err(404, "Not Found", mode)

    def _configs(self, method: str, base: str, conf: str, rest: List[str], query: Dict[str, str],
                 form: Dict[str, str], mode: Optional[str]) -> Reply:
        stanzas = self.state.confs.setdefault(conf, {})
        title = "conf-" + conf
        if not rest:
            if method == "POST":
                name = form.pop("name")
                if name in stanzas:
                    return self._err(409, "An object with name=%s already exists" % name, mode)
                stanzas[name] = (self.app, {k: v for k, v in form.items() if k != "output_mode"})
                return (201, *R.feed(title, base, self._conf_entries(base, conf, [name]), mode))
            search = query.get("search", "")
            names = [n for n, (a, v) in stanzas.items() if _matches(n, v, a, search)]
            return (200, *R.feed(title, base, self._conf_entries(base, conf, names), mode))
        name = "/".join(rest)
        if name == "_reload":
            return (200, *R.feed(title, base, [], mode))
        if name not in stanzas:
            return self._err(404, "Could not find object id=%s" % name, mode)
        if method == "POST":
            app, values = stanzas[name]
            values.update({k: v for k, v in form.items() if k != "output_mode"})
        elif method == "DELETE":
            del stanzas[name]
            return (200, *R.feed(title, base, self._conf_entries(base, conf, list(stanzas)), mode))
        return (200, *R.feed(title, base, self._conf_entries(base, conf, [name]), mode))

    # storage/passwords -----------------------------------------------------------------------------------
    def _password_entries(self, base: str, app: str, names: List[str]) -> List[R.Entry]:
        out = []
        for name in names:
            p = self.state.passwords[name]
            content = dict(p, password="********", encr_password="$7$" + uuid.uuid5(uuid.NAMESPACE_OID, name).hex)
            out.append((name, content, R.acl(app), R.link(base, "storage", "passwords", name)))
        return out

    def _passwords(self, method: str, base: str, app: str, rest: List[str], query: Dict[str, str],
                   form: Dict[str, str], mode: Optional[str]) -> Reply:
        pw = self.state.passwords
        if not rest:
            if method == "POST":
                realm, user = form.get("realm", ""), form["name"]
                name = "%s:%s:" % (realm, user)
                if name in pw:
                    return self._err(409, "An object with name=%s already exists" % name, mode)
                pw[name] = {"realm": realm, "username": user, "clear_password": form["password"]}
                return (201, *R.feed("passwords", base, self._password_entries(base, app, [name]), mode))
            search = query.get("search", "")
            names = [n for n, p in pw.items() if _matches(n, p, app, search)]
            return (200, *R.feed("passwords", base, self._password_entries(base, app, names), mode))
        name = "/".join(rest)  # credential names contain the realm's "/" (splunklib sends it unescaped)
        if name not in pw:
            return self._err(404, "Could not find object id=%s" % name, mode)
        if method == "DELETE":
            del pw[name]
            return (200, *R.feed("passwords", base, [], mode))
        if method == "POST" and "password" in form:
            pw[name]["clear_password"] = form["password"]
        return (200, *R.feed("passwords", base, self._password_entries(base, app, [name]), mode))

    # KV store --------------------------------------------------------------------------------------------
    def _collection_entries(self, base: str, app: str, names: List[str]) -> List[R.Entry]:
        return [(n, dict(self.state.collections[n]), R.acl(app),
                 R.link(base, "storage", "collections", "config", n)) for n in names]

    def _collections(self, method: str, base: str, app: str, rest: List[str], query: Dict[str, str],
                     form: Dict[str, str], mode: Optional[str]) -> Reply:
        cols = self.state.collections
        if not rest:
            if method == "POST":
                name = form.pop("name")
                if name in cols:
                    return self._err(409, "An object with name=%s already exists" % name, mode)
                cols[name] = {k: v for k, v in form.items() if k != "output_mode"}
                self.state.kvstore.setdefault(name, {})
                return (201, *R.feed("collections-conf", base, self._collection_entries(base, app, [name]), mode))
            search = query.get("search", "")
            names = [n for n, c in cols.items() if _matches(n, c, app, search)]
            return (200, *R.feed("collections-conf", base, self._collection_entries(base, app, names), mode))
        name = rest[0]
        if name not in cols:
            return self._err(404, "Could not find object id=%s" % name, mode)
        if method == "DELETE":
            del cols[name]
            self.state.kvstore.pop(name, None)
            return (200, *R.feed("collections-conf", base, [], mode))
        if method == "POST":
            cols[name].update({k: v for k, v in form.items() if k != "output_mode"})
        return (200, *R.feed("collections-conf", base, self._collection_entries(base, app, [name]), mode))

    def _kvdata(self, method: str, coll: str, rest: List[str], query: Dict[str, str], raw: bytes) -> Reply:
        if coll not in self.state.collections:
            return self._json(404, {"messages": [{"type": "ERROR", "text": "Collection %s does not exist" % coll}]})
        data = self.state.kvstore.setdefault(coll, {})
        if rest == ["batch_save"] and method == "POST":
            docs = json.loads(raw or b"[]")
            return self._json(200, [self._save(data, d) for d in docs])
        if rest == ["batch_find"] and method == "POST":
            return self._json(200, [list(data.values()) for _ in json.loads(raw or b"[]")])
        if not rest:
            if method == "GET":  # query= (equality on fields), skip=, limit= (0 = no limit), as the KV store
                flt = json.loads(query.get("query") or "{}")
                rows = [d for d in data.values() if all(d.get(k) == v for k, v in flt.items())]
                skip, limit = int(query.get("skip") or 0), int(query.get("limit") or 0)
                return self._json(200, rows[skip:skip + limit] if limit else rows[skip:])
            if method == "POST":
                return self._json(201, {"_key": self._save(data, json.loads(raw))})
            if method == "DELETE":
                data.clear()
                return 200, "application/json", b""
        key = rest[0]
        if key not in data:
            return self._json(404, {"messages": [{"type": "ERROR", "text": "Could not find object."}]})
        if method == "DELETE":
            del data[key]
            return 200, "application/json", b""
        if method == "POST":
            return self._json(200, {"_key": self._save(data, dict(json.loads(raw), _key=key))})
        return self._json(200, data[key])

    @staticmethod
    def _save(data: Dict[str, Dict[str, Any]], doc: Dict[str, Any]) -> str:
        key = str(doc.get("_key") or uuid.uuid4().hex[:24])
        data[key] = dict(doc, _key=key, _user="nobody")
        return key

    @staticmethod
    def _json(status: int, body: Any) -> Reply:
        return status, "application/json; charset=UTF-8", json.dumps(body).encode("utf-8")
