"""What the entry scripts of both modular inputs run: splunkd's modular input protocol (``--scheme``,
``--validate-arguments``, streaming) with splunklib's own modularinput classes, but not splunklib's ``Script``,
whose module imports splunklib.client, a connection object these inputs never use (what that and solnlib's REST
client cost an input run: README, "Collector benchmark").

``bin/openai_audit.py`` and ``bin/openai_inventory.py`` replace the scripts ucc-gen generates from globalConfig.json
(ucc-gen copies package/ over what it generates). ``main`` behaves as the generated script's ``Script.run``; the
scheme is read from the built globalConfig.json and mapped the way ucc-gen's input template maps it
(tests/foundation/test_entry_scripts.py runs both scripts and compares their output)."""
from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, TextIO

from oai_audit.lean_import import skip_unused_inits

skip_unused_inits()  # before the first splunklib.modularinput import: see oai_audit/lean_import.py

from splunklib.modularinput.argument import Argument  # noqa: E402
from splunklib.modularinput.event import Event  # noqa: E402
from splunklib.modularinput.event_writer import EventWriter  # noqa: E402
from splunklib.modularinput.input_definition import InputDefinition  # noqa: E402
from splunklib.modularinput.scheme import Scheme  # noqa: E402
from splunklib.modularinput.validation_definition import ValidationDefinition  # noqa: E402

__all__ = ["Event", "EventWriter", "InputDefinition", "ValidationDefinition", "main", "scheme"]

GLOBAL_CONFIG = Path(__file__).resolve().parent.parent / "appserver" / "static" / "js" / "build" / "globalConfig.json"
SPLUNK_FIELDS = frozenset(["name", "interval", "index", "sourcetype"])  # inputs.conf's own, not scheme arguments

StreamEvents = Callable[[InputDefinition, EventWriter], None]
ValidateInput = Callable[[ValidationDefinition], None]


def input_service(global_config: Mapping[str, Any], input_name: str) -> Mapping[str, Any]:
    """The input's service in globalConfig (pages.inputs.services[name == input_name]); KeyError if none."""
    for service in global_config.get("pages", {}).get("inputs", {}).get("services", []):
        if service.get("name") == input_name:
            return service
    raise KeyError(f"no input service '{input_name}' in globalConfig")


def scheme(service: Mapping[str, Any]) -> Scheme:
    """The input's scheme as ucc-gen's input template builds it: its name and title, external validation, XML
    streaming, one process per stanza; argument ``name``, then every entity field splunkd does not own."""
    out = Scheme(service["name"])
    out.description = service.get("title")
    out.use_external_validation = True
    out.streaming_mode_xml = True
    out.use_single_instance = False
    arguments: List[Argument] = [Argument("name", title="Name", description="Name", required_on_create=True)]
    arguments += [Argument(field["field"], required_on_create=bool(field.get("required")))
                  for field in service.get("entity", []) if field.get("field") not in SPLUNK_FIELDS]
    for argument in arguments:
        out.add_argument(argument)
    return out


def _error_document(message: str) -> ET.Element:
    root = ET.Element("error")
    ET.SubElement(root, "message").text = message
    return root


def main(argv: List[str], input_name: str, stream_events: StreamEvents, validate_input: ValidateInput,
         stdin: TextIO = sys.stdin, event_writer: Optional[EventWriter] = None,
         global_config: Path = GLOBAL_CONFIG) -> int:
    """One invocation by splunkd; the exit code. No argument: stream the stanzas of the input definition on
    stdin; ``--scheme``: print the scheme; ``--validate-arguments``: check the definition on stdin, an error
    document with the ValueError's message if it is refused. Anything raised is logged on stderr (exit 1)."""
    ew = event_writer or EventWriter()
    try:
        if len(argv) == 1:
            stream_events(InputDefinition.parse(stdin), ew)
            ew.close()
            return 0
        mode = argv[1].lower()
        if mode == "--scheme":
            with open(global_config, encoding="utf-8") as fh:
                ew.write_xml_document(scheme(input_service(json.load(fh), input_name)).to_xml())
            return 0
        if mode == "--validate-arguments":
            definition = ValidationDefinition.parse(stdin)
            try:
                validate_input(definition)
            except Exception as exc:
                ew.write_xml_document(_error_document(str(exc)))
                return 1
            return 0
        ew.log(EventWriter.ERROR, "Invalid arguments to modular input script:" + " ".join(argv))
        return 1
    except Exception as exc:
        ew.log_exception(str(exc))
        return 1
