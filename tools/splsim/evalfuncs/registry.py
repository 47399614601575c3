"""Registry of eval functions: FUNCTIONS maps a (case-sensitive) name to its arity and binder."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, List, Optional

from ..errors import SplError
from ..evalexpr import Compiled
from ..values import as_list


@dataclass(frozen=True)
class FunctionSpec:
    min_args: int
    max_args: Optional[int]
    binder: Callable[[List[Compiled], List[FrozenSet[str]]], Compiled]

    def bind(self, args: List[Compiled], arg_fields: List[FrozenSet[str]]) -> Compiled:
        return self.binder(args, arg_fields)


FUNCTIONS: Dict[str, FunctionSpec] = {}


def lazy(name: str, min_args: int, max_args: Optional[int]) -> Callable:
    def deco(binder: Callable[[List[Compiled], List[FrozenSet[str]]], Compiled]) -> Callable:
        FUNCTIONS[name] = FunctionSpec(min_args, max_args, binder)
        return binder

    return deco


def eager(name: str, min_args: int, max_args: Optional[int], *, with_ctx: bool = False) -> Callable:
    """Register a function of evaluated argument values (optionally receiving the EvalContext)."""

    def deco(impl: Callable[..., Any]) -> Callable[..., Any]:
        def binder(args: List[Compiled], _fields: List[FrozenSet[str]]) -> Compiled:
            if with_ctx:
                return lambda r, c: impl(c, *[a(r, c) for a in args])
            return lambda r, c: impl(*[a(r, c) for a in args])

        FUNCTIONS[name] = FunctionSpec(min_args, max_args, binder)
        return impl

    return deco


def scalar(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else v


def mv(v: Any) -> List[str]:
    return as_list(v)


@lru_cache(maxsize=4096)
def compile_regex(pattern: str) -> "re.Pattern[str]":
    """Compile a Splunk (PCRE) regular expression; invalid ones raise SplError."""
    try:
        return re.compile(pcre_to_python(pattern))
    except re.error as exc:
        raise SplError(f"invalid regular expression {pattern!r}: {exc}") from None


def pcre_to_python(pattern: str) -> str:
    """PCRE named groups ``(?<name>`` / ``(?'name'`` -> Python ``(?P<name>``."""
    return re.sub(r"\(\?(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')",
                  lambda m: f"(?P<{m.group(1) or m.group(2)}>", pattern)

