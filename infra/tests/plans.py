#!/usr/bin/env python3
"""Checks the dev and prod plans (`terraform show -json` of a saved plan) for the wiring that
envs/local cannot apply on moto: CloudFront in front of the API, the origin secret, the stores
of the API functions, and tenant shards.

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
  functions' groups reach the proxy, not the cluster;
- every function's environment is encrypted with the environment's KMS key;
- INBOUND_WEBHOOK_SECRET is set exactly when inbound_webhook_secret is, on the function that
  serves POST /v1/webhooks/inbound only; the variable is sensitive and no output shows the value.

A plan with tenant shards (db_shards), given with the same environment's plan without them
(--unsharded), made after a targeted apply of the shards so that their endpoints and ARNs are
known:
- each shard has a cluster <home cluster>-<shard> with the home cluster's settings, key and
  security groups, its own sizes or the home cluster's, the home cluster's parameters, and where
  the home cluster has a proxy a proxy of its own (TLS and IAM auth required, one auth entry, no
  read-only endpoint);
- the functions with the database get DATABASE_SHARDS, each shard's proxy endpoint as the
  application role with a verified certificate (the cluster with sslmode=require without a
  proxy), and DATABASE_SHARDS_OPEN as db_shards_open; their one rds-db:connect statement names the
  home database and every shard's proxy;
- each shard has the home database's alarms on its cluster and proxy; the database_shards output
  names each one's writer endpoint, master secret, application role secret and database;
- nothing else changes: no resource planned without shards is missing, none is added besides the
  shards and their alarms, and every other resource, data source and output is the same where
  both plans know it (the functions' policies apart from their rds-db:connect resources, the
  functions' and database's environments apart from the two shard variables); what the targeted
  apply created is unchanged (no-op).

    plans.py --plan dev=plan-dev.json --plan prod=plan-prod.json \
             --plan prod-s1=plan-shard.json --unsharded prod-s1=plan-shard-base.json
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
KMS_KEY = "module.platform.module.kms.aws_kms_key.this"
LAMBDA = "module.platform.module.functions.aws_lambda_function.this"
ROUTE = "module.platform.module.api.aws_apigatewayv2_route.this"
HOME_DATABASE = "module.platform.module.database"
SHARDS = "module.platform.module.database_shards"
ALARM = "module.platform.module.observability.aws_cloudwatch_metric_alarm.this"
# The application role: app_database_role's default, and APP_DATABASE_ROLE's in scripts/deploy.
APP_ROLE = "saas_app"
# Providers' events: the route, and the catalog's function that serves it.
INBOUND_ROUTE = "POST /v1/webhooks/inbound"
INBOUND_FUNCTION = "webhooks-api"
INBOUND_SECRET = "INBOUND_WEBHOOK_SECRET"
SHARD_VARIABLES = ("DATABASE_SHARDS", "DATABASE_SHARDS_OPEN")
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

    # Every function's environment is encrypted with the environment's key (its ARN, where the
    # plan knows the key; planned, where the key is yet to be created).
    key = res.get(KMS_KEY, ({}, {}, {}))[0].get("arn")
    for name, (after, unknown, _) in sorted(by_key(res, LAMBDA).items()):
        arn = after.get("kms_key_arn")
        planned = unknown.get("kms_key_arn") is True
        want(planned or (arn is not None and arn == key),
             f"{name}: environment encrypted with the environment's KMS key ({arn or ('planned' if planned else 'none')})")

    # Providers' events: INBOUND_WEBHOOK_SECRET only on the function that serves their route, and
    # only when the variable is set; a sensitive variable, whose value no output shows.
    secret = (plan.get("variables", {}).get("inbound_webhook_secret") or {}).get("value")
    holders = sorted(n for n, e in environments.items() if INBOUND_SECRET in (e.get("names") or []))
    if secret is None:
        want(not holders, f"no {INBOUND_SECRET} without inbound_webhook_secret ({holders or 'none'})")
    else:
        want(holders == [INBOUND_FUNCTION], f"{INBOUND_SECRET} on {INBOUND_FUNCTION} only ({holders or 'none'})")
        want(f'{ROUTE}["{INBOUND_ROUTE}"]' in res, f"route {INBOUND_ROUTE} planned")
        shown = sorted(n for n, e in environments.items() if INBOUND_SECRET in (e.get("settings") or {}))
        want(not shown, f"the output shows no {INBOUND_SECRET} value ({shown or 'none'})")
        declared = plan.get("configuration", {}).get("root_module", {}).get("variables", {}).get("inbound_webhook_secret", {})
        want(declared.get("sensitive") is True, "variable inbound_webhook_secret is sensitive")
    return problems


# --- a plan with tenant shards, against the same environment's plan without them ---------------


def clashes(a: tuple, b: tuple, path: str = "") -> list:
    """Paths where two planned values (value, after_unknown, after_sensitive) differ, comparing
    only what both plans know; sensitive values (generated passwords) are not compared."""
    (av, au, asn), (bv, bu, bsn) = a, b
    if True in (au, bu, asn, bsn):
        return []

    def sub(tree, key):
        if isinstance(tree, dict):
            return tree.get(key)
        if isinstance(tree, list) and isinstance(key, int) and key < len(tree):
            return tree[key]
        return None

    if isinstance(av, dict) and isinstance(bv, dict):
        keys = sorted(set(av) | set(bv))
    elif isinstance(av, list) and isinstance(bv, list) and len(av) == len(bv):
        keys = range(len(av))
    else:
        return [] if av == bv else [path or "."]
    out = []
    for k in keys:
        out += clashes((sub(av, k), sub(au, k), sub(asn, k)), (sub(bv, k), sub(bu, k), sub(bsn, k)), f"{path}.{k}" if path else str(k))
    return out


def changes(plan: dict) -> dict:
    """address -> (actions, (after, after_unknown, after_sensitive)) of every resource change,
    data sources read at apply time included."""
    out = {}
    for rc in plan.get("resource_changes", []):
        c = rc["change"]
        out[rc["address"]] = (c["actions"], (c.get("after"), c.get("after_unknown") or {}, c.get("after_sensitive") or {}))
    return out


def without_connect(value: tuple) -> tuple:
    """A function's policy document with the resources of its rds-db:connect statement left out."""
    after, unknown, sensitive = (json.loads(json.dumps(v)) for v in value)
    for i, st in enumerate((after or {}).get("statement") or []):
        if "rds-db:connect" in (st.get("actions") or []):
            st["resources"] = None
            flags = (unknown or {}).get("statement")
            if isinstance(flags, list) and i < len(flags) and isinstance(flags[i], dict):
                flags[i]["resources"] = None
    return after, unknown, sensitive


def check_shards(env: str, plan: dict, base: dict, quiet: bool = False) -> list[str]:
    """The plan with db_shards (made after a targeted apply of the shards, so their endpoints and
    ARNs are known) against the same environment's plan without them."""
    problems = []

    def want(ok: bool, what: str) -> None:
        if not quiet:
            print(f"  {'ok  ' if ok else 'FAIL'} {env}: {what}")
        if not ok:
            problems.append(f"{env}: {what}")

    shards = (plan.get("variables", {}).get("db_shards") or {}).get("value") or {}
    opened = (plan.get("variables", {}).get("db_shards_open") or {}).get("value")
    want(bool(shards), f"db_shards: {sorted(shards)}")
    res, before = resources(plan), resources(base)
    home = res.get(f"{HOME_DATABASE}.aws_rds_cluster.this", ({}, {}, {}))[0]
    home_proxy = f"{HOME_DATABASE}.aws_db_proxy.this[0]" in res
    home_readers = len([a for a in res if a.startswith(f"{HOME_DATABASE}.aws_rds_cluster_instance.reader[")])
    home_scaling = block(home, "serverlessv2_scaling_configuration")

    # Each shard: a cluster like the home one (its own sizes aside), and a proxy where the home
    # cluster has one; the URL and the rds-db:connect resource the functions must get for it.
    # TLS always; verified at a proxy (an ACM certificate), not at a cluster (the RDS CA).
    sslmode = "verify-full" if home_proxy else "require"
    urls, arns, added = {}, {}, set()
    for name, sizes in sorted(shards.items()):
        sizes = sizes or {}
        prefix = f'{SHARDS}["{name}"].'
        added |= {a for a in changes(plan) if a.startswith(prefix)}
        cluster = res.get(prefix + "aws_rds_cluster.this", ({}, {}, {}))[0]
        want(bool(cluster), f"shard {name}: an Aurora cluster")
        want(cluster.get("cluster_identifier") == f"{home.get('cluster_identifier')}-{name}",
             f"shard {name}: cluster {cluster.get('cluster_identifier')}")
        same = ("engine", "engine_version", "database_name", "master_username", "storage_encrypted", "kms_key_id",
                "iam_database_authentication_enabled", "vpc_security_group_ids", "backup_retention_period", "deletion_protection")
        differ = [k for k in same if cluster.get(k) != home.get(k)]
        want(not differ, f"shard {name}: the home cluster's settings, key and security groups ({differ or 'same'})")
        scaling = block(cluster, "serverlessv2_scaling_configuration")
        wanted = {k: sizes.get(k) if sizes.get(k) is not None else home_scaling.get(k) for k in ("min_capacity", "max_capacity")}
        got = {k: scaling.get(k) for k in wanted}
        want(got == wanted, f"shard {name}: capacity {got}, its own or the home cluster's ({wanted})")
        readers = len([a for a in res if a.startswith(prefix + "aws_rds_cluster_instance.reader[")])
        want(prefix + "aws_rds_cluster_instance.writer" in res, f"shard {name}: a writer instance")
        expected = sizes.get("reader_count") if sizes.get("reader_count") is not None else home_readers
        want(readers == expected, f"shard {name}: {readers} readers ({expected})")
        params = lambda r: sorted((p.get("name"), str(p.get("value"))) for p in r.get("parameter") or [])  # noqa: E731
        group = res.get(prefix + PARAMETER_GROUP, ({}, {}, {}))[0]
        want(params(group) == params(res.get(f"{HOME_DATABASE}.{PARAMETER_GROUP}", ({}, {}, {}))[0]),
             f"shard {name}: the home cluster's parameters")

        proxy = res.get(prefix + "aws_db_proxy.this[0]", ({}, {}, {}))[0]
        want(bool(proxy) == home_proxy, f"shard {name}: {'a' if home_proxy else 'no'} proxy, as the home cluster")
        if home_proxy:
            auths = proxy.get("auth") or []
            want(proxy.get("name") == cluster.get("cluster_identifier"), f"shard {name}: proxy {proxy.get('name')}")
            want(proxy.get("require_tls") is True, f"shard {name}: the proxy requires TLS")
            want(len(auths) == 1 and auths[0].get("iam_auth") == "REQUIRED",
                 f"shard {name}: the proxy has one auth entry, with IAM auth required ({[a.get('iam_auth') for a in auths]})")
            want(not any(a.startswith(prefix + "aws_db_proxy_endpoint.") for a in res),
                 f"shard {name}: no read-only proxy endpoint (the functions use a shard's writer)")
        host = proxy.get("endpoint") if home_proxy else cluster.get("endpoint")
        want(host is not None, f"shard {name}: its endpoint is known to the plan ({host}; the shard is applied first)")
        urls[name] = f"postgres://{APP_ROLE}@{host}:5432/{home.get('database_name')}?sslmode={sslmode}"
        arn = proxy.get("arn") if home_proxy else None
        if arn:
            _, partition, _, region, account, *_ = arn.split(":")
            arns[name] = f"arn:{partition}:rds-db:{region}:{account}:dbuser:{arn.split(':')[6]}/{APP_ROLE}"
        elif not home_proxy and cluster.get("cluster_resource_id") and cluster.get("arn"):
            _, partition, _, region, account, *_ = cluster["arn"].split(":")
            arns[name] = f"arn:{partition}:rds-db:{region}:{account}:dbuser:{cluster['cluster_resource_id']}/{APP_ROLE}"
        want(name in arns, f"shard {name}: its rds-db:connect resource is known to the plan ({arns.get(name)})")

    # What the functions get: DATABASE_SHARDS with each shard's URL (the application role at its
    # proxy, TLS verified), DATABASE_SHARDS_OPEN when set; on the database functions only.
    environment = plan.get("output_changes", {}).get("database_environment", {}).get("after") or {}
    listed = ",".join(f"{name}={urls[name]}" for name in sorted(urls))
    got = environment.get("DATABASE_SHARDS")
    want(got == listed, f"DATABASE_SHARDS: each shard's {'proxy' if home_proxy else 'cluster'} as {APP_ROLE}, sslmode={sslmode} "
         f"({got}{'' if got == listed else f'; expected {listed}'})")
    want(environment.get("DATABASE_SHARDS_OPEN") == (",".join(opened) if opened is not None else None),
         f"DATABASE_SHARDS_OPEN={environment.get('DATABASE_SHARDS_OPEN')} (db_shards_open {opened})")
    environments = plan.get("output_changes", {}).get("function_environment", {}).get("after") or {}
    variables = {"DATABASE_SHARDS"} | ({"DATABASE_SHARDS_OPEN"} if opened is not None else set())
    for name, e in sorted(environments.items()):
        names = set(e.get("names") or [])
        expected = variables if "DATABASE_URL" in names else set()
        want(names & set(SHARD_VARIABLES) == expected, f"{name}: {sorted(expected) or 'no shard variables'} ({sorted(names & set(SHARD_VARIABLES))})")
        if "DATABASE_SHARDS_OPEN" in expected:
            got = (e.get("settings") or {}).get("DATABASE_SHARDS_OPEN")
            want(got == ",".join(opened), f"{name}: DATABASE_SHARDS_OPEN={got}")

    # Their roles may connect as the application role to every shard's proxy: one statement,
    # the home database's resource and one per shard.
    database = {n for n, e in environments.items() if "DATABASE_URL" in (e.get("names") or [])}
    for name, (after, unknown) in sorted(by_key(reads(plan), POLICY).items()):
        statements = after.get("statement") or []
        flags = unknown.get("statement") if isinstance(unknown.get("statement"), list) else []
        connect = [i for i, st in enumerate(statements) if "rds-db:connect" in (st.get("actions") or [])]
        if name not in database:
            want(not connect, f"{name}: no rds-db:connect without the database")
            continue
        resources_ = statements[connect[0]].get("resources") or [] if connect else []
        known_ = known(resources_, flags[connect[0]].get("resources") if connect and connect[0] < len(flags) and isinstance(flags[connect[0]], dict) else None)
        missing = sorted(set(arns.values()) - set(known_))
        want(len(connect) == 1 and len(resources_) == 1 + len(shards) and not missing,
             f"{name}: rds-db:connect at home and on every shard's proxy ({len(resources_)} resources, missing {missing or 'none'})")

    # Each shard's alarms: the home database's, on the shard's cluster and proxy.
    alarms = by_key(res, ALARM)
    home_alarms = {k: a for k, (a, _, _) in by_key(before, ALARM).items() if k.startswith("db-")}
    want(bool(home_alarms) or not alarms, f"the home database's alarms ({sorted(home_alarms)})")
    for name in sorted(shards):
        prefix = f'{SHARDS}["{name}"].'
        cluster_id = res.get(prefix + "aws_rds_cluster.this", ({}, {}, {}))[0].get("cluster_identifier")
        proxy_name = res.get(prefix + "aws_db_proxy.this[0]", ({}, {}, {}))[0].get("name")
        for key, alarm in sorted(home_alarms.items()):
            shard_key = f"db-{name}-{key[3:]}"
            added.add(f'{ALARM}["{shard_key}"]')
            got = alarms.get(shard_key, ({}, {}, {}))[0]
            dims = {k: (cluster_id if k == "DBClusterIdentifier" else proxy_name if k == "ProxyName" else v)
                    for k, v in (alarm.get("dimensions") or {}).items()}
            same = all(got.get(k) == alarm.get(k) for k in ("metric_name", "namespace", "statistic", "threshold", "evaluation_periods", "alarm_actions"))
            want(bool(got) and got.get("dimensions") == dims and same,
                 f"alarm {shard_key}: {key} on shard {name} ({got.get('dimensions')})")

    # The database_shards output, for scripts/deploy.
    output = plan.get("output_changes", {}).get("database_shards", {}).get("after") or {}
    want(sorted(output) == sorted(shards), f"output database_shards: {sorted(output)}")
    for name in sorted(shards):
        prefix = f'{SHARDS}["{name}"].'
        cluster = res.get(prefix + "aws_rds_cluster.this", ({}, {}, {}))[0]
        secret = res.get(prefix + "aws_secretsmanager_secret.app[0]", ({}, {}, {}))[0]
        wanted = {"cluster_endpoint": cluster.get("endpoint"), "database_name": cluster.get("database_name"),
                  "secret_arn": block(cluster, "master_user_secret").get("secret_arn"), "app_secret_arn": secret.get("arn")}
        want(output.get(name) == wanted and None not in (wanted["cluster_endpoint"], wanted["secret_arn"]),
             f"output database_shards.{name}: the writer endpoint, master and application role secrets, database")

    # Nothing else: every other resource, data source and output is as in the plan without
    # shards. What the targeted apply created (the shards and what they need: the key, the VPC,
    # subnets and security groups) is unchanged by the plan (no-op); the rest compares where both
    # plans know a value. The functions' policies differ in their rds-db:connect resources only.
    now, then = changes(plan), changes(base)
    want(set(then) <= set(now), f"nothing planned without shards is missing ({sorted(set(then) - set(now))[:5] or 'none'})")
    extra = sorted(set(now) - set(then) - added)
    want(not extra, f"nothing more than the shards and their alarms ({extra[:5] or 'none'})")
    moved = []
    for address in sorted(set(then) & set(now)):
        (actions, value), (base_actions, base_value) = now[address], then[address]
        if actions == ["no-op"]:
            continue
        if actions != base_actions:
            moved.append(f"{address} {actions}")
            continue
        if address.startswith(POLICY + "["):
            value, base_value = without_connect(value), without_connect(base_value)
        moved += [f"{address}: {p}" for p in clashes(value, base_value)[:3]]
    want(not moved, f"every other resource as without shards ({moved[:5] or 'same'})")
    outputs = plan.get("output_changes", {})
    drift = []
    for key, change in sorted(base.get("output_changes", {}).items()):
        if key == "database_shards":
            continue
        value = outputs.get(key, {})
        value = tuple(json.loads(json.dumps(value.get(k))) for k in ("after", "after_unknown", "after_sensitive"))
        base_value = tuple(change.get(k) for k in ("after", "after_unknown", "after_sensitive"))
        if key in ("database_environment", "function_environment") and isinstance(value[0], dict):
            for tree in value:
                if not isinstance(tree, dict):
                    continue
                targets = [tree] if key == "database_environment" else [t for e in tree.values() if isinstance(e, dict) for t in (e, e.get("settings"))]
                for t in targets:
                    if isinstance(t, dict):
                        for var in SHARD_VARIABLES:
                            t.pop(var, None)
                        if isinstance(t.get("names"), list):
                            t["names"] = [n for n in t["names"] if n not in SHARD_VARIABLES]
        drift += [f"{key}: {p}" for p in clashes(value, base_value)[:3]]
    want(not drift, f"every other output as without shards ({drift[:5] or 'same'})")
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
    for name in ("accounts-api", "tenants-api", INBOUND_FUNCTION):
        names = sorted(set(settings) | set(STORE_OF_TABLE) | {"ORIGIN_VERIFY_SECRET", "RUST_LOG"})
        environments[name] = {"names": names, "settings": dict(settings)}
        changes.append(change(f'{INTEGRATION}["{name}"]', {}))
    environments[INBOUND_FUNCTION]["names"].append(INBOUND_SECRET)
    changes.append(change(f'{ROUTE}["{INBOUND_ROUTE}"]', {"route_key": INBOUND_ROUTE}))
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
        changes.append(change(f'{LAMBDA}["{name}"]', {"kms_key_arn": None}, {"kms_key_arn": True, "environment": [{"variables": True}]}))
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
            "variables": {"inbound_webhook_secret": {"value": "whsec_" + "A" * 44}},
            "output_changes": {"function_environment": {"after": environments}, "database_app_role": {"after": APP_ROLE}},
            "configuration": {"root_module": {"outputs": {"origin_verify_secret": {"sensitive": True}},
                                              "variables": {"inbound_webhook_secret": {"sensitive": True}},
                                              "module_calls": {"platform": {"module": {"module_calls": {"database": database}}}}}}}


def shard_fixtures() -> tuple[dict, dict]:
    """The fixture with a shard s1 behind its own proxy (applied first: its endpoints and ARNs
    known), and the same without it."""
    def change(address, after, actions=("create",), unknown=None):
        return {"address": address, "mode": "managed",
                "change": {"actions": list(actions), "after": after, "after_unknown": unknown or {}, "after_sensitive": {}}}

    home = {"cluster_identifier": "saas-prod", "engine": "aurora-postgresql", "engine_version": "16.6", "database_name": "saas",
            "master_username": "saas_admin", "storage_encrypted": True, "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/k",
            "iam_database_authentication_enabled": True, "vpc_security_group_ids": ["sg-database"], "backup_retention_period": 14,
            "deletion_protection": True, "serverlessv2_scaling_configuration": [{"min_capacity": 0.5, "max_capacity": 16}]}
    alarm = lambda key, dims: change(f'{ALARM}["{key}"]', {  # noqa: E731
        "metric_name": "CPUUtilization" if "cpu" in key else "DatabaseConnectionsCurrentlySessionPinned", "namespace": "AWS/RDS",
        "statistic": "Average", "threshold": 80, "evaluation_periods": 3, "alarm_actions": None, "dimensions": dims})
    base = fixture()
    base["variables"] = {"db_shards": {"value": {}}, "db_shards_open": {"value": None}}
    base["resource_changes"] += [
        change(f"{HOME_DATABASE}.aws_rds_cluster.this", home),
        change(f"{HOME_DATABASE}.aws_rds_cluster_instance.writer", {}),
        change(f"{HOME_DATABASE}.aws_rds_cluster_instance.reader[0]", {}),
        alarm("db-cpu", {"DBClusterIdentifier": "saas-prod"}),
        alarm("db-proxy-pinned-connections", {"ProxyName": "saas-prod"}),
    ]
    base["output_changes"]["database_environment"] = {"after": {"DATABASE_IAM_AUTH": "true"}, "after_unknown": {"DATABASE_URL": True}}
    base["output_changes"]["database_shards"] = {"after": {}}

    plan = json.loads(json.dumps(base))
    plan["variables"] = {"db_shards": {"value": {"s1": {"max_capacity": 8, "reader_count": 0}}}, "db_shards_open": {"value": ["s1"]}}
    prefix = f'{SHARDS}["s1"].'
    endpoint = "saas-prod-s1.db-proxy-abc.us-east-1.rds.amazonaws.com"
    shard = dict(home, cluster_identifier="saas-prod-s1", endpoint="saas-prod-s1.cluster-abc.us-east-1.rds.amazonaws.com",
                 serverlessv2_scaling_configuration=[{"min_capacity": 0.5, "max_capacity": 8}],
                 master_user_secret=[{"secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-s1"}])
    params = next(r for r in base["resource_changes"] if r["address"].endswith(PARAMETER_GROUP))["change"]["after"]
    plan["resource_changes"] += [
        change(prefix + "aws_rds_cluster.this", shard, ("no-op",)),
        change(prefix + "aws_rds_cluster_instance.writer", {}, ("no-op",)),
        change(prefix + PARAMETER_GROUP, json.loads(json.dumps(params)), ("no-op",)),
        change(prefix + "aws_db_proxy.this[0]", {"name": "saas-prod-s1", "endpoint": endpoint, "require_tls": True,
                                                "arn": "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-s1",
                                                "auth": [{"auth_scheme": "SECRETS", "iam_auth": "REQUIRED"}]}, ("no-op",)),
        change(prefix + "aws_secretsmanager_secret.app[0]", {"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:saas-prod-s1-db-saas_app"}, ("no-op",)),
        alarm("db-s1-cpu", {"DBClusterIdentifier": "saas-prod-s1"}),
        alarm("db-s1-proxy-pinned-connections", {"ProxyName": "saas-prod-s1"}),
    ]
    plan["output_changes"]["database_environment"]["after"].update(
        DATABASE_SHARDS=f"s1=postgres://{APP_ROLE}@{endpoint}:5432/saas?sslmode=verify-full", DATABASE_SHARDS_OPEN="s1")
    for e in plan["output_changes"]["function_environment"]["after"].values():
        e["names"] = sorted(e["names"] + list(SHARD_VARIABLES))
        e["settings"]["DATABASE_SHARDS_OPEN"] = "s1"
    for r in plan["resource_changes"]:
        if r["address"].startswith(POLICY + "["):
            r["change"]["after"]["statement"][1]["resources"] = [f"arn:aws:rds-db:us-east-1:123456789012:dbuser:prx-s1/{APP_ROLE}", None]
            r["change"]["after_unknown"]["statement"][1]["resources"] = [False, True]
    plan["output_changes"]["database_shards"] = {"after": {"s1": {
        "cluster_endpoint": shard["endpoint"], "database_name": "saas", "secret_arn": shard["master_user_secret"][0]["secret_arn"],
        "app_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:saas-prod-s1-db-saas_app"}}}
    return plan, base


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

    def inbound_secret_elsewhere(p):
        fn(p, "tenants-api")["names"].append(INBOUND_SECRET)

    def inbound_secret_shown(p):
        fn(p, INBOUND_FUNCTION)["settings"][INBOUND_SECRET] = "whsec_" + "A" * 44

    def inbound_variable_in_clear(p):
        p["configuration"]["root_module"]["variables"]["inbound_webhook_secret"]["sensitive"] = False

    def inbound_secret_without_variable(p):
        p["variables"]["inbound_webhook_secret"]["value"] = None

    def environment_without_key(p):
        rc(p, f'{LAMBDA}["sweeper"]')["after_unknown"].pop("kms_key_arn")

    cases = [
        ("INBOUND_WEBHOOK_SECRET on another function", inbound_secret_elsewhere, "INBOUND_WEBHOOK_SECRET on webhooks-api only"),
        ("INBOUND_WEBHOOK_SECRET value in the output", inbound_secret_shown, "shows no INBOUND_WEBHOOK_SECRET value"),
        ("inbound_webhook_secret not sensitive", inbound_variable_in_clear, "variable inbound_webhook_secret is sensitive"),
        ("INBOUND_WEBHOOK_SECRET without the variable", inbound_secret_without_variable, "no INBOUND_WEBHOOK_SECRET without"),
        ("a function's environment without the key", environment_without_key, "sweeper: environment encrypted with the environment's KMS key"),
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

    # The plan with a shard, against the one without.
    def shard_resource(p, name):
        return rc(p, f'{SHARDS}["s1"].{name}')

    def environment(p):
        return p["output_changes"]["database_environment"]["after"]

    def shards_at_cluster(p):
        environment(p)["DATABASE_SHARDS"] = "s1=postgres://saas_app@saas-prod-s1.cluster-abc.us-east-1.rds.amazonaws.com:5432/saas?sslmode=verify-full"

    def shards_as_master(p):
        environment(p)["DATABASE_SHARDS"] = environment(p)["DATABASE_SHARDS"].replace("saas_app@", "saas_admin@")

    def shards_unverified(p):
        environment(p)["DATABASE_SHARDS"] = environment(p)["DATABASE_SHARDS"].replace("verify-full", "require")

    def shards_open_wrong(p):
        environment(p)["DATABASE_SHARDS_OPEN"] = "main,s1"

    def sweeper_without_shards(p):
        fn(p, "sweeper")["names"].remove("DATABASE_SHARDS")

    def no_connect_to_shard(p):
        policy(p, "jobs-worker")["after"]["statement"][1]["resources"] = [None]
        policy(p, "jobs-worker")["after_unknown"]["statement"][1]["resources"] = [True]

    def shard_proxy_password(p):
        shard_resource(p, "aws_db_proxy.this[0]")["after"]["auth"][0]["iam_auth"] = "DISABLED"

    def shard_proxy_plaintext(p):
        shard_resource(p, "aws_db_proxy.this[0]")["after"]["require_tls"] = False

    def shard_other_key(p):
        shard_resource(p, "aws_rds_cluster.this")["after"]["kms_key_id"] = "arn:aws:kms:us-east-1:123456789012:key/other"

    def shard_home_size(p):
        shard_resource(p, "aws_rds_cluster.this")["after"]["serverlessv2_scaling_configuration"][0]["max_capacity"] = 16

    def no_shard_proxy(p):
        p["resource_changes"] = [r for r in p["resource_changes"] if not r["address"].startswith(f'{SHARDS}["s1"].aws_db_proxy')]

    def no_shard_alarm(p):
        p["resource_changes"] = [r for r in p["resource_changes"] if r["address"] != f'{ALARM}["db-s1-cpu"]']

    def home_resized(p):
        rc(p, f"{HOME_DATABASE}.aws_rds_cluster.this")["after"]["serverlessv2_scaling_configuration"][0]["max_capacity"] = 32

    def something_more(p):
        p["resource_changes"].append({"address": "module.platform.module.network.aws_security_group.other", "mode": "managed",
                                      "change": {"actions": ["create"], "after": {}, "after_unknown": {}, "after_sensitive": {}}})

    def other_output(p):
        p["output_changes"]["database_app_role"]["after"] = "saas_other"

    def output_proxy_endpoint(p):
        p["output_changes"]["database_shards"]["after"]["s1"]["cluster_endpoint"] = "saas-prod-s1.db-proxy-abc.us-east-1.rds.amazonaws.com"

    shard_cases = [
        ("shards: matching", None, None),
        ("DATABASE_SHARDS at the cluster, around the proxy", shards_at_cluster, "DATABASE_SHARDS: each shard's proxy"),
        ("DATABASE_SHARDS as the master user", shards_as_master, "DATABASE_SHARDS: each shard's proxy"),
        ("DATABASE_SHARDS without a verified certificate", shards_unverified, "DATABASE_SHARDS: each shard's proxy"),
        ("DATABASE_SHARDS_OPEN not as set", shards_open_wrong, "DATABASE_SHARDS_OPEN=main,s1"),
        ("DATABASE_SHARDS missing on a function", sweeper_without_shards, "sweeper: ['DATABASE_SHARDS', 'DATABASE_SHARDS_OPEN']"),
        ("no rds-db:connect on the shard", no_connect_to_shard, "jobs-worker: rds-db:connect at home and on every shard's proxy"),
        ("a shard proxy with passwords", shard_proxy_password, "with IAM auth required"),
        ("a shard proxy without TLS", shard_proxy_plaintext, "the proxy requires TLS"),
        ("a shard under another key", shard_other_key, "the home cluster's settings, key"),
        ("a shard ignoring its own size", shard_home_size, "shard s1: capacity"),
        ("a shard without a proxy", no_shard_proxy, "shard s1: a proxy, as the home cluster"),
        ("a shard without its CPU alarm", no_shard_alarm, "alarm db-s1-cpu"),
        ("the home cluster resized", home_resized, "every other resource as without shards"),
        ("one more resource", something_more, "nothing more than the shards"),
        ("another output changed", other_output, "every other output as without shards"),
        ("database_shards names the proxy", output_proxy_endpoint, "output database_shards.s1"),
    ]
    for label, mutate, expected in shard_cases:
        plan, base = shard_fixtures()
        if mutate:
            mutate(plan)
        problems = check_shards("fixture", plan, base, quiet=True)
        ok = not problems if expected is None else bool(problems) and all(expected in p for p in problems[:1])
        failures += not ok
        print(f"  self-test {label}: {'ok' if ok else 'WRONG'} ({'; '.join(problems) or 'no problem'})")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--plan", action="append", default=[], metavar="ENV=FILE", help="a plan as JSON (terraform show -json)")
    ap.add_argument("--unsharded", action="append", default=[], metavar="ENV=FILE",
                    help="the plan of ENV without db_shards: ENV's own plan is checked as the one with shards against it")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        failed = self_test()
        print("plans self-test:", "FAIL" if failed else "PASS")
        return 1 if failed else 0
    if not args.plan:
        ap.error("give at least one --plan ENV=FILE")
    bases = {}
    for spec in args.unsharded:
        env, _, path = spec.partition("=")
        with open(path) as f:
            bases[env] = json.load(f)
    problems = []
    for spec in args.plan:
        env, _, path = spec.partition("=")
        with open(path) as f:
            plan = json.load(f)
        problems += check_plan(env, plan)
        if env in bases:
            problems += check_shards(env, plan, bases[env])
    for p in problems:
        print(f"  FAIL: {p}")
    print("plans:", "FAIL" if problems else "PASS")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
