"""TA-openai-audit collector: pure, Splunk-free modules for polling the OpenAI Audit Log API."""
from __future__ import annotations

__version__ = "1.0.0"
ADDON_NAME = "TA-openai-audit"
SOURCETYPE = "openai:audit"
INPUT_SCHEME = "openai_audit"
USER_AGENT = f"{ADDON_NAME}/{__version__}"
