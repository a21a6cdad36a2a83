#!/usr/bin/env python3
"""Cold-start benchmark of lambda_http binaries against a local Lambda Runtime API emulator.

Run through `scripts/bench cold-start`. Usage:

    coldstart.py --out DIR [-n N] [--database-url URL] [--event NAME=FILE]...
                 [--db-variant NAME=PATH,FILE,DATABASE_URL]... ROLE=PATH...
        (ROLE: baseline | function; one baseline. A --db-variant is one more function, PATH
        started under NAME with FILE's event and its own DATABASE_URL: the same binary's first
        database request directly and through a pooler, say.)

For each start: spawn the binary with AWS_LAMBDA_RUNTIME_API pointing at the emulator; its first
`GET /2018-06-01/runtime/invocation/next` gets an API Gateway v2 `GET /v1/health` event, or, for a
binary named in `--event`, that file's event (an SQS batch for a queue consumer, a schedule for a
scheduled function); the time its `POST .../invocation/{id}/response` arrives, measured from just
before the spawn, is the cold start. A health response must be 200; any other response must be
JSON without an error and, for an SQS batch, without batch item failures. The emulator then holds the next `/next` open, so the process stays alive while its peak
RSS (VmHWM) is read, and then kills it. One unmeasured start per binary first warms the page
cache, so each binary is read from memory alike. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from procstat import vm_hwm_kb

API = "/2018-06-01/runtime"
RUN_TIMEOUT_S = 10.0  # a start that has not answered by then is a failure
TARGET_RATIO = 1.25
TARGET_SIZE_MB = 8.0
TARGET_RSS_MB = 20.0
MB = 1_000_000
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def health_event(request_id: str) -> dict:
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "GET /v1/health",
        "rawPath": "/v1/health",
        "rawQueryString": "",
        "headers": {
            "accept": "application/json",
            "host": "bench.execute-api.us-east-1.amazonaws.com",
            "user-agent": "scripts/bench",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "bench.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "bench",
            "http": {
                "method": "GET",
                "path": "/v1/health",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "scripts/bench",
            },
            "requestId": request_id,
            "routeKey": "GET /v1/health",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }


class Run:
    """One start of one binary: what the emulator serves it and what it saw."""

    def __init__(self, name: str, event: dict | None):
        self.name = name
        self.event = event  # None: the health event
        self.request_id = str(uuid.uuid4())
        self.served = False  # the invocation has been handed out
        self.t0 = 0  # perf_counter_ns just before spawn
        self.t_response: int | None = None
        self.error: str | None = None
        self.status: int | None = None
        self.answered = threading.Event()  # response or error posted
        self.finished = threading.Event()  # measured and killed: release blocked /next calls


class Emulator(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, run: Run):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.run: Run | None = run

    def handle_error(self, request, client_address):
        # A killed process drops its connections mid-request: expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Emulator

    def log_message(self, *args):  # quiet
        pass

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            return self.rfile.read(n)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def _send(self, code: int, body: bytes = b"", headers: dict | None = None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != f"{API}/invocation/next":
            return self._send(404, b'{"errorMessage":"not found"}')
        with self.server.lock:
            run = self.server.run
            give = run is not None and not run.served
            if give:
                run.served = True
        if not give:
            # Second /next (or a stray one): hold it until the process has been measured and
            # killed; the connection then simply closes.
            if run is not None:
                run.finished.wait(RUN_TIMEOUT_S * 2)
            self.close_connection = True
            return
        body = json.dumps(run.event if run.event is not None else health_event(run.request_id)).encode()
        self._send(
            200,
            body,
            {
                "Lambda-Runtime-Aws-Request-Id": run.request_id,
                "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000),
                "Lambda-Runtime-Invoked-Function-Arn": f"arn:aws:lambda:us-east-1:123456789012:function:{run.name}",
                "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0",
            },
        )

    def do_POST(self):
        t = time.perf_counter_ns()
        body = self._body()
        run = self.server.run
        parts = self.path[len(API) :].strip("/").split("/") if self.path.startswith(API) else []
        if parts == ["init", "error"]:
            kind = "init error"
        elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            kind = "invocation error" if parts[2] == "error" else "response"
            if run is not None and parts[1] != run.request_id:
                kind = "unknown request id"
        else:
            return self._send(404, b'{"errorMessage":"not found"}')
        self._send(202, b'{"status":"OK"}')
        if run is None or run.answered.is_set():
            return
        if kind == "response":
            run.t_response = t
            run.error = response_error(run, body)
        else:
            run.error = f"{kind}: {body[:300]!r}"
        run.answered.set()


def response_error(run: Run, body: bytes) -> str | None:
    """Why a posted response is not a success, or None."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return f"response is not JSON: {body[:300]!r}"
    if not isinstance(answer, dict):
        return None
    if run.event is None:
        status = answer.get("statusCode")
        return None if status == 200 else f"response statusCode {status}: {body[:300]!r}"
    if "requestContext" in run.event and "rawPath" in run.event:
        # An HTTP event: a 5xx means the database (or another dependency) did not answer.
        status = answer.get("statusCode")
        if not isinstance(status, int) or status >= 500:
            return f"response statusCode {status}: {body[:300]!r}"
    if "errorMessage" in answer or answer.get("batchItemFailures"):
        return f"response reports a failure: {body[:300]!r}"
    return None


def start_once(name: str, path: str, env: dict, log, event: dict | None = None) -> Run:
    # A fresh emulator (and port) per start, so that a late request from an earlier, killed
    # process can never take this start's invocation.
    run = Run(name, event)
    emu = Emulator(run)
    server = threading.Thread(target=emu.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    server.start()
    env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{emu.server_address[1]}")
    run.t0 = time.perf_counter_ns()
    proc = subprocess.Popen([path], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not run.answered.wait(0.2):
            code = proc.poll()
            if code is not None and not run.answered.wait(0.2):
                run.error = f"exited {code} without a response"
                break
            if time.monotonic() > deadline:
                run.error = f"no response within {RUN_TIMEOUT_S:.0f}s"
                break
        hwm = vm_hwm_kb(proc.pid)
        run.rss_kb = hwm  # type: ignore[attr-defined]
    finally:
        proc.kill()
        proc.wait()
        run.finished.set()
        emu.shutdown()
        emu.server_close()
        server.join()
    return run


def event_of(b: dict) -> dict | None:
    return b["event"]["event"] if b["event"] else None


def quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", "20")))
    ap.add_argument("--database-url", default=DATABASE_URL)
    ap.add_argument("--event", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--db-variant", action="append", default=[], metavar="NAME=PATH,FILE,DATABASE_URL")
    ap.add_argument("bins", nargs="+", metavar="ROLE=PATH")
    a = ap.parse_args()
    if a.n < 1:
        ap.error("-n must be >= 1")
    events = {}
    for spec in a.event:
        name, _, file = spec.partition("=")
        with open(file) as f:
            events[name] = {"file": os.path.relpath(file), "event": json.load(f)}

    bins = []
    for spec in a.bins:
        role, _, path = spec.partition("=")
        if role not in ("baseline", "function") or not path:
            ap.error(f"bad binary spec {spec!r}")
        if not os.access(path, os.X_OK):
            print(f"missing binary: {path} (build it, or drop --no-build)", file=sys.stderr)
            return 1
        name = os.path.basename(path)
        bins.append({"name": name, "role": role, "path": path, "event": events.get(name)})
    for spec in a.db_variant:
        name, _, rest = spec.partition("=")
        parts = rest.split(",", 2)
        if not name or len(parts) != 3:
            ap.error(f"bad --db-variant {spec!r}")
        path, file, url = parts
        if not os.access(path, os.X_OK):
            print(f"missing binary: {path} (build it, or drop --no-build)", file=sys.stderr)
            return 1
        with open(file) as f:
            event = {"file": os.path.relpath(file), "event": json.load(f)}
        bins.append({"name": name, "role": "function", "path": path, "event": event, "database_url": url})
    if sum(b["role"] == "baseline" for b in bins) != 1:
        ap.error("exactly one baseline")

    os.makedirs(a.out, exist_ok=True)
    logdir = os.path.join(a.out, "cold-start-logs")
    os.makedirs(logdir, exist_ok=True)

    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE_", "SQLITE_"))}
    base_env.update(
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128",
        AWS_LAMBDA_FUNCTION_VERSION="1",
        AWS_LAMBDA_LOG_FORMAT="JSON",
        AWS_REGION="us-east-1",
    )
    for b in bins:
        env = dict(base_env, AWS_LAMBDA_FUNCTION_NAME=b["name"])
        if b["role"] == "function":
            env["DATABASE_URL"] = b.get("database_url", a.database_url)
        b["env"] = env
        b["log"] = open(os.path.join(logdir, f"{b['name']}.log"), "w")
        b["samples"], b["rss_kb"], b["errors"] = [], [], []

    print(f"cold start: {len(bins)} binaries x {a.n} starts, emulator on 127.0.0.1 (a fresh port per start)", file=sys.stderr)
    try:
        for b in bins:  # warm-up: page cache, not measured
            start_once(b["name"], b["path"], b["env"], b["log"], event_of(b))
        for i in range(a.n):
            k = i % len(bins)
            for b in bins[k:] + bins[:k]:  # rotate the order each round
                r = start_once(b["name"], b["path"], b["env"], b["log"], event_of(b))
                if r.error:
                    b["errors"].append(r.error)
                else:
                    b["samples"].append((r.t_response - r.t0) / 1e6)
                if r.rss_kb is not None:
                    b["rss_kb"].append(r.rss_kb)
            if sys.stderr.isatty():
                print(f"\r  round {i + 1}/{a.n}", end="", file=sys.stderr, flush=True)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    finally:
        for b in bins:
            b["log"].close()

    base = next(b for b in bins if b["role"] == "baseline")
    base_median = quantile(base["samples"], 0.5)
    results = []
    for b in bins:
        med = quantile(b["samples"], 0.5)
        size_mb = os.path.getsize(b["path"]) / MB
        rss_mb = max(b["rss_kb"]) * 1024 / MB if b["rss_kb"] else None
        ratio = med / base_median if b["samples"] and base["samples"] else None
        res = {
            "name": b["name"],
            "role": b["role"],
            "path": os.path.relpath(b["path"]),
            "starts": a.n,
            "ok": len(b["samples"]),
            "failures": len(b["errors"]),
            "errors": b["errors"][:5],
            "median_ms": round(med, 3) if b["samples"] else None,
            "p90_ms": round(quantile(b["samples"], 0.9), 3) if b["samples"] else None,
            "min_ms": round(min(b["samples"]), 3) if b["samples"] else None,
            "max_ms": round(max(b["samples"]), 3) if b["samples"] else None,
            "ratio_to_baseline": round(ratio, 3) if ratio is not None else None,
            "event": b["event"]["file"] if b["event"] else "GET /v1/health",
            "size_bytes": os.path.getsize(b["path"]),
            "size_mb": round(size_mb, 3),
            "peak_rss_mb": round(rss_mb, 3) if rss_mb is not None else None,
            "samples_ms": [round(x, 3) for x in b["samples"]],
        }
        res["pass"] = {
            "ratio": ratio is not None and ratio <= TARGET_RATIO,
            "size": size_mb <= TARGET_SIZE_MB,
            "rss": rss_mb is not None and rss_mb <= TARGET_RSS_MB,
        }
        results.append(res)

    report = {
        "benchmark": "cold-start",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "kernel": platform.release()},
        "method": "spawn -> first response POSTed to a local Lambda Runtime API emulator (loopback); "
        "GET /v1/health API Gateway v2 event unless the binary's `event` says otherwise; 1 unmeasured warm-up start per binary; "
        "rounds rotate the binaries; peak RSS = VmHWM after the response, max over starts; 1 MB = 10^6 bytes",
        "starts_per_binary": a.n,
        "targets": {"median_ratio_max": TARGET_RATIO, "size_mb_max": TARGET_SIZE_MB, "peak_rss_mb_max": TARGET_RSS_MB},
        "baseline_median_ms": round(base_median, 3) if base["samples"] else None,
        "binaries": results,
    }
    out = os.path.join(a.out, "cold-start.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    def cell(v, fmt, ok=None):
        s = "-" if v is None else format(v, fmt)
        return s if ok is None else f"{s} {'PASS' if ok else 'FAIL'}"

    rows = [["binary", "event", "ok/runs", "median ms", "p90 ms", "x baseline (<=1.25)", "size MB (<=8)", "peak RSS MB (<=20)"]]
    for r in results:
        base_row = r["role"] == "baseline"
        rows.append(
            [
                r["name"] + (" (baseline)" if base_row else ""),
                os.path.basename(r["event"]) if r["event"] != "GET /v1/health" else "health",
                f"{r['ok']}/{r['starts']}",
                cell(r["median_ms"], ".2f"),
                cell(r["p90_ms"], ".2f"),
                cell(r["ratio_to_baseline"], ".2f", None if base_row else r["pass"]["ratio"]),
                cell(r["size_mb"], ".2f", r["pass"]["size"]),
                cell(r["peak_rss_mb"], ".1f", r["pass"]["rss"]),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nwrote {os.path.relpath(out)}")

    failed = [r for r in results if r["failures"]]
    for r in failed:
        print(f"FAILED: {r['name']}: {r['failures']} of {r['starts']} starts did not answer: {r['errors'][0]}", file=sys.stderr)
        print(f"  its output: {os.path.relpath(os.path.join(logdir, r['name'] + '.log'))}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
