"""make_splunkhome_path under $SPLUNK_HOME (test-only shim; see splunk/__init__.py)."""
import os


def make_splunkhome_path(parts):
    return os.path.join(os.environ["SPLUNK_HOME"], *parts)
