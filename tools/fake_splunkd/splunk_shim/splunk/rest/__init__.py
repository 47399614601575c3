"""simpleRequest against $SPLUNKD_URI (test-only shim; see splunk/__init__.py)."""
import os
import urllib.error
import urllib.parse
import urllib.request


class _Response(dict):
    @property
    def status(self):
        return self["status"]


def simpleRequest(path, sessionKey=None, getargs=None, postargs=None, method="GET", raiseAllErrors=False,
                  timeout=30, **_kw):  # noqa: N802,N803 - Splunk's names
    url = path if path.startswith("http") else os.environ["SPLUNKD_URI"].rstrip("/") + "/" + path.lstrip("/")
    if getargs:
        url += "?" + urllib.parse.urlencode(getargs, doseq=True)
    data = urllib.parse.urlencode(postargs, doseq=True).encode() if postargs is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data is not None and method == "GET" else method)
    if sessionKey:
        req.add_header("Authorization", "Splunk " + sessionKey)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # loopback only: SPLUNKD_URI of the fake
            return _Response(status=resp.status), resp.read()
    except urllib.error.HTTPError as err:
        if raiseAllErrors:
            raise
        return _Response(status=err.code), err.read()
