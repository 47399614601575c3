"""Search macros from macros.conf: `name` and `name(arg, ...)` with $arg$ substitution, nested
expansion, iseval=1 definitions and validation/errormsg."""
from __future__ import annotations

import re
from typing import Callable, Dict, List

from .errors import SplError

_MACRO_RE = re.compile(r"`([^`]*)`")
_CALL_RE = re.compile(r"^\s*([A-Za-z0-9_:.-]+)\s*(?:\((.*)\))?\s*$", re.DOTALL)
MAX_DEPTH = 50

# Splunk_SA_CIM's index constraint macros default to "()" (all indexes); provided when the app does
# not define them so data model constraints can be run as written.
BUILTIN_PREFIXES = ("cim_",)


def split_args(text: str) -> List[str]:
    args: List[str] = []
    depth = 0
    cur = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(text):
                cur.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
            cur.append(ch)
        elif ch == "(":
            depth += 1
            cur.append(ch)
        elif ch == ")":
            depth -= 1
            cur.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    args.append("".join(cur).strip())
    return args


class MacroExpander:
    def __init__(self, stanzas: Dict[str, Dict[str, str]], evaluate: Callable[[str], str]) -> None:
        self.stanzas = stanzas
        self.evaluate = evaluate  # iseval / validation: expression text -> string / "true"

    def _definition(self, name: str, args: List[str]) -> str:
        key = f"{name}({len(args)})" if args else name
        st = self.stanzas.get(key)
        if st is None:
            if not args and name.startswith("cim_") and name.endswith("_indexes"):
                return "()"
            raise SplError(f"macro `{key}` is not defined in macros.conf")
        if st.get("disabled", "0").strip().lower() in ("1", "true"):
            raise SplError(f"macro `{key}` is disabled")
        names = [a.strip() for a in st.get("args", "").split(",") if a.strip()]
        if len(names) != len(args):
            raise SplError(f"macro `{key}`: args = {st.get('args', '')!r} does not match {len(args)} argument(s)")
        values = dict(zip(names, args))

        def subst(text: str) -> str:
            for n, v in values.items():
                text = text.replace(f"${n}$", v)
            return text

        if "definition" not in st:
            raise SplError(f"macro `{key}` has no definition")
        if st.get("validation"):
            ok = self.evaluate(subst(st["validation"]))
            if ok != "true":
                raise SplError(subst(st.get("errormsg", f"macro `{key}`: validation failed")))
        definition = subst(st["definition"])
        if st.get("iseval", "0").strip().lower() in ("1", "true"):
            definition = self.evaluate(definition)
        return definition

    def expand(self, spl: str, depth: int = 0) -> str:
        if "`" not in spl:
            return spl
        if depth > MAX_DEPTH:
            raise SplError("macro expansion too deep (recursive macro?)")
        if spl.count("`") % 2:
            raise SplError("unbalanced backtick in search")

        def repl(m: "re.Match[str]") -> str:
            cm = _CALL_RE.match(m.group(1))
            if not cm:
                raise SplError(f"invalid macro call `{m.group(1)}`")
            args = split_args(cm.group(2)) if cm.group(2) is not None else []
            if args == [""]:
                args = []
            return self.expand(self._definition(cm.group(1), args), depth + 1)

        return _MACRO_RE.sub(repl, spl)
