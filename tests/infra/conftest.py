"""Fixtures for tests/infra: the SAM template expanded offline, and the code's manifest.

The manifest (functions, env vars, routes, table) comes from the code: `bosai-local manifest`
(functions/local), found at $BOSAI_LOCAL_BIN or $CARGO_TARGET_DIR/debug/bosai-local
(default ~/.cache/bosai/target/debug/bosai-local). BOSAI_MANIFEST_FILE=<json> uses a file instead
(for trying a change of the manifest without a build). Run through scripts/infra-check.sh.
"""

import copy
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Path(os.environ.get("BOSAI_TEMPLATE", ROOT / "infra" / "template.yaml"))


def _cache_dir() -> Path:
    if os.environ.get("BOSAI_CACHE"):
        return Path(os.environ["BOSAI_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "bosai"


def local_bin() -> Path:
    if os.environ.get("BOSAI_LOCAL_BIN"):
        return Path(os.environ["BOSAI_LOCAL_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR") or _cache_dir() / "target")
    return target / "debug" / "bosai-local"


def load_manifest() -> dict:
    if os.environ.get("BOSAI_MANIFEST_FILE"):
        return json.loads(Path(os.environ["BOSAI_MANIFEST_FILE"]).read_text())
    exe = local_bin()
    if not exe.exists():
        pytest.fail(f"{exe} not found: build it (cargo build -p bosai-local) or set BOSAI_LOCAL_BIN / BOSAI_MANIFEST_FILE")
    # An old binary without the subcommand would start the local stack: keep it on a free port in a
    # scratch dir, without the OpenID provider, and stop it quickly.
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, BOSAI_PORT="0", BOSAI_DATA_DIR=str(Path(tmp) / "data"), BOSAI_OIDC_PROVIDER="off",
                   RUST_LOG="error")
        try:
            out = subprocess.run([str(exe), "manifest"], cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{exe} manifest` did not finish (an old binary without the manifest command?)")
    if out.returncode != 0:
        pytest.fail(f"`{exe} manifest` failed ({out.returncode}): {out.stderr[-2000:]}")
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError as e:
        pytest.fail(f"`{exe} manifest` printed no JSON ({e}): {out.stdout[:500]}")


def load_sam_template(path: Path = TEMPLATE) -> dict:
    from cfnlint.decode import decode

    tpl, matches = decode(str(path))
    assert not matches, f"{path}: {matches}"
    return tpl


class _NoManagedPolicies:
    """The template names no managed policies: nothing to look up (and no AWS call)."""

    def load(self):
        return {}


def expand(sam: dict) -> dict:
    """The CloudFormation SAM's transform would deploy, offline (as `sam validate` does: local CodeUri and
    ContentUri replaced by a dummy S3 location). Resource Metadata is kept."""
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    sam = copy.deepcopy(sam)
    for props in [sam.get("Globals", {}).get("Function", {})] + [r.get("Properties", {}) for r in sam["Resources"].values()]:
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = "s3://bucket/value"
    cfn = transform(sam, {}, _NoManagedPolicies(), passthrough_metadata=True)
    return json.loads(json.dumps(cfn, default=str))


@pytest.fixture(scope="session")
def manifest() -> dict:
    return load_manifest()


@pytest.fixture(scope="session")
def sam_template() -> dict:
    return load_sam_template()


@pytest.fixture(scope="session")
def cfn(sam_template) -> dict:
    return expand(sam_template)
