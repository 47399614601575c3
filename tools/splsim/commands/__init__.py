"""SPL command registry. Each command: run(args_text, rows, ctx) -> rows."""
from __future__ import annotations

from . import basic, chart, combine, generating, misc, stats, transform  # noqa: F401  (register commands)
from .base import COMMANDS, Command, SearchContext

__all__ = ["COMMANDS", "Command", "SearchContext"]
