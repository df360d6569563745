"""`demo-store` as a user runs it: serves until Ctrl+C or SIGTERM, then exits 0 (issue 18)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("BIGCOMMERCE_ACCESS_TOKEN", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backorder_desktop",
            "--data-dir",
            str(tmp_path),
            "demo-store",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _products(api_url: str, store_hash: str, token: str) -> int:
    reply = httpx.get(
        f"{api_url}/stores/{store_hash}/v3/catalog/products",
        headers={"X-Auth-Token": token},
        trust_env=False,
    )
    assert reply.status_code == 200
    return len(reply.json()["data"])


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_demo_store_serves_until_interrupted(tmp_path: Path, stop: signal.Signals) -> None:
    proc = _start(tmp_path, "--products", "5", "--orders", "3")
    try:
        assert proc.stdout is not None
        api_url, store_hash, token = (proc.stdout.readline().strip() for _ in range(3))
        assert api_url.startswith("http://127.0.0.1:")
        # Still serving after printing (it used to crash right here).
        assert _products(api_url, store_hash, token) == 5
        assert _products(api_url, store_hash, token) == 5
        assert proc.poll() is None
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    with pytest.raises(httpx.TransportError):
        httpx.get(api_url, trust_env=False, timeout=2)


def test_demo_store_json_and_reset(tmp_path: Path) -> None:
    proc = _start(tmp_path, "--json", "--products", "4", "--orders", "2")
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert set(first) == {"api_url", "store_hash", "token"}
        assert _products(first["api_url"], first["store_hash"], first["token"]) == 4
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert rest.strip() == ""  # one JSON document, nothing else on stdout

    # --reset starts over from the seed with the new sizes (the README's command).
    again = _start(tmp_path, "--json", "--reset", "--products", "6", "--orders", "2")
    try:
        assert again.stdout is not None
        second = json.loads(again.stdout.readline())
        assert _products(second["api_url"], second["store_hash"], second["token"]) == 6
        again.send_signal(signal.SIGINT)
        _out, err = again.communicate(timeout=30)
    finally:
        if again.poll() is None:
            again.kill()
            again.wait()
    assert again.returncode == 0, err


def test_demo_store_on_a_network_address_warns(tmp_path: Path) -> None:
    # `localhost` is a name the resolver (or a hosts file) decides on, not a loopback address.
    proc = _start(tmp_path, "--host", "localhost", "--products", "2", "--orders", "1")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("http://localhost:")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "not a loopback address" in err
