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
  log_parameter_max_length_on_error to 0, so logged statements carry no bind parameters;
- the functions log in as the application role (saas_app) with IAM auth tokens, at the proxy or,
  without one, at the cluster: DATABASE_IAM_AUTH=true and no DATABASE_SECRET_ARN; no function's
  policy grants a Secrets Manager action, nor KMS through Secrets Manager; the database functions
  have one rds-db:connect statement, whose resource names the application role's dbuser (checked
  on the value where the plan knows it, and on the configuration: the database module builds it
  from var.app_username, never var.master_username, and the plan's database_app_role is
  saas_app); the proxy has one auth entry (the application role's); with the proxy, the cluster's
  security group admits PostgreSQL from the proxy and the migrations group only, and the
  functions' groups reach the proxy, not the cluster.

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
PROXY = "module.platform.module.database.aws_db_proxy.this[0]"
POLICY = "module.platform.module.functions.data.aws_iam_policy_document.this"
DATABASE_FROM = "module.platform.module.network.aws_security_group_rule.database_from"
FUNCTION_TO_DATABASE = "module.platform.module.network.aws_security_group_rule.function_to_database"
# The application role: app_database_role's default, and APP_DATABASE_ROLE's in scripts/deploy.
APP_ROLE = "saas_app"
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


def reads(plan: dict) -> dict:
    """address -> (after, after_unknown) of every data source the plan reads at apply time (those
    whose arguments name resources not yet created, such as the functions' policy documents)."""
    out = {}
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") == "data":
            c = rc["change"]
            out[rc["address"]] = (c.get("after") or {}, c.get("after_unknown") or {})
    return out


def known(values, unknown) -> list:
    """The elements of a planned list whose value the plan knows (after_unknown marks the others,
    or the whole list)."""
    if unknown is True:
        return []
    flags = unknown if isinstance(unknown, list) else []
    return [v for i, v in enumerate(values or []) if not (i < len(flags) and flags[i] is True)]


def database_module(plan: dict) -> dict:
    """The database module's configuration in the plan (its outputs' expressions)."""
    calls = plan.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    platform = calls.get("platform", {}).get("module", {}).get("module_calls", {})
    return platform.get("database", {}).get("module", {})


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

    # The functions log in as the application role, with IAM auth tokens where the proxy requires
    # them or where there is no proxy (at the cluster itself), and read no secret.
    proxy = res.get(PROXY)
    auths = (proxy[0].get("auth") or []) if proxy else []
    iam_auth = proxy is None or all(a.get("iam_auth") == "REQUIRED" for a in auths)
    if proxy is not None:
        want(len(auths) == 1, f"proxy: one auth entry, the application role's ({len(auths)})")
    database = {n for n, e in environments.items() if "DATABASE_URL" in (e.get("names") or [])}
    want(bool(database), f"functions with the database: {sorted(database)}")
    for name in sorted(database):
        names = set(environments[name].get("names") or [])
        settings = environments[name].get("settings") or {}
        if iam_auth:
            want(settings.get("DATABASE_IAM_AUTH") == "true", f"{name}: DATABASE_IAM_AUTH=true ({settings.get('DATABASE_IAM_AUTH')})")
            want("DATABASE_SECRET_ARN" not in names, f"{name}: no DATABASE_SECRET_ARN (it signs IAM tokens, it reads no secret)")

    policies = by_key(reads(plan), POLICY)
    want(bool(environments) and set(policies) == set(environments), f"a policy document per function ({sorted(policies)})")
    for name, (after, unknown) in sorted(policies.items()):
        statements = after.get("statement") or []
        unknowns = unknown.get("statement") if isinstance(unknown.get("statement"), list) else []
        if iam_auth:
            secrets = sorted({a for st in statements for a in st.get("actions") or [] if a.lower().startswith("secretsmanager:")})
            want(not secrets, f"{name}: no Secrets Manager action, on the master secret or any other ({secrets or 'none'})")
            key = [st for st in statements if "kms:Decrypt" in (st.get("actions") or [])]
            guarded = [st for st in key if any(
                c.get("test") == "StringNotEquals" and c.get("variable") == "kms:ViaService" and c.get("values")
                and all(str(v).startswith("secretsmanager.") for v in c["values"]) for c in st.get("condition") or [])]
            want(bool(key) and guarded == key, f"{name}: kms:Decrypt, but not through Secrets Manager")
        connect = [i for i, st in enumerate(statements) if "rds-db:connect" in (st.get("actions") or [])]
        if name in database and iam_auth:
            want(len(connect) == 1 and statements[connect[0]].get("actions") == ["rds-db:connect"],
                 f"{name}: one rds-db:connect statement ({len(connect)})")
            for i in connect:
                flags = unknowns[i].get("resources") if i < len(unknowns) and isinstance(unknowns[i], dict) else None
                users = [str(r).rsplit("/", 1)[-1] for r in known(statements[i].get("resources"), flags)]
                want(all(u == APP_ROLE for u in users), f"{name}: rds-db:connect as {APP_ROLE} ({users or 'not known before apply'})")
        elif name not in database:
            want(not connect, f"{name}: no rds-db:connect without the database")

    # Where the plan cannot know the rds-db:connect resource (it names the proxy's or the
    # cluster's resource id), its configuration: the dbuser is the application role.
    if database and iam_auth:
        refs = database_module(plan).get("outputs", {}).get("iam_connect_arn", {}).get("expression", {}).get("references") or []
        want("var.app_username" in refs and "var.master_username" not in refs,
             "database module: iam_connect_arn names var.app_username, not var.master_username")
        role = plan.get("output_changes", {}).get("database_app_role", {}).get("after")
        want(role == APP_ROLE, f"output database_app_role: {APP_ROLE} ({role})")

    # PostgreSQL: behind the proxy, only the proxy (and the migrations group) reaches the cluster.
    ingress = by_key(res, DATABASE_FROM)
    egress = by_key(res, FUNCTION_TO_DATABASE)
    want(all(r[0].get("from_port") == 5432 and r[0].get("to_port") == 5432 for r in list(ingress.values()) + list(egress.values())),
         "PostgreSQL rules: port 5432 only")
    if proxy is not None:
        want(set(ingress) == {"proxy", "migrations"}, f"cluster security group: PostgreSQL from the proxy and the migrations group only ({sorted(ingress)})")
        want(bool(egress) and all(k.endswith("-proxy") for k in egress), f"function groups: PostgreSQL to the proxy only ({sorted(egress)})")
    else:
        want("lambda" in ingress and "proxy" not in ingress, f"cluster security group without the proxy: PostgreSQL from the functions ({sorted(ingress)})")
        want(bool(egress) and all(k.endswith("-database") for k in egress), f"function groups: PostgreSQL to the cluster ({sorted(egress)})")

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
    CloudFront and the secret, the proxy with IAM auth and the functions' policies."""
    def change(address, after, unknown=None, sensitive=None, mode="managed"):
        return {"address": address, "mode": mode,
                "change": {"actions": ["read" if mode == "data" else "create"], "after": after,
                           "after_unknown": unknown or {}, "after_sensitive": sensitive or {}}}

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
    for name, e in environments.items():
        e["names"] = sorted(set(e["names"]) | {"DATABASE_URL", "DATABASE_READ_URL", "DATABASE_IAM_AUTH", "DATABASE_MAX_CONNECTIONS"})
        e["settings"]["DATABASE_IAM_AUTH"] = "true"
        key = {"sid": "UseEnvironmentKey", "actions": ["kms:Decrypt"], "resources": [None],
               "condition": [{"test": "StringNotEquals", "variable": "kms:ViaService", "values": ["secretsmanager.us-east-1.amazonaws.com"]}]}
        connect = {"sid": "ConnectAsAppRole", "actions": ["rds-db:connect"], "resources": [None], "condition": []}
        changes.append(change(f'{POLICY}["{name}"]', {"statement": [key, connect]},
                              {"statement": [{"resources": [True]}, {"resources": [True]}]}, mode="data"))
    changes.append(change(PROXY, {"auth": [{"auth_scheme": "SECRETS", "iam_auth": "REQUIRED"}]}, {"auth": [{"secret_arn": True}]}))
    for key in ("proxy", "migrations"):
        changes.append(change(f'{DATABASE_FROM}["{key}"]', {"type": "ingress", "from_port": 5432, "to_port": 5432}))
    for key in ("lambda-proxy", "egress-proxy"):
        changes.append(change(f'{FUNCTION_TO_DATABASE}["{key}"]', {"type": "egress", "from_port": 5432, "to_port": 5432}))
    changes.append(change(DISTRIBUTION, {"origin": [{"origin_id": "assets", "custom_header": []},
                                                    {"origin_id": "api", "custom_header": [{"name": "X-Origin-Verify"}]}]},
                          {}, {"origin": True}))
    changes.append(change(f"{SECRET}[0]", {"triggers_replace": [1]}, {}, {"input": True}))
    params = [{"name": "rds.force_ssl", "value": "1"}] + [{"name": k, "value": v} for k, v in NO_BIND_PARAMETERS.items()]
    changes.append(change(f"module.platform.module.database.{PARAMETER_GROUP}", {"parameter": params}))
    connect_refs = ["local.iam_auth", "aws_db_proxy.this[0].arn", "aws_rds_cluster.this.cluster_resource_id", "var.app_username"]
    database = {"module": {"outputs": {"iam_connect_arn": {"expression": {"references": connect_refs}}}}}
    return {"resource_changes": changes,
            "output_changes": {"function_environment": {"after": environments}, "database_app_role": {"after": APP_ROLE}},
            "configuration": {"root_module": {"outputs": {"origin_verify_secret": {"sensitive": True}},
                                              "module_calls": {"platform": {"module": {"module_calls": {"database": database}}}}}}}


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

    def policy(p, name):
        return rc(p, f'{POLICY}["{name}"]')

    def secret_arn_on_function(p):
        fn(p, "sweeper")["names"].append("DATABASE_SECRET_ARN")

    def password_auth(p):
        fn(p, "accounts-api")["settings"]["DATABASE_IAM_AUTH"] = "false"

    def reads_master_secret(p):
        policy(p, "tenants-api")["after"]["statement"].append(
            {"sid": "ReadDatabaseSecret", "actions": ["secretsmanager:GetSecretValue"], "resources": [None]})

    def decrypts_through_secrets_manager(p):
        policy(p, "jobs-worker")["after"]["statement"][0]["condition"] = []

    def connects_as_master(p):
        c = policy(p, "accounts-api")
        c["after"]["statement"][1]["resources"] = ["arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-0123/saas_admin"]
        c["after_unknown"]["statement"][1]["resources"] = [False]

    def connect_built_from_master(p):
        refs = p["configuration"]["root_module"]["module_calls"]["platform"]["module"]["module_calls"]["database"]
        refs = refs["module"]["outputs"]["iam_connect_arn"]["expression"]["references"]
        refs[refs.index("var.app_username")] = "var.master_username"

    def other_role(p):
        p["output_changes"]["database_app_role"]["after"] = "saas_admin"

    def no_connect(p):
        del policy(p, "sweeper")["after"]["statement"][1]

    def master_auth_on_proxy(p):
        rc(p, PROXY)["after"]["auth"].append({"auth_scheme": "SECRETS", "iam_auth": "REQUIRED"})

    def cluster_admits_functions(p):
        p["resource_changes"].append({"address": f'{DATABASE_FROM}["lambda"]', "mode": "managed", "change": {
            "actions": ["create"], "after": {"type": "ingress", "from_port": 5432, "to_port": 5432}, "after_unknown": {}, "after_sensitive": {}}})

    def functions_reach_cluster(p):
        p["resource_changes"].append({"address": f'{FUNCTION_TO_DATABASE}["lambda-database"]', "mode": "managed", "change": {
            "actions": ["create"], "after": {"type": "egress", "from_port": 5432, "to_port": 5432}, "after_unknown": {}, "after_sensitive": {}}})

    cases = [
        ("DATABASE_SECRET_ARN on a function", secret_arn_on_function, "sweeper: no DATABASE_SECRET_ARN"),
        ("password auth behind the IAM proxy", password_auth, "accounts-api: DATABASE_IAM_AUTH=true"),
        ("GetSecretValue granted", reads_master_secret, "tenants-api: no Secrets Manager action"),
        ("kms:Decrypt through Secrets Manager", decrypts_through_secrets_manager, "jobs-worker: kms:Decrypt, but not through Secrets Manager"),
        ("rds-db:connect as the master user", connects_as_master, "accounts-api: rds-db:connect as saas_app"),
        ("iam_connect_arn built from the master user", connect_built_from_master, "iam_connect_arn names var.app_username"),
        ("another database role", other_role, "output database_app_role: saas_app"),
        ("no rds-db:connect", no_connect, "sweeper: one rds-db:connect statement"),
        ("the proxy authenticates a second user", master_auth_on_proxy, "proxy: one auth entry"),
        ("the cluster admits the functions", cluster_admits_functions, "from the proxy and the migrations group only"),
        ("the functions reach the cluster", functions_reach_cluster, "function groups: PostgreSQL to the proxy only"),
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
