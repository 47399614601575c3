"""Test-only stand-in for Splunk's ``splunk.admin`` (the EAI handler API that splunkd's python REST handlers
run under), enough for splunktaucclib's ``AdminExternalHandler`` and the add-on's own handlers.

splunkd starts a ``handlerpersistentmode = true`` handler once as ``<handlerfile> persistent`` and sends it one
request per REST call. Here ``init`` does the same over stdin/stdout with one JSON object per line:

    request  {"action": "list|create|edit|remove", "id": "...", "args": {"k": ["v"]}, "session_key": "...",
              "app": "...", "user": "..."}
    reply    {"ok": true, "entries": [{"name", "content", "metadata"}]}
             {"ok": false, "recognized": bool, "type": "<class '...'>", "message": "..."}

``recognized`` is what Splunk's admin.py reports for its own exception classes (ArgValidationException, ...);
``tools/fake_splunkd/admin_external.py`` (the splunkd side) turns a reply into splunkd's HTTP answer.
"""
import json
import sys
import traceback

import __main__

ACTION_CREATE, ACTION_LIST, ACTION_EDIT, ACTION_REMOVE, ACTION_MEMBERS, ACTION_RELOAD = 1, 2, 4, 8, 16, 32
CONTEXT_NONE, CONTEXT_APP_ONLY, CONTEXT_APP_AND_USER = 1, 2, 3
EAI_META_PREFIX = "eai:"
EAI_ENTRY_ACL = "eai:acl"
ACTIONS = {"create": ACTION_CREATE, "list": ACTION_LIST, "edit": ACTION_EDIT, "remove": ACTION_REMOVE}


class AdminManagerException(Exception):
    pass


class AlreadyExistsException(AdminManagerException):
    pass


class NotFoundException(AdminManagerException):
    pass


class ArgValidationException(AdminManagerException):
    pass


class BadActionException(AdminManagerException):
    pass


class BadProgrammerException(AdminManagerException):
    pass


class HandlerSetupException(AdminManagerException):
    pass


class InternalException(AdminManagerException):
    pass


class ServiceUnavailableException(AdminManagerException):
    pass


class ArgsInfo(object):
    def __init__(self, name, data):
        self.id = name
        self.data = data


class ConfigItem(dict):
    def __init__(self):
        dict.__init__(self)
        self.metadata = {}

    def setMetadata(self, key, value):  # noqa: N802 - Splunk's name
        self.metadata[key] = value

    def append(self, key, value):
        self[key] = value


class ConfigInfo(dict):
    def __missing__(self, key):
        self[key] = ConfigItem()
        return self[key]


class ArgSpecList(object):
    def __init__(self):
        self.required = []
        self.optional = []

    def addReqArg(self, name):  # noqa: N802 - Splunk's name
        self.required.append(name)

    def addOptArg(self, name):  # noqa: N802 - Splunk's name
        self.optional.append(name)


class MConfigHandler(object):
    def __init__(self, scriptMode, ctxInfo, request=None):  # noqa: N803 - Splunk's names
        request = request or {}
        self.context = ctxInfo
        self.appName = request.get("app", "")
        self.userName = request.get("user", "nobody")
        self.requestedAction = ACTIONS[request.get("action", "list")]
        self.customAction = ""
        self.callerArgs = ArgsInfo(request.get("id") or None, request.get("args") or {})
        self.supportedArgs = ArgSpecList()
        self.shouldAutoList = True
        setattr(__main__, "___sessionKey", request.get("session_key"))

    def getSessionKey(self):  # noqa: N802 - Splunk's name
        return getattr(__main__, "___sessionKey")

    def setup(self):
        raise BadProgrammerException("This python handler has not implemented a setup function.")

    def execute(self, confInfo):  # noqa: N803
        handler = {ACTION_CREATE: "handleCreate", ACTION_LIST: "handleList", ACTION_EDIT: "handleEdit",
                   ACTION_REMOVE: "handleRemove"}[self.requestedAction]
        getattr(self, handler)(confInfo)


def _check_args(hand):
    """splunkd refuses an argument the handler's setup() did not declare."""
    if hand.requestedAction not in (ACTION_CREATE, ACTION_EDIT):
        return
    allowed = set(hand.supportedArgs.required) | set(hand.supportedArgs.optional)
    for name in hand.callerArgs.data:
        if name not in allowed:
            raise ArgValidationException('Argument "%s" is not supported by this handler.' % name)


def _run(handler, ctx_info, request):
    try:
        hand = handler("persistent", ctx_info, request)
        hand.setup()
        _check_args(hand)
        info = ConfigInfo()
        hand.execute(info)
        return {"ok": True, "entries": [{"name": n, "content": dict(item), "metadata": item.metadata}
                                        for n, item in info.items()]}
    except Exception as exc:  # what splunkd's admin.py turns into its <eai_error>
        traceback.print_exc(file=sys.stderr)
        return {"ok": False, "recognized": isinstance(exc, AdminManagerException), "type": str(type(exc)),
                "message": str(exc)}


def init(handler, ctxInfo):  # noqa: N803 - Splunk's name
    replies = sys.stdout
    sys.stdout = sys.stderr  # handlers may print: keep the reply channel clean
    for line in sys.stdin:
        if not line.strip():
            continue
        reply = _run(handler, ctxInfo, json.loads(line))
        replies.write(json.dumps(reply, default=str) + "\n")
        replies.flush()
