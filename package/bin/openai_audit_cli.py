#!/usr/bin/env python3
"""Poll the OpenAI Audit Log API without Splunk; prints events as JSON lines. See --help."""
import os
import sys

_BIN = os.path.dirname(os.path.abspath(__file__))
_LIB = os.path.join(os.path.dirname(_BIN), "lib")
for _path in (_LIB, _BIN):  # the built app ships its dependencies in ../lib
    if os.path.isdir(_path) and _path not in sys.path:
        sys.path.insert(0, _path)

from oai_audit.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
