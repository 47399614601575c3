"""Every .conf in package/default passes `ksconf check`; our objects reference each other consistently."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cim_support import DEFAULT, LOOKUP_CSV, conf, props_stanza

CONF_FILES = sorted(DEFAULT.glob("*.conf"))


def _ksconf() -> str:
    exe = Path(sys.executable).with_name("ksconf")
    found = str(exe) if exe.exists() else shutil.which("ksconf")
    assert found, "ksconf is not installed (requirements-test.txt pins ksconf==0.13.10)"
    return found


@pytest.mark.parametrize("path", CONF_FILES, ids=lambda p: p.name)
def test_ksconf_check_passes(path):
    proc = subprocess.run([_ksconf(), "check", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ksconf_check_rejects_a_broken_conf(tmp_path):
    bad = tmp_path / "bad.conf"
    bad.write_text("[ok]\na = 1\n[broken\nb = 2\n", encoding="utf-8")
    proc = subprocess.run([_ksconf(), "check", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0


def test_our_conf_files_are_present():
    names = {p.name for p in CONF_FILES}
    assert {"props.conf", "transforms.conf", "eventtypes.conf", "tags.conf"} <= names


def test_automatic_lookup_refers_to_a_defined_csv_lookup():
    spec = props_stanza()["LOOKUP-openai_audit_event_types"]
    name = spec.split()[0]
    st = conf("transforms.conf")[name]
    assert (LOOKUP_CSV.parent / st["filename"]) == LOOKUP_CSV and LOOKUP_CSV.is_file()
    header = LOOKUP_CSV.read_text(encoding="utf-8").splitlines()[0].split(",")
    out = spec.split(" OUTPUT ", 1)[1].split()
    sources = [w for i, w in enumerate(out) if w != "AS" and (i == 0 or out[i - 1] != "AS")]
    assert set(sources) <= set(header)
    assert "event_type" in header


def test_every_tag_stanza_names_an_eventtype_and_enabled_tags():
    eventtypes = set(conf("eventtypes.conf").sections())
    tags = conf("tags.conf")
    for section in tags.sections():
        assert section.startswith("eventtype=") and section.split("=", 1)[1] in eventtypes
        for key, value in tags[section].items():
            if key != "__name__":
                assert value == "enabled"
    assert {s.split("=", 1)[1] for s in tags.sections()} == eventtypes


def test_eventtypes_search_our_sourcetype_only():
    et = conf("eventtypes.conf")
    for section in et.sections():
        assert et[section]["search"].startswith('sourcetype="openai:audit" ')
        assert "|" not in et[section]["search"]


def test_index_time_settings():
    st = props_stanza()
    assert st["SHOULD_LINEMERGE"] == "false"
    assert st["KV_MODE"] == "json"
    assert "INDEXED_EXTRACTIONS" not in st  # would extract every field twice together with KV_MODE = json
    assert st["TIME_FORMAT"] == "%s"
    assert re.search(st["TIME_PREFIX"], '{"id":"a","effective_at":1720804090}')
    assert st["TRUNCATE"] == "0"
