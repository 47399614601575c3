"""Loading an app's ``default/*.conf`` and ``lookups/*.csv`` with the conf-parser library.

Parsing is done by ``addonfactory-splunk-conf-parser-lib`` (TABConfigParser), which handles
stanzas, ``#`` comments and ``\\`` line continuations. Three differences between that parser and
splunkd are neutralised around the call, so the result is what Splunk reads:

* Splunk's only comment character is ``#`` at the start of a line; the library also treats ``;``
  and ``*`` as comment starts (and `` ;`` inside a value): both characters are masked while parsing.
* Splunk's only key/value delimiter is ``=`` (the library also splits on ``:``).
* Splunk ignores leading whitespace; only a trailing ``\\`` continues a line (the library treats an
  indented line as a continuation). Continued lines are joined with a newline, as Splunk keeps
  them (for SPL and eval a newline is whitespace).
"""
from __future__ import annotations

import os
from typing import Dict

from addonfactory_splunk_conf_parser_lib import TABConfigParser

from .errors import SplError

Stanzas = Dict[str, Dict[str, str]]

CONF_NAMES = ("props", "transforms", "eventtypes", "tags", "macros", "savedsearches")


_MASKS = {";": "\ue000", "*": "\ue001"}


def _prepare(text: str) -> str:
    """Mask ``;``/``*`` and drop leading whitespace of lines that do not continue a ``\\`` line."""
    out = []
    continued = False
    for line in text.splitlines():
        if not continued:
            line = line.lstrip()
        continued = line.rstrip().endswith("\\")
        out.append(line)
    masked = "\n".join(out) + "\n"
    for ch, mask in _MASKS.items():
        masked = masked.replace(ch, mask)
    return masked


def _restore(text: str) -> str:
    for ch, mask in _MASKS.items():
        text = text.replace(mask, ch)
    return text


def _restore_value(v: object) -> str:
    if v is None:
        return ""
    text = _restore(str(v))
    # the library keeps the trailing backslash of a continued line: drop it, keep the newline
    return text.replace("\\\n", "\n")


def read_conf(path: str, *, keep_default: bool = False) -> Stanzas:
    """Parse one .conf file into {stanza: {key: value}}; ``[default]`` is merged into each stanza
    (and kept as its own stanza with keep_default, for props.conf where it applies to every event)."""
    parser = TABConfigParser(delimiters=("=",))
    try:
        with open(path, encoding="utf-8") as fh:
            text = _prepare(fh.read())
        parser.read_string(text, source=path)
    except Exception as exc:  # configparser raises several types
        raise SplError(f"cannot parse {path}: {exc}") from exc
    stanzas: Stanzas = {}
    for name, kv in parser.item_dict().items():
        stanzas[_restore(name)] = {_restore(k): _restore_value(v) for k, v in kv.items()}
    default = stanzas.pop("default", None)
    if default:
        for name, kv in stanzas.items():
            stanzas[name] = {**default, **kv}
        if keep_default:
            stanzas["default"] = default
    return stanzas


def load_app(app_dir: str) -> Dict[str, Stanzas]:
    """All known .conf files of an app's default/ directory ({} for a missing file)."""
    confs: Dict[str, Stanzas] = {}
    for name in CONF_NAMES:
        path = os.path.join(app_dir, "default", f"{name}.conf")
        confs[name] = read_conf(path, keep_default=name == "props") if os.path.isfile(path) else {}
    return confs


def find_lookup_files(app_dir: str) -> Dict[str, str]:
    """Map of file name -> path for ``lookups/*.csv``."""
    out: Dict[str, str] = {}
    ldir = os.path.join(app_dir, "lookups")
    if os.path.isdir(ldir):
        for fn in sorted(os.listdir(ldir)):
            if fn.lower().endswith((".csv", ".csv.gz")):
                out[fn] = os.path.join(ldir, fn)
    return out
