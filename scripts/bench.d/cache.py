#!/usr/bin/env python3
"""The seed's caching and session claims against the local API server, in one run.

Run through `scripts/bench cache`, which first runs the stores' part (shared/app/benches/cache.rs:
session lookups and rate-limit decisions per store) and starts Redis and moto server. Usage:

    cache.py --out DIR --server PATH --moto URL --redis URL [-c CONNECTIONS] [-d SECONDS]

1. GET /v1/me, C connections for D seconds, with sessions in the PostgreSQL table, in Redis,
   in DynamoDB (moto server: an emulator) and in process, beside `pgbench -S` and
   `redis-benchmark -t get` with C clients as the ceilings (target: 0.5x pgbench -S).
2. The dashboard: 1,000 requests paced over 60 s across 10 tenants, cached (CACHE_BACKEND=memory)
   against uncached (CACHE_BACKEND=off): recomputations (the X-Cache misses; target <= 2 per
   tenant per 60 s), and the database's transactions and the activity tables' scans behind
   them (pg_stat_database, pg_stat_user_tables); then req/s, p50 and p99 of one tenant's
   dashboard with wrk, cached against uncached.
Writes DIR/cache.json (with the stores' part merged in). Standard library only; everything
binds 127.0.0.1 and is stopped on exit.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.error
import time
import urllib.request

from api import (
    PG,
    call,
    die_with_parent,
    drop_db,
    free_port,
    log,
    parse_pgbench,
    psql,
    recreate_db,
    run_wrk,
    stop,
    wrk_cmd,
)

DB = "bench_cache"
PGBENCH_DB = "bench_pgbench"
PASSWORD = "bench-password-0123"
TENANTS = 10
DASHBOARD_REQUESTS = 1000
DASHBOARD_SECONDS = 60
TARGET_ME_RATIO = 0.5
TARGET_RECOMPUTES = 2


def dynamodb(moto: str, action: str, body: dict) -> dict:
    """One DynamoDB JSON call to moto server, which does not check signatures."""
    req = urllib.request.Request(moto, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/x-amz-json-1.0")
    req.add_header("X-Amz-Target", f"DynamoDB_20120810.{action}")
    req.add_header(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def sessions_table(moto: str) -> str:
    name = f"bench-sessions-{secrets.token_hex(4)}"
    dynamodb(
        moto,
        "CreateTable",
        {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "user_id", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by_user",
                    "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        },
    )
    return name


class Server:
    """The release server on the bench database with extra settings; stopped on exit."""

    def __init__(self, binary: str, out: str, name: str, extra: dict[str, str]):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SQLITE_", "SESSIONS_", "CACHE_"))}
        env.update(
            DATABASE_URL=f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB}",
            HOST="127.0.0.1",
            PORT=str(port),
            RUST_LOG=os.environ.get("RUST_LOG") or "warn",
            RATE_LIMITS="off",
            JOBS_IN_PROCESS="false",
            **extra,
        )
        self.log_path = os.path.join(out, f"cache-server-{name}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary], env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, preexec_fn=die_with_parent
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                if call(self.base, "GET", "/v1/health")[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /v1/health within 60s")
            time.sleep(0.2)

    def stop(self) -> None:
        stop(self.proc)
        self.log.close()


def owner(base: str, label: str) -> tuple[str, str]:
    """A fresh account and the tenant it owns: (token, tenant id)."""
    email = f"{label}-{secrets.token_hex(4)}@bench.example"
    st, body = call(base, "POST", "/v1/signup", {"email": email, "password": PASSWORD})
    if st != 201:
        raise RuntimeError(f"signup: {st} {body!r}")
    token = body["token"]
    st, body = call(base, "POST", "/v1/tenants", {"name": label}, token)
    if st != 201:
        raise RuntimeError(f"create tenant: {st} {body!r}")
    return token, body["id"]


def me_step(a, extra: dict[str, str], name: str) -> dict:
    server = Server(a.server, a.out, name, extra)
    try:
        token, _ = owner(server.base, "me")
        url = f"{server.base}/v1/me"
        run_wrk(wrk_cmd(url, 2, a.c, 1, token), a.d + 30)
        res = run_wrk(wrk_cmd(url, 2, a.c, a.d, token), a.d + 30)
        res.pop("raw", None)
        return res
    finally:
        server.stop()


def db_counters() -> tuple[int, int]:
    """Transactions committed in the bench database, and scans of the activity tables."""
    psql(DB, "SELECT pg_stat_force_next_flush()")
    xacts = int(psql("postgres", f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{DB}'").strip())
    scans = psql(
        DB,
        "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) FROM pg_stat_user_tables "
        "WHERE relname LIKE 'activity%'",
    ).strip()
    return xacts, int(scans or 0)


def dashboard_step(a, cache: str) -> dict:
    server = Server(a.server, a.out, f"dashboard-{cache}", {"CACHE_BACKEND": cache})
    try:
        tenants = [owner(server.base, f"t{i}") for i in range(TENANTS)]
        for token, tenant in tenants:
            for _ in range(3):
                call(server.base, "GET", f"/v1/tenants/{tenant}", token=token)
        time.sleep(1)
        statuses: dict[str, int] = {}
        misses: dict[str, int] = {}
        latencies: list[float] = []
        lock = threading.Lock()
        interval = DASHBOARD_SECONDS / DASHBOARD_REQUESTS

        def one(i: int) -> None:
            token, tenant = tenants[i % TENANTS]
            req = urllib.request.Request(f"{server.base}/v1/tenants/{tenant}/dashboard")
            req.add_header("Authorization", f"Bearer {token}")
            start = time.monotonic()
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    r.read()
                    status, x_cache = str(r.status), r.headers.get("X-Cache", "")
            except urllib.error.HTTPError as e:
                status, x_cache = str(e.code), ""
            with lock:
                latencies.append((time.monotonic() - start) * 1e3)
                statuses[status] = statuses.get(status, 0) + 1
                if x_cache == "miss":
                    misses[tenant] = misses.get(tenant, 0) + 1
                statuses[f"x-cache {x_cache}"] = statuses.get(f"x-cache {x_cache}", 0) + 1

        xacts0, scans0 = db_counters()
        started = time.monotonic()
        threads = []
        for i in range(DASHBOARD_REQUESTS):
            delay = started + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t = threading.Thread(target=one, args=(i,))
            t.start()
            threads.append(t)
        for t in threads:
            t.join(60)
        elapsed = time.monotonic() - started
        time.sleep(1)
        xacts1, scans1 = db_counters()
        token, tenant = tenants[0]
        url = f"{server.base}/v1/tenants/{tenant}/dashboard"
        load = run_wrk(wrk_cmd(url, 2, a.c, a.d, token), a.d + 30)
        load.pop("raw", None)
        return {
            "cache": cache,
            "requests": DASHBOARD_REQUESTS,
            "seconds": round(elapsed, 1),
            "statuses": statuses,
            "recomputations": sum(misses.values()),
            "max_recomputations_per_tenant": max(misses.values(), default=0),
            "db_transactions": xacts1 - xacts0,
            "activity_table_scans": scans1 - scans0,
            "load": load,
        }
    finally:
        server.stop()


def ceilings(a) -> dict:
    pg_args = ["-h", PG["host"], "-p", PG["port"], "-U", PG["user"]]
    recreate_db(PGBENCH_DB)
    subprocess.run(["pgbench", "-i", "-s", "1", "-q", *pg_args, PGBENCH_DB], check=True, capture_output=True, timeout=120)
    p = subprocess.run(
        ["pgbench", "-S", "-n", "-c", str(a.c), "-j", "2", "-T", str(a.d), *pg_args, PGBENCH_DB],
        capture_output=True,
        text=True,
        timeout=a.d + 60,
    )
    if p.returncode != 0:
        raise RuntimeError(f"pgbench failed: {p.stderr.strip()}")
    pgb = parse_pgbench(p.stdout)
    host, port = a.redis.removeprefix("redis://").split("/")[0].split(":")
    r = subprocess.run(
        ["redis-benchmark", "-h", host, "-p", port, "-t", "get", "-c", str(a.c), "-n", "200000", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    rps = None
    for line in r.stdout.replace("\r", "\n").splitlines():
        if line.startswith("GET:") and "requests per second" in line:
            rps = float(line.split()[1])
    return {"pgbench_select_tps": pgb["tps"], "redis_get_per_s": rps}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--moto", required=True)
    ap.add_argument("--redis", required=True)
    ap.add_argument("-c", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", "16")))
    ap.add_argument("-d", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    report: dict = {"connections": a.c, "seconds": a.d}
    try:
        recreate_db(DB)
        log("1/3 GET /v1/me per sessions store")
        aws = {
            "AWS_ENDPOINT_URL": a.moto,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        stores = [
            ("PostgreSQL sessions table", "database", {"SESSIONS_BACKEND": "database"}),
            ("Redis", "redis", {"SESSIONS_BACKEND": "redis", "REDIS_URL": a.redis}),
            (
                "DynamoDB (moto, emulator)",
                "dynamodb",
                {"SESSIONS_BACKEND": "dynamodb", "SESSIONS_TABLE": sessions_table(a.moto), **aws},
            ),
            ("in-process", "memory", {"SESSIONS_BACKEND": "memory"}),
        ]
        report["me"] = {label: me_step(a, extra, name) for label, name, extra in stores}
        log("2/3 ceilings: pgbench -S, redis-benchmark -t get")
        report["ceilings"] = ceilings(a)
        log(f"3/3 dashboard: {DASHBOARD_REQUESTS} requests over {DASHBOARD_SECONDS}s, {TENANTS} tenants, cached then uncached")
        report["dashboard"] = [dashboard_step(a, "memory"), dashboard_step(a, "off")]
    finally:
        drop_db(DB)
        drop_db(PGBENCH_DB)

    stores_file = os.path.join(a.out, "cache-stores.json")
    if os.path.exists(stores_file):
        with open(stores_file) as f:
            report["stores"] = json.load(f)
    tps = report["ceilings"]["pgbench_select_tps"] or float("nan")
    print(f"\nGET /v1/me, {a.c} connections, {a.d}s        req/s    p50 ms   p99 ms   x pgbench -S")
    for label, res in report["me"].items():
        rps = res["requests_per_s"] or 0.0
        res["ratio_to_pgbench"] = round(rps / tps, 3)
        print(f"  sessions: {label:<28} {rps:>8.0f}   {res['p50_ms']:>6.2f}   {res['p99_ms']:>6.2f}   {rps / tps:.2f} (target {TARGET_ME_RATIO})")
    ceil = report["ceilings"]
    print(f"  ceiling: pgbench -S {ceil['pgbench_select_tps']} tps, redis-benchmark GET {ceil['redis_get_per_s']} /s")
    cached, uncached = report["dashboard"]
    print(f"\ndashboard, {DASHBOARD_REQUESTS} requests over {DASHBOARD_SECONDS}s, {TENANTS} tenants   cached   uncached")
    for key, label in (
        ("recomputations", "recomputations"),
        ("max_recomputations_per_tenant", f"most per tenant (target <= {TARGET_RECOMPUTES})"),
        ("db_transactions", "database transactions"),
        ("activity_table_scans", "activity table scans"),
    ):
        print(f"  {label:<44} {cached[key]:>6}   {uncached[key]:>8}")
    for key in ("requests_per_s", "p50_ms", "p99_ms"):
        print(f"  wrk {key:<40} {cached['load'][key]:>6}   {uncached['load'][key]:>8}")
    report["dashboard_speedup"] = round((cached["load"]["requests_per_s"] or 0) / (uncached["load"]["requests_per_s"] or 1), 2)
    print(f"  cached / uncached req/s: {report['dashboard_speedup']}")
    path = os.path.join(a.out, "cache.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
