"""The built add-on and the .spl: layout, pure-Python vendored lib/, size budget, imports."""
from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from foundation_support import APP

pytestmark = pytest.mark.build

LIB_BUDGET_GZ = int(1.5 * 1024 * 1024)
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


def test_built_app_has_canonical_top_level(built_app: Path) -> None:
    for name in ("app.manifest", "bin", "default", "lib", "lookups", "README"):
        assert (built_app / name).exists(), name
    assert (built_app / "bin" / "openai_audit.py").is_file(), "the input entry script (package/bin/openai_audit.py)"
    assert (built_app / "bin" / "oai_audit" / "__init__.py").is_file()


def test_spl_is_gzipped_tar_with_app_at_top(spl_path: Path) -> None:
    assert spl_path.read_bytes()[:2] == b"\x1f\x8b", "a .spl is a gzipped tar"
    with tarfile.open(spl_path, "r:gz") as tar:
        names = tar.getnames()
    tops = {n.split("/")[0] for n in names}
    assert tops == {APP}
    for name in ("app.manifest", "bin", "default"):
        assert f"{APP}/{name}" in names or any(n.startswith(f"{APP}/{name}/") for n in names), name
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def _lib_members_gz_size(spl: Path) -> tuple[int, list[str]]:
    """gzipped size of the lib/ part of the shipped .spl (re-packed alone), and its file names."""
    buf = io.BytesIO()
    names: list[str] = []
    with tarfile.open(spl, "r:gz") as src, gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w") as dst:
            for member in src:
                if member.name.startswith(f"{APP}/lib/"):
                    names.append(member.name)
                    dst.addfile(member, src.extractfile(member) if member.isfile() else None)
    return len(buf.getvalue()), names


def test_vendored_lib_is_pure_python_and_within_budget(spl_path: Path) -> None:
    size, names = _lib_members_gz_size(spl_path)
    compiled = [n for n in names if n.endswith(COMPILED_SUFFIXES) or ".so." in n]
    assert compiled == [], f"compiled extension modules in lib/: {compiled[:5]}"
    tops = {n.split("/")[2].split("-")[0].lower() for n in names if n.count("/") >= 2}
    assert not tops & {"grpc", "grpcio", "opentelemetry"}, tops
    assert {"httpx", "solnlib", "splunklib", "splunktaucclib"} <= tops
    print(f"lib/ gzipped: {size / 1024:.0f} KiB (budget {LIB_BUDGET_GZ / 1024:.0f} KiB)")
    assert size <= LIB_BUDGET_GZ


def test_addon_imports_with_only_the_vendored_lib(built_app: Path) -> None:
    """Run the interpreter with -S -I (no site-packages, no env): only bin/ and lib/ are importable,
    exactly as inside Splunk. Proves the add-on runs without solnlib 8's grpc/opentelemetry extras."""
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "import import_declare_test, openai_audit_helper, oai_audit, httpx, solnlib, splunklib.modularinput;"
        "import solnlib.modular_input.checkpointer, solnlib.conf_manager, solnlib.log;"
        "print('imported', oai_audit.__version__, sys.version_info[:2])"
    )
    res = subprocess.run(
        [sys.executable, "-B", "-S", "-I", "-c", code, str(built_app / "bin"), str(built_app / "lib")],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "imported" in res.stdout


def test_spl_size_is_reported(spl_path: Path) -> None:
    size = spl_path.stat().st_size
    print(f"{spl_path.name}: {size / 1024:.0f} KiB")
    assert 100 * 1024 < size < 20 * 1024 * 1024
