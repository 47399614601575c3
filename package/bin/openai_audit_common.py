"""Splunk-side I/O shared by the input helpers and the REST handlers: configuration, logging (openai_audit_log),
checkpoint stores, the per-stanza shell of both modular inputs. splunkd itself is reached through
openai_audit_splunkd."""
from __future__ import annotations

import logging
import os
import ssl
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type, TypeVar, Union

import openai_audit_log as log

from oai_audit import ADDON_NAME, INPUT_SCHEME
from oai_audit.account import ADVANCED_STANZA, custom_url_allowed
from oai_audit.checkpoint import (
    COLLECTION, KV_SAVE_EVERY, STREAMS, FileStore, MirroredStore, checkpoint_key, parse_stored,
)
from oai_audit.client import ApiClient, make_verify
from oai_audit.errors import CollectorError, ConfigError
from oai_audit.proxy import proxy_url_from_settings
from oai_audit.redact import Redactor
from oai_audit.retry import RetryPolicy
from oai_audit.validation import validate_base_url
from openai_audit_splunkd import KVCollection, Splunkd, Stanzas

REST_ROOT = "ta_openai_audit"
ACCOUNT_CONF = f"{REST_ROOT}_account"
SETTINGS_CONF = f"{REST_ROOT}_settings"


def read_conf(session_key: str, conf: str, server_uri: Optional[str]) -> Stanzas:
    """Every stanza of the add-on's conf file, encrypted fields decrypted; {} if the file does not exist. One
    conf read (and one storage/passwords read if a stanza has encrypted fields), however many stanzas are used."""
    return Splunkd(session_key, server_uri).conf(conf)


def read_stanza(session_key: str, conf: str, stanza: str, server_uri: Optional[str]) -> Dict[str, Any]:
    """A stanza with its encrypted fields decrypted; {} if the conf file or stanza does not exist."""
    return read_conf(session_key, conf, server_uri).get(stanza, {})


def logger_for_input(input_name: str) -> logging.Logger:
    return log.get_logger(f"{ADDON_NAME.lower()}_{input_name}")


def setup_logging(settings: Stanzas, logger: logging.Logger) -> None:
    """The add-on's log level (``settings``: the settings conf, its stanza logging) on the input's logger; the
    oai_audit modules log through it."""
    level = str(settings.get("logging", {}).get("loglevel") or "INFO").upper()
    logger.setLevel(level)
    lib_logger = logging.getLogger("oai_audit")
    lib_logger.handlers = list(logger.handlers)
    lib_logger.setLevel(level)
    lib_logger.propagate = False


C = TypeVar("C", bound=ApiClient)


@dataclass(frozen=True)
class Connection:
    """How an input reaches the API for one account: base URL, admin key, TLS verification, proxy."""

    base_url: str
    api_key: str
    verify: Union[bool, ssl.SSLContext]
    proxy: Optional[str]
    redactor: Redactor

    def __repr__(self) -> str:  # never show the key or the proxy password
        return f"Connection(base_url={self.base_url!r})"

    def client(self, cls: Type[C], interval: float) -> C:
        """The API client of every input: retry budget from the input's interval."""
        return cls(self.base_url, self.api_key, proxy=self.proxy, verify=self.verify, redactor=self.redactor,
                   policy=RetryPolicy.for_interval(interval))


def read_connection(session_key: str, account_name: str, server_uri: Optional[str], settings: Stanzas) -> Connection:
    """The account's connection settings (key decrypted from storage/passwords); ConfigError when unusable.
    ``settings``: the add-on's settings conf (its proxy and advanced stanzas)."""
    account = read_stanza(session_key, ACCOUNT_CONF, account_name, server_uri)
    if not account_name or not account:
        raise ConfigError(f"account '{account_name}' is not configured")
    api_key = str(account.get("api_key") or "")
    if not api_key:
        raise ConfigError(f"account '{account_name}' has no admin API key")
    proxy_settings = settings.get("proxy", {})
    redactor = Redactor([api_key, proxy_settings.get("proxy_password")])
    advanced = settings.get(ADVANCED_STANZA, {})
    base_url = validate_base_url(account.get("base_url"), allow_custom=custom_url_allowed(advanced))
    verify = make_verify(True, str(account.get("ca_bundle") or "").strip() or None)
    return Connection(base_url, api_key, verify, proxy_url_from_settings(proxy_settings), redactor)


def default_checkpoint_dir() -> str:
    home = os.environ.get("SPLUNK_HOME", "/opt/splunk")
    return os.path.join(home, "var", "lib", "splunk", "modinputs", INPUT_SCHEME)


class KVStore:
    """Checkpoint records in the KV store collection COLLECTION: one document ``{"_key": key, "state": "<json>"}``
    per stream, the document solnlib's KVStoreCheckpointer wrote (so checkpoints saved by earlier versions are
    read), the record's JSON text stored as it is; a stored ``null`` is refused, not read as "no checkpoint"."""

    FIELDS = {"state": "string"}  # the collection's schema when it has to be created

    def __init__(self, collection: KVCollection) -> None:
        self.collection = collection

    def update(self, key: str, text: str) -> None:
        self.collection.batch_save([{"_key": key, "state": text}])

    def get(self, key: str) -> Any:
        record = self.collection.get(key)
        return None if record is None else parse_stored(str(record.get("state")), f"KV store record {key}")

    def delete(self, key: str) -> None:
        self.collection.delete(key)


def open_kv_store(session_key: str, server_uri: Optional[str]) -> Tuple[Optional[KVStore], Optional[str]]:
    """(the KV store checkpoints, None), or (None, why the KV store is unusable): one request (no retries) that
    finds the collection, plus one that creates it on the first run."""
    collection = Splunkd(session_key, server_uri).collection(COLLECTION)
    try:
        collection.ensure(KVStore.FIELDS)
    except Exception as exc:  # HTTP 503 (KV store disabled or starting), connection refused, TLS, ...
        status = getattr(exc, "status", None)
        return None, f"HTTP {status}" if status else f"{type(exc).__name__}: {exc}"
    return KVStore(collection), None


def open_store(session_key: str, server_uri: Optional[str], checkpoint_dir: Optional[str],
               logger: logging.Logger) -> MirroredStore:
    """KV store checkpoints (mirrored to files in checkpoint_dir, saved after every page; the KV copy every
    KV_SAVE_EVERY s and at the end of the run); file only when the KV store is unavailable (probed once, so a
    heavy forwarder without KV store pays one failed request per run)."""
    mirror = FileStore(checkpoint_dir or default_checkpoint_dir())
    primary, problem = open_kv_store(session_key, server_uri)
    if problem is not None:
        logger.warning("KV store unavailable (%s); using file checkpoints in %s", problem, mirror.directory)
    return MirroredStore(primary, mirror, warn=logger.warning, primary_every=KV_SAVE_EVERY)


def split_name(input_name: str, scheme: str = INPUT_SCHEME) -> Tuple[str, str]:
    """('openai_audit://x' or 'x') -> ('openai_audit://x', 'x')."""
    short = input_name.split("://", 1)[-1]
    return f"{scheme}://{short}", short


@dataclass(frozen=True)
class InputRun:
    """One stanza of a modular input being run: its names, fields, splunkd access and logger."""

    full_name: str
    name: str
    item: Dict[str, Any]
    metadata: Mapping[str, Any]
    logger: logging.Logger
    event_writer: Any  # splunklib.modularinput.EventWriter

    @property
    def session_key(self) -> str:
        return str(self.metadata["session_key"])

    @property
    def server_uri(self) -> Optional[str]:
        return self.metadata.get("server_uri")

    @cached_property
    def settings(self) -> Stanzas:
        """The add-on's settings conf (logging, proxy, advanced stanzas), read once per stanza run."""
        return read_conf(self.session_key, SETTINGS_CONF, self.server_uri)


Prepare = Callable[[InputRun], Callable[[], None]]


def stream_inputs(inputs: Any, event_writer: Any, scheme: str, logger_prefix: str, prepare: Prepare) -> None:
    """The shell both modular inputs run their stanzas in (``inputs``: splunklib's InputDefinition): per stanza
    its own logger at the add-on's log level and the start/end messages (UCC's monitoring dashboard reads
    them); ``prepare`` reads and checks the stanza's configuration and returns the collection to run: a
    ConfigError or OSError it raises (splunkd unreachable included) is reported as a configuration error and
    nothing is collected. No exception reaches the next stanza."""
    for input_name, item in inputs.inputs.items():
        full_name, name = split_name(input_name, scheme)
        logger = logger_for_input(logger_prefix + name)
        run = InputRun(full_name, name, item, inputs.metadata, logger, event_writer)
        try:
            setup_logging(run.settings, logger)
            log.modular_input_start(logger, full_name)
            try:
                collect = prepare(run)
            except (ConfigError, OSError) as exc:
                log.log_configuration_error(logger, exc, full_msg=False, msg_before=f"input={name}:")
            else:
                collect()
            log.modular_input_end(logger, full_name)
        except CollectorError as exc:
            log.log_exception(logger, exc, "IngestionError", full_msg=False, msg_before=f"input={name}:")
        except Exception as exc:  # never let one input's bug kill the others
            log.log_exception(logger, exc, "IngestionError", msg_before=f"input={name}:")


def delete_checkpoints(session_key: str, input_name: str, account: str, server_uri: Optional[str] = None,
                       checkpoint_dir: Optional[str] = None) -> None:
    """Remove every stream's checkpoint of an input (KV store and file mirror)."""
    _, short = split_name(input_name)
    store = open_store(session_key, server_uri, checkpoint_dir, logging.getLogger(__name__))
    for stream in STREAMS:
        store.delete(checkpoint_key(short, account, stream))
