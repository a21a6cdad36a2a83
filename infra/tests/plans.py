#!/usr/bin/env python3
"""Checks the dev and prod plans (`terraform show -json` of a saved plan) for the wiring that
envs/local cannot apply on moto: CloudFront in front of the API, the origin secret, and the
stores of the API functions.

For each plan:
- the sessions table has the by_user global secondary index (hash key user_id, a string, keys
  only), and every table keeps its TTL attribute;
- the HTTP functions (those with an API Gateway integration) get SESSIONS_BACKEND,
  RATE_LIMIT_BACKEND and IDEMPOTENCY_BACKEND = dynamodb, CACHE_BACKEND = redis exactly when
  the plan has an ElastiCache cache (dynamodb otherwise), RATE_LIMIT_FAILURE (open or closed),
  CORS_ALLOWED_ORIGINS and ORIGIN_VERIFY_SECRET; the functions that no request reaches (the
  jobs worker, the sweeper) get neither ORIGIN_VERIFY_SECRET nor CORS_ALLOWED_ORIGINS; a store
  setting comes only with its table. Read from the function_environment output (variable names,
  and the values of the store settings only): a fresh plan knows no Lambda environment, whose
  other values name resources not yet created;
- CloudFront's api origin sends the custom header X-Origin-Verify, and no other origin a custom
  header; the origins are sensitive (the header's value); the secret is one terraform_data
  (kept across plans, replaced to rotate it) with a sensitive input; the origin_verify_secret
  output is sensitive;
- every Aurora cluster parameter group sets log_parameter_max_length and
  log_parameter_max_length_on_error to 0, so logged statements carry no bind parameters.

    plans.py --plan dev=plan-dev.json --plan prod=plan-prod.json
    plans.py --self-test     # every rule fails on a plan broken for it, and the good one passes
"""

import argparse
import json
import sys

INTEGRATION = "module.platform.module.api.aws_apigatewayv2_integration.this"
TABLE = "module.platform.module.tables.aws_dynamodb_table.this"
DISTRIBUTION = "module.platform.module.cdn[0].aws_cloudfront_distribution.this"
CACHE = "module.platform.module.cache[0].aws_elasticache_serverless_cache.this"
SECRET = "module.platform.terraform_data.origin_verify"
PARAMETER_GROUP = "aws_rds_cluster_parameter_group.this"
NO_BIND_PARAMETERS = {"log_parameter_max_length": "0", "log_parameter_max_length_on_error": "0"}

DYNAMODB_STORES = ("SESSIONS_BACKEND", "RATE_LIMIT_BACKEND", "IDEMPOTENCY_BACKEND")
# Each table variable and the store setting that goes with it.
STORE_OF_TABLE = {"SESSIONS_TABLE": "SESSIONS_BACKEND", "CACHE_TABLE": "CACHE_BACKEND",
                  "RATE_LIMITS_TABLE": "RATE_LIMIT_BACKEND", "IDEMPOTENCY_TABLE": "IDEMPOTENCY_BACKEND"}
HTTP_ONLY = {"ORIGIN_VERIFY_SECRET", "CORS_ALLOWED_ORIGINS"}


def resources(plan: dict) -> dict:
    """address -> (after, after_unknown, after_sensitive) of every planned managed resource."""
    out = {}
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") != "managed" or rc["change"]["actions"] == ["delete"]:
            continue
        c = rc["change"]
        out[rc["address"]] = (c.get("after") or {}, c.get("after_unknown") or {}, c.get("after_sensitive") or {})
    return out


def by_key(res: dict, prefix: str) -> dict:
    """{for_each key: resource} of the instances of one resource."""
    return {a[len(prefix) + 2:-2]: r for a, r in res.items() if a.startswith(prefix + '["')}


def block(value, name: str) -> dict:
    """The first element of a nested block list (or {})."""
    v = value.get(name) if isinstance(value, dict) else None
    return v[0] if isinstance(v, list) and v and isinstance(v[0], dict) else {}


def check_plan(env: str, plan: dict, quiet: bool = False) -> list[str]:
    problems = []
    res = resources(plan)

    def want(ok: bool, what: str) -> None:
        if not quiet:
            print(f"  {'ok  ' if ok else 'FAIL'} {env}: {what}")
        if not ok:
            problems.append(f"{env}: {what}")

    # The sessions table and its index.
    tables = by_key(res, TABLE)
    sessions = tables.get("sessions", ({}, {}, {}))[0]
    indexes = {i.get("name"): i for i in sessions.get("global_secondary_index") or []}
    by_user = indexes.get("by_user", {})
    want(set(indexes) == {"by_user"}, f"sessions table: global secondary indexes {sorted(indexes) or 'none'}")
    want(by_user.get("hash_key") == "user_id" and not by_user.get("range_key"), "sessions/by_user: hash key user_id, no range key")
    want(by_user.get("projection_type") == "KEYS_ONLY", f"sessions/by_user: projection {by_user.get('projection_type')}")
    attrs = {a.get("name"): a.get("type") for a in sessions.get("attribute") or []}
    want(attrs == {"pk": "S", "user_id": "S"}, f"sessions table: attributes {attrs}")
    for key, (after, _, _) in sorted(tables.items()):
        ttl = block(after, "ttl")
        want(ttl.get("enabled") is True and ttl.get("attribute_name") == "expires_at", f"{key} table: TTL on expires_at")
        if key != "sessions":
            want(not after.get("global_secondary_index"), f"{key} table: no index")

    # The functions' environments (the function_environment output: Lambda's own planned
    # variables are unknown until the resources they name exist).
    change = plan.get("output_changes", {}).get("function_environment", {})
    environments = change.get("after") or {}
    http = set(by_key(res, INTEGRATION))
    want(bool(environments), f"function_environment output ({len(environments)} functions)")
    want(bool(http) and http < set(environments), f"HTTP functions (with an API integration): {sorted(http)}")
    want({"jobs-worker", "sweeper"} <= set(environments) - http, "the jobs worker and the sweeper are not behind the API")
    cache_backend = "redis" if CACHE in res else "dynamodb"
    for name in sorted(environments):
        names = set(environments[name].get("names") or [])
        settings = environments[name].get("settings") or {}
        if name in http:
            for var in DYNAMODB_STORES:
                want(settings.get(var) == "dynamodb", f"{name}: {var}=dynamodb ({settings.get(var)})")
            want(settings.get("CACHE_BACKEND") == cache_backend, f"{name}: CACHE_BACKEND={cache_backend} ({settings.get('CACHE_BACKEND')})")
            want(settings.get("RATE_LIMIT_FAILURE") in ("open", "closed"), f"{name}: RATE_LIMIT_FAILURE ({settings.get('RATE_LIMIT_FAILURE')})")
            want("CORS_ALLOWED_ORIGINS" in settings, f"{name}: CORS_ALLOWED_ORIGINS={settings.get('CORS_ALLOWED_ORIGINS')!r}")
            want("ORIGIN_VERIFY_SECRET" in names, f"{name}: ORIGIN_VERIFY_SECRET is set")
            want("ORIGIN_VERIFY_SECRET" not in settings, f"{name}: the output shows no ORIGIN_VERIFY_SECRET value")
        else:
            leaked = sorted(names & HTTP_ONLY)
            want(not leaked, f"{name}: not behind CloudFront, no origin secret or CORS ({leaked or 'none'})")
        for table, var in STORE_OF_TABLE.items():
            want((table in names) == (var in names), f"{name}: {var} exactly when {table} is set")

    # CloudFront's API origin sends the secret, and the plan shows no value of it.
    cdn = res.get(DISTRIBUTION)
    want(cdn is not None, "CloudFront distribution planned")
    if cdn is not None:
        after, _, sensitive = cdn
        origins = after.get("origin") or []
        api = [o for o in origins if o.get("origin_id") == "api"]
        want(len(api) == 1, "one api origin")
        for o in api:
            headers = [h.get("name") for h in o.get("custom_header") or []]
            want(headers == ["X-Origin-Verify"], f"api origin: custom header X-Origin-Verify ({headers})")
        # origin is a set: the sensitive header value inside marks all of it, so a plan shows
        # neither.
        want(sensitive.get("origin") is True, "origins: sensitive (the header's value)")
        others = [o.get("origin_id") for o in origins if o.get("origin_id") != "api" and o.get("custom_header")]
        want(not others, f"no other origin gets a custom header ({others})")

    # One secret: a terraform_data kept across plans, with its rotation trigger.
    secrets = {a: r for a, r in res.items() if a.startswith(SECRET)}
    want(len(secrets) == 1, f"one origin secret resource ({sorted(secrets)})")
    for after, unknown, sensitive in secrets.values():
        want("triggers_replace" in after or "triggers_replace" in unknown, "the origin secret has a rotation trigger (triggers_replace)")
        want(sensitive.get("input") is True, "the origin secret's input is sensitive")
    output = plan.get("configuration", {}).get("root_module", {}).get("outputs", {}).get("origin_verify_secret")
    want(output is not None and output.get("sensitive") is True, "output origin_verify_secret is sensitive")

    # PostgreSQL logs statements without their bind parameters.
    groups = {a: r for a, r in res.items() if a.endswith(PARAMETER_GROUP)}
    want(bool(groups), f"an Aurora cluster parameter group ({len(groups)})")
    for address, (after, _, _) in sorted(groups.items()):
        params = {p.get("name"): str(p.get("value")) for p in after.get("parameter") or []}
        logged = {k: params.get(k) for k in NO_BIND_PARAMETERS}
        want(logged == NO_BIND_PARAMETERS, f"{address}: no bind parameters in logs ({logged})")
    return problems


# --- self-test ---------------------------------------------------------------------------------


def fixture() -> dict:
    """A minimal plan that passes: two HTTP functions, the worker and the sweeper, the tables,
    CloudFront and the secret."""
    def change(address, after, unknown=None, sensitive=None):
        return {"address": address, "mode": "managed",
                "change": {"actions": ["create"], "after": after, "after_unknown": unknown or {}, "after_sensitive": sensitive or {}}}

    changes = []
    for key in ("sessions", "rate_limits", "idempotency", "cache"):
        after = {"attribute": [{"name": "pk", "type": "S"}], "ttl": [{"enabled": True, "attribute_name": "expires_at"}],
                 "global_secondary_index": []}
        if key == "sessions":
            after["attribute"].append({"name": "user_id", "type": "S"})
            after["global_secondary_index"] = [{"name": "by_user", "hash_key": "user_id", "range_key": None,
                                                "projection_type": "KEYS_ONLY"}]
        changes.append(change(f'{TABLE}["{key}"]', after))
    settings = {"SESSIONS_BACKEND": "dynamodb", "RATE_LIMIT_BACKEND": "dynamodb", "IDEMPOTENCY_BACKEND": "dynamodb",
                "CACHE_BACKEND": "dynamodb", "RATE_LIMIT_FAILURE": "open", "CORS_ALLOWED_ORIGINS": ""}
    environments = {}
    for name in ("accounts-api", "tenants-api"):
        names = sorted(set(settings) | set(STORE_OF_TABLE) | {"ORIGIN_VERIFY_SECRET", "RUST_LOG"})
        environments[name] = {"names": names, "settings": dict(settings)}
        changes.append(change(f'{INTEGRATION}["{name}"]', {}))
    for name in ("jobs-worker", "sweeper"):
        environments[name] = {"names": ["RUST_LOG"], "settings": {}}
    changes.append(change(DISTRIBUTION, {"origin": [{"origin_id": "assets", "custom_header": []},
                                                    {"origin_id": "api", "custom_header": [{"name": "X-Origin-Verify"}]}]},
                          {}, {"origin": True}))
    changes.append(change(f"{SECRET}[0]", {"triggers_replace": [1]}, {}, {"input": True}))
    params = [{"name": "rds.force_ssl", "value": "1"}] + [{"name": k, "value": v} for k, v in NO_BIND_PARAMETERS.items()]
    changes.append(change(f"module.platform.module.database.{PARAMETER_GROUP}", {"parameter": params}))
    return {"resource_changes": changes,
            "output_changes": {"function_environment": {"after": environments}},
            "configuration": {"root_module": {"outputs": {"origin_verify_secret": {"sensitive": True}}}}}


def self_test() -> int:
    def rc(plan, address):
        return next(r for r in plan["resource_changes"] if r["address"] == address)["change"]

    def fn(plan, name):
        return plan["output_changes"]["function_environment"]["after"][name]

    def drop_index(p):
        rc(p, f'{TABLE}["sessions"]')["after"]["global_secondary_index"] = []

    def all_projection(p):
        rc(p, f'{TABLE}["sessions"]')["after"]["global_secondary_index"][0]["projection_type"] = "ALL"

    def sessions_in_database(p):
        fn(p, "tenants-api")["settings"]["SESSIONS_BACKEND"] = "database"

    def cache_without_redis(p):
        p["resource_changes"].append({"address": CACHE, "mode": "managed",
                                      "change": {"actions": ["create"], "after": {}, "after_unknown": {}, "after_sensitive": {}}})

    def no_secret(p):
        fn(p, "accounts-api")["names"].remove("ORIGIN_VERIFY_SECRET")

    def secret_shown(p):
        fn(p, "accounts-api")["settings"]["ORIGIN_VERIFY_SECRET"] = "x" * 64

    def worker_secret(p):
        fn(p, "jobs-worker")["names"].append("ORIGIN_VERIFY_SECRET")

    def worker_cors(p):
        fn(p, "sweeper")["names"].append("CORS_ALLOWED_ORIGINS")

    def no_header(p):
        rc(p, DISTRIBUTION)["after"]["origin"][1]["custom_header"] = []

    def header_in_clear(p):
        rc(p, DISTRIBUTION)["after"]["origin"][1]["custom_header"][0]["value"] = "x" * 64
        rc(p, DISTRIBUTION)["after_sensitive"]["origin"] = [{}, {}]

    def secret_input_in_clear(p):
        rc(p, f"{SECRET}[0]")["after_sensitive"] = {}

    def output_in_clear(p):
        p["configuration"]["root_module"]["outputs"]["origin_verify_secret"]["sensitive"] = False

    def backend_without_table(p):
        fn(p, "sweeper")["names"].append("SESSIONS_BACKEND")

    def bind_parameters_logged(p):
        params = rc(p, f"module.platform.module.database.{PARAMETER_GROUP}")["after"]["parameter"]
        params[:] = [q for q in params if q["name"] != "log_parameter_max_length"]

    def bind_parameters_logged_on_error(p):
        params = rc(p, f"module.platform.module.database.{PARAMETER_GROUP}")["after"]["parameter"]
        next(q for q in params if q["name"] == "log_parameter_max_length_on_error")["value"] = "-1"

    cases = [
        ("bind parameters logged", bind_parameters_logged, "no bind parameters in logs"),
        ("bind parameters logged on error", bind_parameters_logged_on_error, "no bind parameters in logs"),
        ("matching", None, None),
        ("no by_user index", drop_index, "global secondary indexes none"),
        ("by_user projects everything", all_projection, "projection ALL"),
        ("sessions in the database", sessions_in_database, "SESSIONS_BACKEND=dynamodb (database)"),
        ("cache enabled, CACHE_BACKEND dynamodb", cache_without_redis, "CACHE_BACKEND=redis"),
        ("API function without the origin secret", no_secret, "ORIGIN_VERIFY_SECRET is set"),
        ("origin secret value in the output", secret_shown, "shows no ORIGIN_VERIFY_SECRET value"),
        ("origin secret on the worker", worker_secret, "jobs-worker: not behind CloudFront"),
        ("CORS on the sweeper", worker_cors, "sweeper: not behind CloudFront"),
        ("CloudFront without the header", no_header, "custom header X-Origin-Verify"),
        ("header value not sensitive", header_in_clear, "origins: sensitive"),
        ("secret input not sensitive", secret_input_in_clear, "input is sensitive"),
        ("output not sensitive", output_in_clear, "output origin_verify_secret is sensitive"),
        ("store setting without its table", backend_without_table, "SESSIONS_BACKEND exactly when SESSIONS_TABLE"),
    ]
    failures = 0
    for label, mutate, expected in cases:
        plan = fixture()
        if mutate:
            mutate(plan)
        problems = check_plan("fixture", plan, quiet=True)
        ok = not problems if expected is None else bool(problems) and all(expected in p for p in problems[:1])
        failures += not ok
        print(f"  self-test {label}: {'ok' if ok else 'WRONG'} ({'; '.join(problems) or 'no problem'})")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--plan", action="append", default=[], metavar="ENV=FILE", help="a plan as JSON (terraform show -json)")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        failed = self_test()
        print("plans self-test:", "FAIL" if failed else "PASS")
        return 1 if failed else 0
    if not args.plan:
        ap.error("give at least one --plan ENV=FILE")
    problems = []
    for spec in args.plan:
        env, _, path = spec.partition("=")
        with open(path) as f:
            problems += check_plan(env, json.load(f))
    for p in problems:
        print(f"  FAIL: {p}")
    print("plans:", "FAIL" if problems else "PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
