#!/usr/bin/env python3
"""Load test of the local API server on PostgreSQL, with wrk and pgbench as the ceiling.

Run through `scripts/bench api` (which builds the server and installs wrk). Usage:

    api.py --out DIR --server PATH [-c CONNECTIONS] [-d SECONDS]

Steps, each C connections (wrk -t2) for D seconds:
  1. GET /v1/me                        req/s, p50, p99
  2. GET /v1/tenants/{id}/members      req/s, p50, p99
  3. pgbench -S -c C -j 2 -T D         tps, latency average; each endpoint's req/s / tps
  4. GET /v1/me beside a login flood (POST /v1/sessions, wrk -t1 -c4): loaded p99 / quiet p99
     (quiet = step 1), target <= 2x, and logins/s
  5. the server's peak RSS (VmHWM)
Standard library only. Everything binds 127.0.0.1 and is stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from procstat import vm_hwm_kb

PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
API_DB = "bench_api"
PGBENCH_DB = "bench_pgbench"
PASSWORD = "bench-password-0123"
MEMBERS = 4  # extra accounts added to the tenant, so the member list has 5 rows
LOGIN_CONNECTIONS = 4
TARGET_P99_RATIO = 2.0
MB = 1_000_000

LOGIN_LUA = r"""
-- POST /v1/sessions with the right password; counts the status codes it gets back.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_LOGIN_BODY")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do io.write(string.format("status %d %d\n", code, n)) end
  end
end
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def psql(db: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db, "-v", "ON_ERROR_STOP=1", "-qtAc", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def recreate_db(name: str) -> None:
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{name}"')


def drop_db(name: str) -> None:
    try:
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except (subprocess.SubprocessError, OSError) as e:
        log(f"could not drop {name}: {e}")


def invitation_token(email: str) -> str:
    """The token the newest invitation of `email` was mailed with, read from the outbox."""
    rows = psql(
        API_DB,
        "SELECT payload->>'token' FROM outbox WHERE event_type = 'tenancy.member_invited' "
        f"AND payload->>'email' = '{email}' ORDER BY created_at DESC LIMIT 1",
    )
    return rows.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None):
    req = urllib.request.Request(base + path, method=method)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, data, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read()[:500]


UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def to_ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"unparsed wrk duration {text!r}")
    return float(m.group(1)) * UNITS_MS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """Parses wrk --latency output: req/s, percentiles (ms), counts, errors."""
    res: dict = {}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    res["requests_per_s"] = float(m.group(1)) if m else None
    pct = dict(re.findall(r"^\s+(\d+(?:\.\d+)?)%\s+(\S+)\s*$", out, re.M))
    for p in ("50", "75", "90", "99"):
        res[f"p{p}_ms"] = round(to_ms(pct[p]), 3) if p in pct else None
    m = re.search(r"^\s+Latency\s+(\S+)", out, re.M)
    res["avg_ms"] = round(to_ms(m.group(1)), 3) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    res["requests"] = int(m.group(1)) if m else None
    res["duration_s"] = round(to_ms(m.group(2)) / 1e3, 3) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    names = ("connect", "read", "write", "timeout")
    res["socket_errors"] = dict(zip(names, map(int, m.groups()) if m else (0, 0, 0, 0)))
    statuses: dict[str, int] = {}
    for code, n in re.findall(r"^status (\d+) (\d+)$", out, re.M):
        statuses[code] = statuses.get(code, 0) + int(n)
    if statuses:
        res["statuses"] = statuses
    return res


def wrk_cmd(url: str, threads: int, conns: int, secs: int, token: str | None = None, script: str | None = None) -> list[str]:
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{secs}s", "--latency", "--timeout", "5s"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", script]
    return cmd + [url]


def run_wrk(cmd: list[str], timeout: float) -> dict:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"wrk failed ({p.returncode}): {(p.stderr or p.stdout).strip()[:500]}")
    res = parse_wrk(p.stdout)
    res["raw"] = p.stdout
    return res


def parse_pgbench(out: str) -> dict:
    tps = re.search(r"^tps = ([\d.]+)", out, re.M)
    lat = re.search(r"^latency average = ([\d.]+) ms", out, re.M)
    tx = re.search(r"number of transactions actually processed: (\d+)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {
        "tps": round(float(tps.group(1)), 1) if tps else None,
        "latency_avg_ms": float(lat.group(1)) if lat else None,
        "transactions": int(tx.group(1)) if tx else None,
        "failed": int(failed.group(1)) if failed else 0,
    }


def die_with_parent() -> None:
    """In the child: SIGKILL it if this harness dies without cleaning up (Linux prctl)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("-c", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "16")), help="connections")
    ap.add_argument("-d", type=int, default=int(os.environ.get("BENCH_DURATION", "10")), help="whole seconds per step")
    a = ap.parse_args()
    conns, dur = a.c, a.d
    if conns < 2 or not (1 <= dur <= 120):
        ap.error("need -c >= 2 and 1 <= -d <= 120")
    if not os.access(a.server, os.X_OK):
        log(f"missing server binary: {a.server} (build it, or drop --no-build)")
        return 1
    os.makedirs(a.out, exist_ok=True)
    wrk_timeout = dur + 30

    server = None
    login_proc = None
    tmp = tempfile.TemporaryDirectory(prefix="bench-api-")
    failures: list[str] = []
    try:
        log(f"databases: {API_DB}, {PGBENCH_DB} (recreated)")
        recreate_db(API_DB)
        recreate_db(PGBENCH_DB)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SQLITE_", "AWS_"))}
        env.update(
            DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{API_DB}",
            HOST="127.0.0.1",
            PORT=str(port),
            RUST_LOG=os.environ.get("RUST_LOG") or "warn",
            # The load comes from one address and a few sessions: limits would measure 429s.
            RATE_LIMITS="off",
        )
        if os.environ.get("DATABASE_MAX_CONNECTIONS"):
            env["DATABASE_MAX_CONNECTIONS"] = os.environ["DATABASE_MAX_CONNECTIONS"]
        server_log_path = os.path.join(a.out, "api-server.log")
        server_log = open(server_log_path, "w")
        server = subprocess.Popen(
            [a.server], env=env, stdin=subprocess.DEVNULL, stdout=server_log, stderr=server_log, preexec_fn=die_with_parent
        )
        log(f"server pid {server.pid} on {base} (log: {os.path.relpath(server_log_path)})")
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"server exited ({server.returncode}); see {server_log_path}")
            try:
                if call(base, "GET", "/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /v1/health within 60s")
            time.sleep(0.2)

        # Seed: one owner with a tenant, plus members; every account has the same password.
        run_id = secrets.token_hex(4)
        owner_email = f"owner-{run_id}@bench.example"
        st, body = call(base, "POST", "/v1/signup", {"email": owner_email, "password": PASSWORD})
        if st != 201:
            raise RuntimeError(f"signup: {st} {body!r}")
        token = body["token"]
        st, body = call(base, "POST", "/v1/tenants", {"name": "Bench Tenant"}, token)
        if st != 201:
            raise RuntimeError(f"create tenant: {st} {body!r}")
        tenant_id = body["id"]
        added = 0
        for i in range(MEMBERS):
            email = f"member{i}-{run_id}@bench.example"
            st, b = call(base, "POST", "/v1/signup", {"email": email, "password": PASSWORD})
            if st == 201:
                member_token = b["token"]
                st, b = call(base, "POST", f"/v1/tenants/{tenant_id}/invitations", {"email": email, "role": "member"}, token)
            if st == 202:
                st, b = call(base, "POST", "/v1/invitations/accept", {"token": invitation_token(email)}, member_token)
            if st == 200:
                added += 1
            else:
                log(f"seed: adding member {i} failed: {st} {b!r}")
        st, b = call(base, "POST", "/v1/sessions", {"email": owner_email, "password": PASSWORD})
        if st != 201:
            raise RuntimeError(f"login check: {st} {b!r}")
        for path in ("/v1/me", f"/v1/tenants/{tenant_id}/members"):
            st, b = call(base, "GET", path, token=token)
            if st != 200:
                raise RuntimeError(f"GET {path}: {st} {b!r}")
        log(f"seeded: tenant {tenant_id}, {1 + added} members")

        me_url = f"{base}/v1/me"
        members_url = f"{base}/v1/tenants/{tenant_id}/members"
        log("warm-up: 2s")
        run_wrk(wrk_cmd(me_url, 2, conns, 1, token), wrk_timeout)
        run_wrk(wrk_cmd(members_url, 2, conns, 1, token), wrk_timeout)

        log(f"1/4 GET /v1/me: {conns} connections, {dur:g}s")
        me = run_wrk(wrk_cmd(me_url, 2, conns, dur, token), wrk_timeout)
        log(f"2/4 GET /v1/tenants/{{id}}/members: {conns} connections, {dur:g}s")
        members = run_wrk(wrk_cmd(members_url, 2, conns, dur, token), wrk_timeout)

        log(f"3/4 pgbench -S: {conns} clients, {dur:g}s")
        pg_args = ["-h", PG["host"], "-p", PG["port"], "-U", PG["user"]]
        subprocess.run(["pgbench", "-i", "-s", "1", "-q", *pg_args, PGBENCH_DB], check=True, capture_output=True, timeout=120)
        p = subprocess.run(
            ["pgbench", "-S", "-n", "-c", str(conns), "-j", "2", "-T", f"{dur:g}", *pg_args, PGBENCH_DB],
            capture_output=True,
            text=True,
            timeout=wrk_timeout,
        )
        if p.returncode != 0:
            raise RuntimeError(f"pgbench failed: {p.stderr.strip()}")
        pgb = parse_pgbench(p.stdout)
        pgb["raw"] = p.stdout
        rss_before_logins_kb = vm_hwm_kb(server.pid)

        log(f"4/4 GET /v1/me beside a login flood ({LOGIN_CONNECTIONS} connections): {dur:g}s")
        script = os.path.join(tmp.name, "login.lua")
        with open(script, "w") as f:
            f.write(LOGIN_LUA)
        login_env = dict(os.environ, BENCH_LOGIN_BODY=json.dumps({"email": owner_email, "password": PASSWORD}))
        # The flood starts 0.5s early and ends 0.5s late, so it covers the whole measured run.
        login_proc = subprocess.Popen(
            wrk_cmd(f"{base}/v1/sessions", 1, LOGIN_CONNECTIONS, dur + 1, script=script),
            env=login_env,
            preexec_fn=die_with_parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)
        loaded = run_wrk(wrk_cmd(me_url, 2, conns, dur, token), wrk_timeout)
        lout, lerr = login_proc.communicate(timeout=wrk_timeout)
        if login_proc.returncode != 0:
            raise RuntimeError(f"login wrk failed: {(lerr or lout).strip()[:500]}")
        login_proc = None
        logins = parse_wrk(lout)
        logins["raw"] = lout
        ok_logins = logins.get("statuses", {}).get("201")
        if ok_logins is None and logins["requests"] is not None:
            ok_logins = logins["requests"] - logins["non_2xx"]
        logins["ok"] = ok_logins
        logins["ok_per_s"] = round(ok_logins / logins["duration_s"], 1) if ok_logins is not None and logins["duration_s"] else None

        rss_kb = vm_hwm_kb(server.pid)
        if server.poll() is not None:
            failures.append(f"server exited during the run ({server.returncode})")
    except (RuntimeError, subprocess.SubprocessError, OSError, KeyError, ValueError) as e:
        log(f"FAILED: {e}")
        if isinstance(e, subprocess.CalledProcessError):
            log(str(e.stderr))
        return 1
    finally:
        if login_proc is not None:
            login_proc.kill()
            login_proc.wait()
        stop(server)
        tmp.cleanup()
        drop_db(API_DB)
        drop_db(PGBENCH_DB)

    for name, r in (("GET /v1/me", me), ("GET /members", members), ("GET /v1/me (loaded)", loaded)):
        if r["non_2xx"]:
            failures.append(f"{name}: {r['non_2xx']} non-2xx responses")
        if r["requests_per_s"] is None or r["p99_ms"] is None:
            failures.append(f"{name}: wrk output not parsed")
    if pgb["tps"] is None:
        failures.append("pgbench output not parsed")
    if logins["non_2xx"]:
        failures.append(f"logins: {logins['non_2xx']} non-2xx responses {logins.get('statuses')}")

    def ratio(x, y):
        return round(x / y, 3) if x is not None and y else None

    p99_ratio = ratio(loaded["p99_ms"], me["p99_ms"])
    strip = lambda r: {k: v for k, v in r.items() if k != "raw"}  # noqa: E731
    report = {
        "benchmark": "api",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "kernel": platform.release()},
        "config": {
            "connections": conns,
            "duration_s": dur,
            "wrk_threads": 2,
            "login_connections": LOGIN_CONNECTIONS,
            "rust_log": env["RUST_LOG"],
            "database": f"postgresql 127.0.0.1:5432/{API_DB}",
            "members_in_tenant": 1 + added,
        },
        "me": strip(me),
        "members": strip(members),
        "pgbench_select_only": {k: v for k, v in pgb.items() if k != "raw"},
        "ratio_to_pgbench": {
            "me": ratio(me["requests_per_s"], pgb["tps"]),
            "members": ratio(members["requests_per_s"], pgb["tps"]),
        },
        "me_under_login_flood": {
            "quiet_p99_ms": me["p99_ms"],
            "loaded_p99_ms": loaded["p99_ms"],
            "p99_ratio": p99_ratio,
            "target_ratio_max": TARGET_P99_RATIO,
            "pass": p99_ratio is not None and p99_ratio <= TARGET_P99_RATIO,
            "loaded": strip(loaded),
            "logins": strip(logins),
            "logins_per_s": logins["ok_per_s"],
        },
        "server_peak_rss_mb": round(rss_kb * 1024 / MB, 2) if rss_kb else None,
        "server_peak_rss_before_logins_mb": round(rss_before_logins_kb * 1024 / MB, 2) if rss_before_logins_kb else None,
        "failures": failures,
        "raw": {"me": me["raw"], "members": members["raw"], "pgbench": pgb["raw"], "loaded": loaded["raw"], "logins": logins["raw"]},
    }
    out = os.path.join(a.out, "api.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    f2 = lambda v, spec=".2f": "-" if v is None else format(v, spec)  # noqa: E731
    rows = [
        ["step", "req/s", "p50 ms", "p99 ms", "vs pgbench tps", "note"],
        ["GET /v1/me", f2(me["requests_per_s"], ".0f"), f2(me["p50_ms"]), f2(me["p99_ms"]), f2(report["ratio_to_pgbench"]["me"]), ""],
        [
            "GET /v1/tenants/{id}/members",
            f2(members["requests_per_s"], ".0f"),
            f2(members["p50_ms"]),
            f2(members["p99_ms"]),
            f2(report["ratio_to_pgbench"]["members"]),
            f"{1 + added} members",
        ],
        ["pgbench -S (ceiling)", f2(pgb["tps"], ".0f"), "-", "-", "1.00", f"latency avg {f2(pgb['latency_avg_ms'], '.3f')} ms"],
        [
            "GET /v1/me + login flood",
            f2(loaded["requests_per_s"], ".0f"),
            f2(loaded["p50_ms"]),
            f2(loaded["p99_ms"]),
            f2(ratio(loaded["requests_per_s"], pgb["tps"])),
            f"p99 {f2(p99_ratio)}x quiet (<=2) {'PASS' if report['me_under_login_flood']['pass'] else 'FAIL'}",
        ],
        ["POST /v1/sessions (flood)", f2(logins["ok_per_s"], ".1f"), f2(logins["p50_ms"]), f2(logins["p99_ms"]), "-", f"{LOGIN_CONNECTIONS} connections, logins/s"],
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(f"api: {conns} connections, {dur:g}s per step, wrk -t2, PostgreSQL, RUST_LOG={env['RUST_LOG']}")
    for j, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i in (0, 5) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print(
        f"server peak RSS (VmHWM): {f2(report['server_peak_rss_mb'], '.1f')} MB at the end, "
        f"{f2(report['server_peak_rss_before_logins_mb'], '.1f')} MB before the login flood"
    )
    print(f"\nwrote {os.path.relpath(out)}")
    for msg in failures:
        log(f"FAILED: {msg}")
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    sys.exit(main())
