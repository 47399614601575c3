"""Paths shared by the foundation tests (a uniquely named module: every tests/ folder has a conftest.py)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = "TA-openai-audit"
OUTPUT = ROOT / "output" / APP
