"""Splunk-side I/O shared by the input helper and the checkpoint REST handler (solnlib, splunklib)."""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

from solnlib import conf_manager, log
from solnlib.modular_input.checkpointer import KVStoreCheckpointer
from splunklib import binding

from oai_audit import ADDON_NAME, INPUT_SCHEME
from oai_audit.checkpoint import COLLECTION, STREAMS, FileStore, MirroredStore, checkpoint_key

REST_ROOT = "ta_openai_audit"
ACCOUNT_CONF = f"{REST_ROOT}_account"
SETTINGS_CONF = f"{REST_ROOT}_settings"


def splunkd_parts(server_uri: Optional[str]) -> Dict[str, Any]:
    """scheme/host/port keyword arguments for solnlib from ``server_uri`` (empty: solnlib discovers them)."""
    if not server_uri:
        return {}
    parts = urlsplit(server_uri)
    return {"scheme": parts.scheme, "host": parts.hostname, "port": parts.port}


def conf_manager_for(session_key: str, conf: str, server_uri: Optional[str]) -> conf_manager.ConfManager:
    return conf_manager.ConfManager(session_key, ADDON_NAME,
                                    realm=f"__REST_CREDENTIAL__#{ADDON_NAME}#configs/conf-{conf}",
                                    **splunkd_parts(server_uri))


def read_stanza(session_key: str, conf: str, stanza: str, server_uri: Optional[str]) -> Dict[str, Any]:
    """A stanza with its encrypted fields decrypted; {} if the conf file or stanza does not exist."""
    try:
        stanzas = conf_manager_for(session_key, conf, server_uri).get_conf(conf).get_all(only_current_app=True)
    except conf_manager.ConfManagerException:
        return {}
    return dict(stanzas.get(stanza) or {})


def logger_for_input(input_name: str) -> logging.Logger:
    return log.Logs().get_logger(f"{ADDON_NAME.lower()}_{input_name}")


def default_checkpoint_dir() -> str:
    home = os.environ.get("SPLUNK_HOME", "/opt/splunk")
    return os.path.join(home, "var", "lib", "splunk", "modinputs", INPUT_SCHEME)


def kv_store_problem(session_key: str, server_uri: Optional[str]) -> Optional[str]:
    """One quick request (no retries) to the KV store; the reason it is unusable, or None if it answers."""
    parts = splunkd_parts(server_uri)
    try:
        ctx = binding.Context(token=session_key, owner="nobody", app=ADDON_NAME,
                              **{k: v for k, v in parts.items() if v is not None})
        ctx.get("storage/collections/config", count=1)
    except binding.HTTPError as exc:
        return f"HTTP {exc.status}"
    except Exception as exc:  # connection refused, TLS, ...
        return f"{type(exc).__name__}: {exc}"
    return None


def open_store(session_key: str, server_uri: Optional[str], checkpoint_dir: Optional[str],
               logger: logging.Logger) -> MirroredStore:
    """KV store checkpoints (mirrored to files in checkpoint_dir); file only when the KV store is unavailable
    (probed once, so a heavy forwarder without KV store does not pay solnlib's retry back-off every run)."""
    mirror = FileStore(checkpoint_dir or default_checkpoint_dir())
    problem = kv_store_problem(session_key, server_uri)
    primary = None
    if problem is None:
        try:
            primary = KVStoreCheckpointer(COLLECTION, session_key, ADDON_NAME, **splunkd_parts(server_uri))
        except Exception as exc:  # not ready, collection cannot be created, ...
            problem = f"{type(exc).__name__}: {exc}"
    if problem is not None:
        logger.warning("KV store unavailable (%s); using file checkpoints in %s", problem, mirror.directory)
    return MirroredStore(primary, mirror, warn=logger.warning)


def split_name(input_name: str) -> Tuple[str, str]:
    """('openai_audit://x' or 'x') -> ('openai_audit://x', 'x')."""
    short = input_name.split("://", 1)[-1]
    return f"{INPUT_SCHEME}://{short}", short


def delete_checkpoints(session_key: str, input_name: str, account: str, server_uri: Optional[str] = None,
                       checkpoint_dir: Optional[str] = None) -> None:
    """Remove every stream's checkpoint of an input (KV store and file mirror)."""
    _, short = split_name(input_name)
    store = open_store(session_key, server_uri, checkpoint_dir, logging.getLogger(__name__))
    for stream in STREAMS:
        store.delete(checkpoint_key(short, account, stream))
