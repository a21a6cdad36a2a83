#!/usr/bin/env python3
"""The edge's WASM component beside the same routes served natively, in one run.

Run through `scripts/bench wasm` (which builds everything, installs wrk and measures the Lambda
cold start first). Usage:

    wasm.py --out DIR --server PATH --host PATH --component PATH [--cold-start FILE]
            [-c CONNECTIONS] [-d SECONDS]

1. The component: its size, its compile time and 200 instantiations (p50, p99), from
   `wasm-host --measure`.
2. The origin: the local server (release) on a fresh SQLite file, rate limits off; one account
   signs up for a session token.
3. The edge: `wasm-host` serving the component, allowed to call the origin, sessions cached 60 s.
4. wrk (-t2, C connections, D seconds) on GET /v1/plans and GET /v1/me (with the token), on the
   local server and on the component: req/s, p50, p99, and the component's req/s over the
   server's.
5. The Lambda cold start of `tenants-api` answering GET /v1/plans, from FILE (coldstart.py's JSON).
Standard library only. Everything binds 127.0.0.1 and is stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from api import call, die_with_parent, free_port, log, run_wrk, stop, wrk_cmd

PASSWORD = "bench-password-0123"
INSTANTIATIONS = 200


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def wait_healthy(base: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            status, _ = call(base, "GET", "/v1/plans")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer on {base} within 30 s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--component", required=True)
    ap.add_argument("--cold-start")
    ap.add_argument("-c", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "16")))
    ap.add_argument("-d", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    measured = json.loads(subprocess.run(
        [a.host, "--measure", str(INSTANTIATIONS), a.component],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout)
    micros = measured["instantiate_us"]
    component = {
        "size_bytes": os.path.getsize(a.component),
        "compile_ms": measured["compile_ms"],
        "instantiate_p50_us": quantile(micros, 0.5),
        "instantiate_p99_us": quantile(micros, 0.99),
    }

    server = host = None
    with tempfile.TemporaryDirectory(prefix="bench-wasm-") as tmp:
        try:
            origin_port, edge_port = free_port(), free_port()
            origin = f"http://127.0.0.1:{origin_port}"
            edge = f"http://127.0.0.1:{edge_port}"
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AWS_"))}
            env.update(
                PORT=str(origin_port), HOST="127.0.0.1", SQLITE_PATH=os.path.join(tmp, "origin.sqlite"),
                MAIL_DIR=os.path.join(tmp, "mail"), RATE_LIMITS="off", JOBS_IN_PROCESS="false",
                RUST_LOG=os.environ.get("RUST_LOG", "warn"),
            )
            server = subprocess.Popen([a.server], env=env, preexec_fn=die_with_parent,
                                      stdout=subprocess.DEVNULL, stderr=open(os.path.join(a.out, "wasm-origin.log"), "w"))
            wait_healthy(origin, server, "the local server")
            status, body = call(origin, "POST", "/v1/signup", {"email": "bench@example.com", "password": PASSWORD})
            if status != 201:
                raise RuntimeError(f"signup answered {status}: {body}")
            token = body["token"]

            host_env = dict(os.environ, ALLOWED_OUTBOUND=f"127.0.0.1:{origin_port}")
            host = subprocess.Popen(
                [a.host, a.component, f"127.0.0.1:{edge_port}", f"origin_url={origin}", "session_cache_seconds=60"],
                env=host_env, preexec_fn=die_with_parent, stdout=subprocess.DEVNULL,
                stderr=open(os.path.join(a.out, "wasm-host.log"), "w"),
            )
            wait_healthy(edge, host, "wasm-host")
            for base in (origin, edge):
                status, _ = call(base, "GET", "/v1/me", token=token)
                if status != 200:
                    raise RuntimeError(f"GET /v1/me on {base} answered {status}")

            steps = []
            for route, needs_token in (("/v1/plans", False), ("/v1/me", True)):
                for name, base in (("local server", origin), ("wasm component", edge)):
                    log(f"{route} on the {name}: wrk -c{a.c} -d{a.d}s")
                    r = run_wrk(wrk_cmd(base + route, 2, a.c, a.d, token if needs_token else None), a.d + 60)
                    r.pop("raw", None)
                    steps.append({"route": route, "served_by": name, **r})
        finally:
            stop(host)
            stop(server)

    for route in ("/v1/plans", "/v1/me"):
        native, wasm = (s for s in steps if s["route"] == route)
        wasm["ratio_to_native"] = round(wasm["requests_per_s"] / native["requests_per_s"], 3)
    cold = None
    if a.cold_start and os.path.exists(a.cold_start):
        with open(a.cold_start) as f:
            report = json.load(f)
        cold = {
            "baseline_median_ms": report.get("baseline_median_ms"),
            "functions": [
                {k: b.get(k) for k in ("name", "median_ms", "p90_ms", "ratio_to_baseline")}
                for b in report.get("binaries", []) if b.get("role") == "function"
            ],
        }
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "connections": a.c, "duration_s": a.d,
        "component": component, "steps": steps, "lambda_cold_start": cold,
    }
    out = os.path.join(a.out, "wasm.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)

    print(f"\ncomponent {component['size_bytes'] / 1e3:.0f} KB, compiled in {component['compile_ms']:.0f} ms, "
          f"instantiated in {component['instantiate_p50_us']} us (p50) / {component['instantiate_p99_us']} us (p99)")
    rows = [["route", "served by", "req/s", "p50 ms", "p99 ms", "non-2xx", "x local server"]]
    for s in steps:
        rows.append([s["route"], s["served_by"], f"{s['requests_per_s']:.0f}", f"{s['p50_ms']:.3f}",
                     f"{s['p99_ms']:.3f}", str(s["non_2xx"]), f"{s.get('ratio_to_native', 1.0):.2f}"])
    if cold:
        for f in cold["functions"]:
            rows.append([f"{f['name']} cold start", "Lambda (emulated)", "", f"{f['median_ms']}", f"p90 {f['p90_ms']}", "",
                         f"{f['ratio_to_baseline']}x baseline"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
