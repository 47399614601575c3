"""JSON field naming shared by KV_MODE=json, the spath command and eval spath()/json_extract().

Splunk naming: nested keys joined with ``.``, arrays marked ``{}`` (``a{}`` for an array of
scalars, ``a{}.b`` inside an array of objects); every array element becomes one value of a
multivalue field; JSON true/false/null become the strings ``true``/``false``/``null``; numbers
keep their JSON text. Empty objects/arrays produce no field.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Tuple

from .errors import SplError


class _Num(str):
    """A JSON number kept as its source text."""


def loads(text: str) -> Any:
    return json.loads(text, parse_float=_Num, parse_int=_Num)


def scalar_text(v: Any) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    return str(v)


def render(v: Any) -> str:
    """A JSON value as Splunk shows it: scalars as text, objects/arrays as compact JSON."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return scalar_text(v)


def flatten(obj: Any, prefix: str = "", out: Optional[Dict[str, List[str]]] = None) -> Dict[str, List[str]]:
    out = {} if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(obj, list):
        for item in obj:
            flatten(item, prefix + "{}", out)
    else:
        out.setdefault(prefix, []).append(scalar_text(obj))
    return out


def parse_json_object(text: str) -> Optional[Any]:
    """The JSON document in ``text`` (leading/trailing whitespace allowed), or None."""
    s = text.strip()
    if not s or s[0] not in "{[":
        return None
    try:
        return loads(s)
    except ValueError:
        return None


_STEP_RE = re.compile(r"\{(\d*)\}|([^.{}]+)|(\.)")


def _steps(path: str) -> List[Tuple[str, str]]:
    steps: List[Tuple[str, str]] = []
    pos = 0
    for m in _STEP_RE.finditer(path):
        if m.start() != pos:
            raise SplError(f"invalid JSON path {path!r}")
        pos = m.end()
        if m.group(3):
            continue
        if m.group(2) is not None:
            steps.append(("key", m.group(2)))
        else:
            steps.append(("idx", m.group(1)))
    if pos != len(path):
        raise SplError(f"invalid JSON path {path!r}")
    return steps


def select(obj: Any, path: str) -> List[Any]:
    """All values at ``path`` (``{}`` = every element, ``{n}`` = element n, counted from 0 for JSON)."""
    current = [obj]
    for kind, arg in _steps(path):
        nxt: List[Any] = []
        for v in current:
            if kind == "key":
                if isinstance(v, dict) and arg in v:
                    nxt.append(v[arg])
            elif isinstance(v, list):
                if arg == "":
                    nxt.extend(v)
                else:
                    i = int(arg)
                    if 0 <= i < len(v):
                        nxt.append(v[i])
        current = nxt
    return current


def spath_values(text: str, path: str) -> List[str]:
    """Values of ``path`` in a JSON document (spath: "the index ... differs between JSON and XML";
    JSON arrays count from 0, XML from 1)."""
    obj = parse_json_object(text)
    if obj is None:
        return []
    return [render(v) for v in select(obj, path)]


def json_extract_path(obj: Any, path: str) -> Optional[str]:
    """eval json_extract(): one path, 0-based ``{n}`` indexes; several matches -> JSON array."""
    found = select(obj, path)
    if not found:
        return None
    if len(found) == 1:
        return render(found[0])
    return render(found)
