"""Test-only stand-in for the `splunk` package that exists only inside a Splunk install.

It provides the three names solnlib.splunkenv imports (splunk.rest.simpleRequest, splunk.getSessionKey,
splunk.clilib.bundle_paths.make_splunkhome_path), talking to the fake splunkd at $SPLUNKD_URI, plus
splunk.RESTException and splunk.admin (the REST handler API, see admin.py) for splunktaucclib. Put this
directory on PYTHONPATH (FakeSplunkd.env does) only in tests; it is never shipped.
"""


def getSessionKey():  # noqa: N802 - Splunk's name
    return None


class RESTException(Exception):  # noqa: N818 - Splunk's name (splunktaucclib's error_ctl imports it)
    def __init__(self, statusCode, msg=""):  # noqa: N803
        Exception.__init__(self, msg)
        self.statusCode = statusCode  # noqa: N815

    def get_message_text(self):
        return str(self)

    def get_extended_message_text(self):
        return str(self)
