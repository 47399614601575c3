"""CSV lookups as defined in transforms.conf (filename, match_type WILDCARD()/CIDR(),
case_sensitive_match, max_matches, min_matches, default_match) and the shared lookup clause
``name in [AS ev] ... [OUTPUT|OUTPUTNEW out [AS ev] ...]`` used by the ``lookup`` command and
props ``LOOKUP-``."""
from __future__ import annotations

import csv
import gzip
import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from .errors import SplError
from .lexer import tokenize
from .searchexpr import wildcard_regex
from .values import Row, as_list, norm

_MATCH_TYPE_RE = re.compile(r"(WILDCARD|CIDR|EXACT)\(([^)]+)\)", re.IGNORECASE)


@dataclass
class LookupTable:
    name: str
    columns: List[str]
    rows: List[Dict[str, str]]
    match_types: Dict[str, str] = field(default_factory=dict)
    case_sensitive: bool = True
    max_matches: int = 100  # transforms.conf default without time_field
    min_matches: int = 0
    default_match: str = ""
    _indexes: Dict[str, Tuple[Dict[str, List[int]], List[int]]] = field(default_factory=dict)

    def _match_one(self, col: str, value: str, cell: str) -> bool:
        mt = self.match_types.get(col, "EXACT")
        if mt == "WILDCARD":
            return bool(wildcard_regex(cell, ignore_case=not self.case_sensitive).match(value))
        if mt == "CIDR":
            try:
                return ipaddress.ip_address(value.strip()) in ipaddress.ip_network(cell.strip(), strict=False)
            except ValueError:
                return value == cell
        if self.case_sensitive:
            return cell == value
        return cell.lower() == value.lower()

    def _column_index(self, col: str) -> Tuple[Dict[str, List[int]], List[int]]:
        """(folded literal cell -> row positions, positions of cells that need a pattern match)."""
        cached = self._indexes.get(col)
        if cached is None:
            literal: Dict[str, List[int]] = {}
            patterns: List[int] = []
            mt = self.match_types.get(col, "EXACT")
            for i, row in enumerate(self.rows):
                cell = row.get(col, "")
                if mt == "CIDR" or (mt == "WILDCARD" and "*" in cell):
                    patterns.append(i)
                else:
                    literal.setdefault(self._fold(cell), []).append(i)
            cached = (literal, patterns)
            self._indexes[col] = cached
        return cached

    def _fold(self, s: str) -> str:
        return s if self.case_sensitive else s.lower()

    def find(self, inputs: Dict[str, str]) -> List[Dict[str, str]]:
        """Rows (file order) matching all input column values."""
        out: List[Dict[str, str]] = []
        positions: Optional[set] = None
        for col, val in inputs.items():
            literal, patterns = self._column_index(col)
            cand = set(literal.get(self._fold(val), ())) | set(patterns)
            positions = cand if positions is None else positions & cand
        candidates = [self.rows[i] for i in sorted(positions or ())]
        for row in candidates:
            if all(self._match_one(col, val, row.get(col, "")) for col, val in inputs.items()):
                out.append(row)
                if len(out) >= self.max_matches:
                    break
        if len(out) < self.min_matches:
            filler = {c: self.default_match for c in self.columns if c not in inputs}
            out.extend([filler] * (self.min_matches - len(out)))
        return out


def read_csv(path: str) -> Tuple[List[str], List[Dict[str, str]]]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        reader = csv.DictReader(fh)
        cols = list(reader.fieldnames or [])
        rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
    return cols, rows


def is_kvstore(stanza: Optional[Dict[str, str]]) -> bool:
    return bool(stanza) and str(stanza.get("external_type", "")).strip().lower() == "kvstore"


def build_table(name: str, path: Optional[str], stanza: Optional[Dict[str, str]] = None) -> LookupTable:
    """A CSV lookup, or a KV-store lookup (external_type = kvstore) whose collection's records are given as a CSV
    file (``path``), or are empty (``path`` None: an empty collection, with the columns of ``fields_list``)."""
    st = stanza or {}
    if path is None:
        if not is_kvstore(st):
            raise SplError(f"lookup {name}: no file")
        cols, rows = [c.strip() for c in st.get("fields_list", "").split(",") if c.strip()], []
    else:
        cols, rows = read_csv(path)
    t = LookupTable(name, cols, rows)
    for kind, names in _MATCH_TYPE_RE.findall(st.get("match_type", "")):
        for col in names.split(","):
            t.match_types[col.strip()] = kind.upper()
    t.case_sensitive = st.get("case_sensitive_match", "true").strip().lower() in ("1", "true", "t", "yes")
    if st.get("max_matches"):
        t.max_matches = int(st["max_matches"])
    if st.get("min_matches"):
        t.min_matches = int(st["min_matches"])
    t.default_match = st.get("default_match", "")
    for key in st:
        if key in ("external_type", "collection") and is_kvstore(st):
            continue
        if key in ("external_cmd", "external_type", "collection", "time_field"):
            raise SplError(f"lookup {name}: {key} lookups are not supported (CSV lookups only)")
    return t


@dataclass
class LookupClause:
    table: str
    inputs: List[Tuple[str, str]]  # (lookup column, event field)
    outputs: List[Tuple[str, str]]  # (lookup column, event field); empty = all other columns
    output_new: bool


@lru_cache(maxsize=1024)
def parse_lookup_clause(text: str) -> LookupClause:
    toks = [t for t in tokenize(text) if t.kind != "COMMA"]
    if not toks:
        raise SplError("lookup: missing lookup table name")
    for t in toks:
        if t.kind not in ("WORD", "STR"):
            raise SplError(f"lookup: unexpected {t.value!r} in {text!r}")
    words = [(t.value, t.kind == "WORD") for t in toks]
    i = 0
    while i < len(words) and words[i][0].startswith(("local=", "update=")):
        i += 1
    if i >= len(words):
        raise SplError("lookup: missing lookup table name")
    table = words[i][0]
    i += 1
    inputs: List[Tuple[str, str]] = []
    outputs: List[Tuple[str, str]] = []
    output_new = False
    target = inputs
    while i < len(words):
        w, bare = words[i]
        if bare and w.upper() in ("OUTPUT", "OUTPUTNEW") and w.isupper():
            if target is outputs:
                raise SplError("lookup: OUTPUT given twice")
            output_new = w.upper() == "OUTPUTNEW"
            target = outputs
            i += 1
            continue
        if i + 1 < len(words) and words[i + 1][1] and words[i + 1][0].upper() == "AS":
            if i + 2 >= len(words):
                raise SplError("lookup: missing field name after AS")
            target.append((w, words[i + 2][0]))
            i += 3
            continue
        target.append((w, w))
        i += 1
    if not inputs:
        raise SplError(f"lookup {table}: no input field given")
    if target is outputs and not outputs:
        raise SplError(f"lookup {table}: no field after {'OUTPUTNEW' if output_new else 'OUTPUT'}")
    return LookupClause(table, inputs, outputs, output_new)


def validate_clause(table: LookupTable, clause: LookupClause) -> None:
    for col, _ev in clause.inputs + clause.outputs:
        if col not in table.columns:
            raise SplError(f"lookup {clause.table}: no column {col!r} (columns: {', '.join(table.columns)})")


def apply_lookup(row: Row, table: LookupTable, clause: LookupClause) -> None:
    """Apply a lookup to a row in place (multivalue inputs: each value is looked up). OUTPUT (or no output clause:
    every other column) overwrites each output field with the matches' values, so a row without a match - or whose
    matches leave the column empty - loses the field it had; OUTPUTNEW leaves a field the row already has alone
    (Splunk Search Reference, lookup: "If the OUTPUT clause is specified, the output lookup fields overwrite
    existing fields. If the OUTPUTNEW clause is specified, the lookup is not performed for events in which the
    output fields already exist"). A row without a value in an input field is left as it is (the page does not say
    what Splunk does then)."""
    validate_clause(table, clause)
    input_values: List[List[str]] = [as_list(row.get(ev)) for _col, ev in clause.inputs]
    if any(not vals for vals in input_values):
        return
    matches: List[Dict[str, str]] = []
    combos: List[Dict[str, str]] = [{}]
    for (col, _ev), vals in zip(clause.inputs, input_values):
        combos = [{**c, col: v} for c in combos for v in vals]
    for combo in combos:
        matches.extend(table.find(combo))
    outputs = clause.outputs or [(c, c) for c in table.columns if c not in {col for col, _ in clause.inputs}]
    for col, ev in outputs:
        if clause.output_new and row.get(ev) is not None:
            continue
        value = norm([v for v in (m.get(col, "") for m in matches) if v != ""])
        if value is None:
            row.pop(ev, None)
        else:
            row[ev] = value
