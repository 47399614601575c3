"""splunkd's side of an app's python REST handlers and modular-input external validation, for the fake splunkd.

``serve_app(sd, app_dir)`` makes the fake splunkd answer what the built app declares:
- every ``[admin_external:<endpoint>]`` of ``default/restmap.conf`` at ``servicesNS/<owner>/<app>/<endpoint>``:
  the handler file runs as splunkd runs a persistent handler (one process per handler, started on first use,
  ``<handlerfile> persistent``, speaking the JSON-lines protocol of ``splunk_shim/splunk/admin.py``);
  GET lists (``/<name>``: one), POST creates (``name`` in the body) or edits ``/<name>``, DELETE removes;
  the reply is rendered in splunkd's JSON/Atom shape, errors as splunkd words them;
- ``data/inputs/<scheme>`` for every ``[<scheme>://...]``-style scheme the app ships a script for: stanzas live in
  the fake's ``inputs`` conf as ``<scheme>://<name>``; create and edit first run ``bin/<scheme>.py
  --validate-arguments`` with the XML splunkd writes (``modinput.validation_xml``) and refuse with the script's
  ``<error><message>``, as splunkd does for ``use_external_validation`` schemes.
The app is installed as ``<work>/splunk_home/etc/apps/<app>`` (a symlink: splunktaucclib finds its app name in
that path). Handler processes get ``SPLUNKD_URI`` of the fake splunkd and the ``splunk`` shim, so the handler code
talks to the fake's conf and password stores through splunklib/solnlib like it talks to splunkd.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from splsim.conf import read_conf

from . import render as R
from .modinput import validation_xml

Reply = Tuple[int, str, bytes]
HANDLER_TIMEOUT = 60.0
_ERROR_MESSAGE = re.compile(r"<error>\s*<message>(.*?)</message>", re.S)
_STATUS = {"<class 'splunk.admin.ArgValidationException'>": 400, "<class 'splunk.admin.NotFoundException'>": 404,
           "<class 'splunk.admin.AlreadyExistsException'>": 409}


class _Persistent:
    """One persistent handler process; requests are serialised (splunkd sends a handler one request at a time)."""

    def __init__(self, script: Path, env: Dict[str, str], log: Path) -> None:
        self._log = open(log, "ab")
        self._proc = subprocess.Popen([sys.executable, "-B", str(script), "persistent"], cwd=str(script.parent),
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env)
        self._lock = threading.Lock()

    def call(self, request: Dict[str, Any]) -> Dict[str, Any]:
        with self._lock:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"REST handler process exited (code {self._proc.poll()}), see {self._log.name}")
        return json.loads(line)

    def stop(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()
        self._log.close()


class AppRest:
    """The REST surface of one built app on a FakeSplunkd (see module doc)."""

    def __init__(self, sd: Any, app_dir: Path, work_dir: Path) -> None:
        self.sd, self.work_dir = sd, Path(work_dir)
        home = self.work_dir / "splunk_home"
        self.app_dir = home / "etc" / "apps" / sd.app
        self.app_dir.parent.mkdir(parents=True, exist_ok=True)
        if not self.app_dir.exists():
            self.app_dir.symlink_to(Path(app_dir).resolve(), target_is_directory=True)
        restmap = read_conf(str(self.app_dir / "default" / "restmap.conf"))
        self.handlers = {stanza.split(":", 1)[1]: opts["handlerfile"] for stanza, opts in restmap.items()
                         if stanza.startswith("admin_external:")}
        self.schemes = [p.stem for p in (self.app_dir / "bin").glob("*.py")
                        if (self.app_dir / "README" / "inputs.conf.spec").is_file()
                        and f"[{p.stem}://" in (self.app_dir / "README" / "inputs.conf.spec").read_text()]
        self._procs: Dict[str, _Persistent] = {}
        self._lock = threading.Lock()
        self.env = sd.env(str(home))
        self.validations: List[Tuple[str, Dict[str, str]]] = []  # (scheme://name, params) splunkd validated

    # handler processes -----------------------------------------------------------------------------------
    def _proc(self, endpoint: str) -> _Persistent:
        with self._lock:
            if endpoint not in self._procs:
                log = self.work_dir / f"{endpoint}.stderr.log"
                self._procs[endpoint] = _Persistent(self.app_dir / "bin" / self.handlers[endpoint], self.env, log)
            return self._procs[endpoint]

    def stop(self) -> None:
        with self._lock:
            for proc in self._procs.values():
                proc.stop()
            self._procs.clear()

    # REST ------------------------------------------------------------------------------------------------
    def handle(self, method: str, base: str, owner: str, app: str, rest: List[str], query: Dict[str, str],
               form: Dict[str, str], session_key: str) -> Optional[Reply]:
        """The reply for a path this app serves, or None."""
        mode = query.get("output_mode")
        try:
            if rest and rest[0] in self.handlers:
                return self._admin_external(method, base, owner, app, rest[0], rest[1:], form, mode, session_key)
            if rest[:2] == ["data", "inputs"] and len(rest) >= 3 and rest[2] in self.schemes:
                return self._inputs(method, base, rest[2], rest[3:], form, mode)
        except Exception as exc:  # a broken handler process: answer as splunkd does, not with a dropped socket
            return self._plain_error(500, f"{type(exc).__name__}: {exc}", mode)
        return None

    def _admin_external(self, method: str, base: str, owner: str, app: str, endpoint: str, rest: List[str],
                        form: Dict[str, str], mode: Optional[str], session_key: str) -> Reply:
        name = "/".join(rest)
        args = {k: [v] for k, v in form.items() if k != "output_mode"}
        if method == "GET":
            action = "list"
        elif method == "DELETE":
            action = "remove"
        elif name:
            action = "edit"
        else:
            action, name = "create", args.pop("name", [""])[0]
        reply = self._proc(endpoint).call({"action": action, "id": name, "args": args, "session_key": session_key,
                                           "app": app, "user": owner})
        if not reply["ok"]:
            return self._error(endpoint, reply, mode)
        entries = [(e["name"], self._content(e), self._acl(e, app), R.link(base, endpoint, e["name"]))
                   for e in reply["entries"]]
        return (201 if action == "create" else 200), *R.feed(endpoint, base + "/" + endpoint, entries, mode)

    @staticmethod
    def _content(entry: Dict[str, Any]) -> Dict[str, Any]:
        meta = {k: v for k, v in entry["metadata"].items() if k != "eai:acl"}
        return dict(entry["content"], **meta)

    @staticmethod
    def _acl(entry: Dict[str, Any], app: str) -> Dict[str, Any]:
        return dict(R.acl(app), **(entry["metadata"].get("eai:acl") or {}))

    @staticmethod
    def _error(endpoint: str, reply: Dict[str, Any], mode: Optional[str]) -> Reply:
        """splunkd's wording: its own exception classes as "In handler '<endpoint>': <message>", anything else as
        an unexpected error with the class and message (the shape UCC's parseErrorMsg unpacks)."""
        if reply["recognized"]:
            status, text = _STATUS.get(reply["type"], 500), f"In handler '{endpoint}': {reply['message']}"
        else:
            status = 500
            text = (f'Unexpected error "{reply["type"]}" from python handler: "{reply["message"]}". '
                    "See splunkd.log/python.log for more details.")
        ctype, body = R.messages(text, mode)
        return status, ctype, body

    # data/inputs/<scheme> ---------------------------------------------------------------------------------
    def _validate(self, scheme: str, name: str, params: Dict[str, str]) -> Optional[str]:
        self.validations.append((f"{scheme}://{name}", dict(params)))
        xml = validation_xml(name, params, server_uri=self.sd.uri, session_key=self.sd.session_key,
                             checkpoint_dir=str(self.work_dir))
        res = subprocess.run([sys.executable, "-B", str(self.app_dir / "bin" / f"{scheme}.py"),
                              "--validate-arguments"], input=xml, capture_output=True, text=True,
                             env=self.env, timeout=HANDLER_TIMEOUT)
        if res.returncode == 0:
            return None
        found = _ERROR_MESSAGE.search(res.stdout)
        return found.group(1).strip() if found else f"script running failed (exited with code {res.returncode})."

    def _inputs(self, method: str, base: str, scheme: str, rest: List[str], form: Dict[str, str],
                mode: Optional[str]) -> Reply:
        stanzas = self.sd.state.confs.setdefault("inputs", {})
        prefix = scheme + "://"
        params = {k: v for k, v in form.items() if k not in ("output_mode", "name")}
        name = "/".join(rest)
        action = None
        if name.endswith(("/disable", "/enable")):
            name, action = name.rsplit("/", 1)
        if method == "POST" and not name:
            name = form.get("name", "")
            if prefix + name in stanzas:
                return self._plain_error(409, f"An object with name={name} already exists", mode)
            problem = self._validate(scheme, name, params)
            if problem:
                return self._plain_error(400, problem, mode)
            self.sd.set_conf("inputs", prefix + name, params)
            return (201, *self._input_feed(base, scheme, [name], mode))
        if name and prefix + name not in stanzas:
            return self._plain_error(404, f"Could not find object id={name}", mode)
        if method == "DELETE":
            del stanzas[prefix + name]
            return (200, *self._input_feed(base, scheme, [], mode))
        if method == "POST":
            if action:
                self.sd.set_conf("inputs", prefix + name, {"disabled": "1" if action == "disable" else "0"})
            else:
                merged = dict(stanzas[prefix + name][1], **params)
                problem = self._validate(scheme, name, merged)
                if problem:
                    return self._plain_error(400, problem, mode)
                self.sd.set_conf("inputs", prefix + name, params)
        names = [name] if name else [s[len(prefix):] for s in stanzas if s.startswith(prefix)]
        return (200, *self._input_feed(base, scheme, names, mode))

    def _input_feed(self, base: str, scheme: str, names: List[str], mode: Optional[str]) -> Tuple[str, bytes]:
        stanzas = self.sd.state.confs["inputs"]
        entries = []
        for name in names:
            app, values = stanzas[scheme + "://" + name]
            content = dict({"disabled": "0", "eai:appName": app, "eai:userName": "nobody"}, **values)
            entries.append((name, content, R.acl(app), R.link(base, "data", "inputs", scheme, name)))
        return R.feed(scheme, base, entries, mode)

    @staticmethod
    def _plain_error(status: int, text: str, mode: Optional[str]) -> Reply:
        ctype, body = R.messages(text, mode)
        return status, ctype, body


def serve_app(sd: Any, app_dir: Path, work_dir: Path) -> AppRest:
    """Register the app's REST surface on a FakeSplunkd; call ``.stop()`` on the result when done."""
    rest = AppRest(sd, app_dir, work_dir)
    sd.add_route(rest.handle)
    return rest
