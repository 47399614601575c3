"""The single error type of the engine: anything unsupported or malformed raises it."""
from __future__ import annotations


class SplError(Exception):
    """Unsupported or invalid SPL / configuration (never silently ignored)."""
