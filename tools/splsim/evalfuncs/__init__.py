"""Eval functions (docs.splunk.com/Documentation/Splunk/latest/SearchReference/CommonEvalFunctions).

Only the functions registered in FUNCTIONS exist; any other name is an SplError. Names are
case-sensitive, as in Splunk.
"""
from __future__ import annotations

from . import logic, mathtime, multivalue, text  # noqa: F401  (register the functions)
from .registry import FUNCTIONS, compile_regex, pcre_to_python

__all__ = ["FUNCTIONS", "compile_regex", "pcre_to_python"]
