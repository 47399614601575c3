"""pytest-splunk-addon's CIM definitions, the third-party oracle of tests/cim/test_cim_oracle.py.

The package (PyPI pytest-splunk-addon 8.0.0) needs Python >= 3.13, pytest >= 9 and urllib3 >= 2, which cannot share a
venv with the add-on's pins (requirements-oracles.txt says why), so scripts/setup_venvs.sh installs it into
.venv/oracles and this module reads its data files there with importlib.resources, in a subprocess of that venv.
Nothing of the package is imported into the test process; its test logic is restated below where we follow it
(pytest_splunk_addon/cim_tests/: data_model.py, data_set.py, field_test_adapter.py, field_test_helper.py,
test_templates.py).
"""
from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from cim_support import REPO

ORACLE_PYTHON = REPO / ".venv" / "oracles" / "bin" / "python"
PSA_VERSION = "8.0.0"
SINGLE_QUOTED_QUOTE_PATTERN = "'%\\\"%'"
DOUBLE_QUOTED_QUOTE_PATTERN = '"%\\\"%"'

_DUMP = r"""
import importlib.metadata, importlib.resources, json, sys
root = importlib.resources.files("pytest_splunk_addon")
models = {p.name[:-len(".json")]: json.loads(p.read_text(encoding="utf-8"))
          for p in (root / "data_models").iterdir() if p.name.endswith(".json")}
common = json.loads((root / "cim_tests" / "CommonFields.json").read_text(encoding="utf-8"))
json.dump({"version": importlib.metadata.version("pytest-splunk-addon"), "data_models": models,
           "common_fields": common}, sys.stdout)
"""


@functools.lru_cache(maxsize=None)
def definitions(python: Path = ORACLE_PYTHON) -> Dict[str, Any]:
    """{"version", "data_models": {name: json}, "common_fields": json} from the installed package."""
    if not python.exists():
        raise AssertionError("%s is missing: run `bash scripts/setup_venvs.sh` (creates .venv/oracles from "
                             "requirements-oracles.txt)" % python)
    proc = subprocess.run([str(python), "-I", "-c", _DUMP], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # required / conditional / optional / not_allowed_*
    validity: str
    expected_values: Tuple[str, ...]
    negative_values: Tuple[str, ...]
    condition: str
    multi_value: bool

    @classmethod
    def load(cls, f: Dict[str, Any]) -> "Field":
        return cls(f["name"], f.get("type", "optional"), f.get("validity") or f["name"],
                   tuple(str(v) for v in f.get("expected_values") or ()),
                   tuple(str(v) for v in f.get("negative_values") or ()),
                   f.get("condition") or "", bool(f.get("multi_value")))

    def spl_validity(self) -> str:
        """The validity as SPL. One documented rewrite: the definitions write the LIKE pattern "contains a double
        quote" as '%\\"%', in single quotes, which eval reads as a field name (Search Reference, eval: single
        quotes enclose field names, double quotes enclose strings); its evident meaning, a value with a double
        quote in it is a bad extraction, is the string literal "%\\"%"."""
        return self.validity.replace(SINGLE_QUOTED_QUOTE_PATTERN, DOUBLE_QUOTED_QUOTE_PATTERN)

    def validity_expression(self) -> str:
        """field_test_adapter.get_validity_expression: the validity, wrapped in a check of the expected (and
        negative) values, compared lower-cased."""
        validity = self.spl_validity()
        norm = "lower(tostring(%s))" % validity
        preds = []
        if self.expected_values and "*" not in self.expected_values:
            preds.append("(%s) IN (%s)" % (norm, ", ".join(json.dumps(v.lower()) for v in self.expected_values)))
        if self.negative_values:
            preds.append("NOT (%s) IN (%s)" % (norm, ", ".join(json.dumps(v.lower()) for v in self.negative_values)))
        if not preds:
            return validity
        return "if(%s, %s, null())" % (" AND ".join(preds), validity)


@dataclass
class Dataset:
    model: str
    name: str
    tags: List[List[str]]
    constraint: str
    fields: List[Field]
    children: List["Dataset"] = field(default_factory=list)

    def match_tags(self, stanza_tags: Sequence[str]) -> bool:
        """data_set.match_tags: some tag group of the dataset is a subset of one tags.conf stanza's tags."""
        return any(set(group) <= set(stanza_tags) for group in self.tags)


def _load(model: str, objs: List[Dict[str, Any]]) -> List[Dataset]:
    return [Dataset(model, o["name"], o.get("tags") or [], o.get("search_constraints") or "",
                    [Field.load(f) for f in o.get("fields") or []], _load(model, o.get("child_dataset") or []))
            for o in objs]


def data_models() -> Dict[str, List[Dataset]]:
    return {name: _load(name, m["objects"]) for name, m in definitions()["data_models"].items()}


def mapped_chains(stanza_tags: Sequence[str]) -> Iterator[Tuple[str, List[Dataset]]]:
    """data_model.get_mapped_datasets: every dataset chain (root ... dataset) whose datasets all match the stanza's
    tags, for every data model."""
    def walk(sets: List[Dataset], chain: List[Dataset]) -> Iterator[List[Dataset]]:
        for ds in sets:
            if ds.match_tags(stanza_tags):
                yield chain + [ds]
                yield from walk(ds.children, chain + [ds])

    for model, roots in data_models().items():
        for chain in walk(roots, []):
            yield model, chain


def fields_under_test(dataset: Dataset) -> List[Field]:
    """test_generator.generate_cim_fields_tests: the required and conditional fields of the chain's last dataset."""
    return [f for f in dataset.fields if f.type in ("required", "conditional")]


def not_allowed_fields(kinds: Tuple[str, ...]) -> List[str]:
    """CommonFields.json (and any data model) fields of the given not_allowed_* types."""
    names = [f["name"] for f in definitions()["common_fields"]["fields"] if f["type"] in kinds]
    for roots in data_models().values():
        stack = list(roots)
        while stack:
            ds = stack.pop()
            names += [f.name for f in ds.fields if f.type in kinds]
            stack += ds.children
    return sorted(set(names))


def field_search(chain: List[Dataset], tag_stanza: str, fld: Optional[Field]) -> str:
    """test_templates.test_cim_required_fields + field_test_helper: the chain's constraints, the tags.conf stanza,
    the field's condition, `nomv` for multivalue fields, then the counts, here per event (`by id`) instead of per
    source so a failure names its event."""
    spl = 'sourcetype="openai:audit"'
    for ds in chain:
        spl += " | search %s" % ds.constraint
    spl += " | search %s" % tag_stanza
    if fld is None:
        return spl + " | stats count as event_count by id"
    if fld.condition:
        spl += " %s" % fld.condition
    if fld.multi_value:
        spl += " | nomv %s" % fld.name
    return spl + (" | stats count as event_count, count({f}) as field_count, count(eval({v})) as valid_count by id"
                  .format(f=fld.name, v=fld.validity_expression()))
