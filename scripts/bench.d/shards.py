#!/usr/bin/env python3
"""What tenant sharding costs a request: the local server unsharded against the same server
with two shards, on one PostgreSQL server, in one run.

Run through `scripts/bench shards` (which builds the server and installs wrk). Usage:

    shards.py --out DIR --server PATH [-c CONNECTIONS] [-d SECONDS] [-r ROUNDS]

Two servers run side by side: `unsharded` on database bench_shards_u, and `sharded` with its
home database bench_shards_home and DATABASE_SHARDS s1, s2 (bench_shards_s1, bench_shards_s2),
new tenants placed on the shards only. Each gets one owner, a tenant (on a shard, for the
sharded one) and four members; the unsharded server's pool has 10 connections and each of the
sharded server's three has 5, so that both have 10 for a request's databases. The job consumers
are off (JOBS_IN_PROCESS=false), as in AWS, where they run in the jobs worker: each write still
relays its event. Then, ROUNDS times (default 3), alternating the servers so that
the machine's drift hits both alike, C connections (wrk -t2) for D seconds each:
  1. GET /v1/tenants/{id}/members             a routed read (the members, their emails from home)
  2. PATCH /v1/tenants/{id}/members/{user_id}  a routed write (a role set, in a transaction)
The table shows each server's median req/s, p50 and p99 over the rounds and sharded / unsharded.
All databases live on one server on the same two cores, so this measures the routing (the
route cache, a lookup when it expires, the home directory read), not the write capacity that
shards on separate clusters add. Standard library only; everything binds 127.0.0.1 and is
stopped on exit, and the databases are dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from api import PASSWORD, PG, call, die_with_parent, drop_db, free_port, log, psql, recreate_db, run_wrk, stop, wrk_cmd

MEMBERS = 4
POOL = 10  # the local server's default DATABASE_MAX_CONNECTIONS
ROUTE_TTL_SECONDS = 5

PATCH_LUA = r"""
-- PATCH one membership's role, the same body every time.
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"role":"admin"}'
"""


def url(db: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db}"


def invitation_token(databases: list[str], email: str) -> str:
    """The token `email`'s newest invitation was mailed with, from whichever outbox holds it."""
    for db in databases:
        token = psql(
            db,
            "SELECT payload->>'token' FROM outbox WHERE event_type = 'tenancy.member_invited' "
            f"AND payload->>'email' = '{email}' ORDER BY created_at DESC LIMIT 1",
        ).strip()
        if token:
            return token
    raise RuntimeError(f"no invitation for {email} in {databases}")


class Server:
    """One server on its own databases, seeded with an owner, a tenant and its members."""

    def __init__(self, name: str, binary: str, out: str, databases: list[str], shards: dict[str, str], pool: int):
        self.name = name
        self.databases = databases
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SQLITE_", "AWS_"))}
        env.update(
            DATABASE_URL=url(databases[0]),
            HOST="127.0.0.1",
            PORT=str(port),
            RUST_LOG=os.environ.get("RUST_LOG") or "warn",
            # The load comes from one address and one session: limits would measure 429s.
            RATE_LIMITS="off",
            DATABASE_MAX_CONNECTIONS=str(pool),
            # The request path only, as in AWS, where the consumers run in the jobs worker: each
            # write still relays its event from the outbox, and nothing consumes it here.
            JOBS_IN_PROCESS="false",
        )
        if shards:
            env["DATABASE_SHARDS"] = ",".join(f"{k}={v}" for k, v in shards.items())
            env["DATABASE_SHARDS_OPEN"] = ",".join(shards)
            env["DATABASE_SHARD_ROUTE_TTL_SECONDS"] = str(ROUTE_TTL_SECONDS)
        self.log_path = os.path.join(out, f"shards-{name}-server.log")
        log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary], env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, preexec_fn=die_with_parent
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                if call(self.base, "GET", "/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} server did not answer /v1/health within 60s")
            time.sleep(0.2)
        self.seed()

    def seed(self) -> None:
        st, body = call(self.base, "POST", "/v1/signup", {"email": f"owner@{self.name}.bench", "password": PASSWORD})
        if st != 201:
            raise RuntimeError(f"{self.name} signup: {st} {body!r}")
        self.token = body["token"]
        st, body = call(self.base, "POST", "/v1/tenants", {"name": "Bench Tenant"}, self.token)
        if st != 201:
            raise RuntimeError(f"{self.name} create tenant: {st} {body!r}")
        self.tenant = body["id"]
        self.member = None
        for i in range(MEMBERS):
            email = f"member{i}@{self.name}.bench"
            st, b = call(self.base, "POST", "/v1/signup", {"email": email, "password": PASSWORD})
            if st != 201:
                raise RuntimeError(f"{self.name} signup {email}: {st} {b!r}")
            member_token, user_id = b["token"], b["user_id"]
            st, b = call(self.base, "POST", f"/v1/tenants/{self.tenant}/invitations", {"email": email, "role": "member"}, self.token)
            if st != 202:
                raise RuntimeError(f"{self.name} invite {email}: {st} {b!r}")
            token = invitation_token(self.databases, email)
            st, b = call(self.base, "POST", "/v1/invitations/accept", {"token": token}, member_token)
            if st != 200:
                raise RuntimeError(f"{self.name} accept {email}: {st} {b!r}")
            self.member = user_id
        for method, path, body in self.steps():
            st, b = call(self.base, method, path, body, self.token)
            if st != 200:
                raise RuntimeError(f"{self.name} {method} {path}: {st} {b!r}")

    def steps(self):
        members = f"/v1/tenants/{self.tenant}/members"
        return [("GET", members, None), ("PATCH", f"{members}/{self.member}", {"role": "admin"})]

    def shard_of_tenant(self) -> str:
        if len(self.databases) == 1:
            return "main"
        row = psql(self.databases[0], f"SELECT shard FROM tenant_shards WHERE tenant_id = '{self.tenant}'").strip()
        return row or "main"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("-c", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "16")), help="connections")
    ap.add_argument("-d", type=int, default=int(os.environ.get("BENCH_DURATION", "8")), help="whole seconds per run")
    ap.add_argument("-r", type=int, default=3, help="rounds")
    a = ap.parse_args()
    conns, dur, rounds = a.c, a.d, a.r
    if conns < 2 or not (1 <= dur <= 120) or not (1 <= rounds <= 10):
        ap.error("need -c >= 2, 1 <= -d <= 120 and 1 <= -r <= 10")
    if not os.access(a.server, os.X_OK):
        log(f"missing server binary: {a.server} (build it, or drop --no-build)")
        return 1
    os.makedirs(a.out, exist_ok=True)
    # Each database gets a pool of its own: the sharded server's are half the size, so that a
    # request on a tenant of s1 has as many connections (home and s1) as the unsharded one has.
    layouts = {
        "unsharded": (["bench_shards_u"], {}, POOL),
        "sharded": (
            ["bench_shards_home", "bench_shards_s1", "bench_shards_s2"],
            {"s1": url("bench_shards_s1"), "s2": url("bench_shards_s2")},
            POOL // 2,
        ),
    }
    every_db = [db for dbs, _, _ in layouts.values() for db in dbs]
    servers: dict[str, Server] = {}
    runs: dict[str, dict[str, list[dict]]] = {}
    tmp = tempfile.TemporaryDirectory(prefix="bench-shards-")
    script = os.path.join(tmp.name, "patch.lua")
    with open(script, "w") as f:
        f.write(PATCH_LUA)
    try:
        log(f"databases: {', '.join(every_db)} (recreated)")
        for db in every_db:
            recreate_db(db)
        for name, (dbs, shards, pool) in layouts.items():
            servers[name] = Server(name, a.server, a.out, dbs, shards, pool)
            log(f"{name}: {servers[name].base}, tenant {servers[name].tenant} on {servers[name].shard_of_tenant()}")
        steps = ["read", "write"]
        runs = {step: {name: [] for name in servers} for step in steps}

        def run(server: Server, step: str, secs: int) -> dict:
            method, path, _ = server.steps()[steps.index(step)]
            cmd = wrk_cmd(server.base + path, 2, conns, secs, server.token, script if method == "PATCH" else None)
            return run_wrk(cmd, secs + 30)

        log("warm-up: 1s each")
        for server in servers.values():
            for step in steps:
                run(server, step, 1)
        for i in range(rounds):
            for step in steps:
                for name, server in servers.items():
                    log(f"round {i + 1}/{rounds}: {step} on {name}, {conns} connections, {dur}s")
                    runs[step][name].append(run(server, step, dur))
        for name, server in servers.items():
            if server.proc.poll() is not None:
                raise RuntimeError(f"{name} server exited during the run; see {server.log_path}")
    except (RuntimeError, subprocess.SubprocessError, OSError, KeyError, ValueError) as e:
        log(f"FAILED: {e}")
        if isinstance(e, subprocess.CalledProcessError):
            log(str(e.stderr))
        return 1
    finally:
        for server in servers.values():
            stop(server.proc)
        tmp.cleanup()
        for db in every_db:
            drop_db(db)

    failures = []
    summary: dict[str, dict] = {}
    for step, by_server in runs.items():
        summary[step] = {}
        for name, results in by_server.items():
            bad = sum(r["non_2xx"] or 0 for r in results)
            if bad:
                failures.append(f"{step} on {name}: {bad} non-2xx responses")
            median = lambda key: statistics.median(r[key] for r in results if r[key] is not None)  # noqa: E731
            summary[step][name] = {
                "requests_per_s": round(median("requests_per_s"), 1),
                "p50_ms": round(median("p50_ms"), 3),
                "p99_ms": round(median("p99_ms"), 3),
                "rounds": [r["requests_per_s"] for r in results],
            }
        u, s = summary[step]["unsharded"], summary[step]["sharded"]
        summary[step]["sharded_over_unsharded"] = {
            "requests_per_s": round(s["requests_per_s"] / u["requests_per_s"], 3),
            "p99_ms": round(s["p99_ms"] / u["p99_ms"], 3),
        }

    report = {
        "benchmark": "shards",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "kernel": platform.release()},
        "config": {
            "connections": conns,
            "duration_s": dur,
            "rounds": rounds,
            "wrk_threads": 2,
            "members_in_tenant": 1 + MEMBERS,
            "route_ttl_seconds": ROUTE_TTL_SECONDS,
            "databases": {name: dbs for name, (dbs, _, _) in layouts.items()},
            "pool_per_database": {name: pool for name, (_, _, pool) in layouts.items()},
            "one_postgresql_server": f"{PG['host']}:{PG['port']}",
        },
        "steps": {"read": "GET /v1/tenants/{id}/members", "write": "PATCH /v1/tenants/{id}/members/{user_id}"},
        "results": summary,
        "failures": failures,
    }
    out = os.path.join(a.out, "shards.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    rows = [["step", "server", "req/s", "p50 ms", "p99 ms", "sharded / unsharded"]]
    for step, label in report["steps"].items():
        for name in ("unsharded", "sharded"):
            r = summary[step][name]
            ratio = summary[step]["sharded_over_unsharded"]
            note = f"{ratio['requests_per_s']:.2f}x req/s, {ratio['p99_ms']:.2f}x p99" if name == "sharded" else ""
            rows.append([label, name, f"{r['requests_per_s']:.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", note])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(f"shards: {conns} connections, {dur}s a run, median of {rounds} alternating rounds, wrk -t2, one PostgreSQL server")
    for j, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i in (0, 1, 5) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nwrote {os.path.relpath(out)}")
    for msg in failures:
        log(f"FAILED: {msg}")
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    sys.exit(main())
