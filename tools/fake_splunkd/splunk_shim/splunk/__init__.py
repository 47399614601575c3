"""Test-only stand-in for the `splunk` package that exists only inside a Splunk install.

It provides the three names solnlib.splunkenv imports (splunk.rest.simpleRequest, splunk.getSessionKey,
splunk.clilib.bundle_paths.make_splunkhome_path), talking to the fake splunkd at $SPLUNKD_URI. Put this
directory on PYTHONPATH (FakeSplunkd.env does) only in tests; it is never shipped.
"""


def getSessionKey():  # noqa: N802 - Splunk's name
    return None
