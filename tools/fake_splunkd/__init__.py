"""Fake splunkd for tests (conf files, storage/passwords, KV store) and the modular-input XML helper."""
from .modinput import modinput_xml
from .server import SHIM_DIR, FakeSplunkd

__all__ = ["FakeSplunkd", "modinput_xml", "SHIM_DIR"]
