from __future__ import annotations

import sys
from pathlib import Path

# the modular-input helpers of the collector tests (parse_events, require_build) are shared
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collector"))
