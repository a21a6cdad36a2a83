#!/usr/bin/env python3
"""Reads what `terraform apply` of envs/local created back from moto, through the AWS API.

Names come from `terraform output -json`. Checks the queues (redrive policy, visibility timeout,
encryption, and a message really landing in the DLQ after maxReceiveCount receives), the tables
(key schema, TTL, PITR, encryption, a conditional write; the sessions table's by_user index,
keys only, returning exactly one user's sessions), the functions (runtime, architecture, and an
environment exactly as their catalog entries declare: tables and their stores' settings, queue
and DLQ URLs, mail settings, CORS origins for the HTTP functions only, no origin secret without
the CDN), their triggers (the worker's SQS event source with ReportBatchItemFailures and a
maximum concurrency on a queue that redrives to its DLQ; the sweeper's EventBridge schedule,
its target and invoke permission), the network (only the functions with internet = true, the
jobs worker, run in the egress subnets with the egress security group; those subnets route
0.0.0.0/0 to a NAT gateway in a public subnet behind the internet gateway, the private ones
have no route out; behind the proxy, only the proxy and the migrations group reach the cluster
and the functions' groups reach the proxy, not the cluster), the proxy (one auth entry, the
application role's own secret, the one secret the proxy's role may read), each role's policy (its tables and
their indexes; rds-db:connect as the application role through the proxy, no Secrets Manager
access, no KMS through Secrets Manager), SES (the identity; MAIL_TRANSPORT=ses
and ses:SendEmail on exactly the identity's ARN for the mail functions, no SES access for any
other; SendEmail accepting MAIL_FROM and refusing a sender off the identity), the API routes
and the alarms.

    readback.py --endpoint http://127.0.0.1:PORT --outputs outputs.json
"""

import argparse
import json
import sys
import uuid

import boto3
from botocore.exceptions import ClientError

EXPECTED_TABLES = {"sessions", "rate_limits", "idempotency", "cache"}
# Global secondary indexes the stores query: the session store deletes all of a user's sessions
# through by_user.
EXPECTED_INDEXES = {
    "sessions": {"by_user": {"hash_key": "user_id", "range_key": None, "projection_type": "KEYS_ONLY"}},
}
EXPECTED_QUEUES = {"jobs"}

passed, failed = 0, 0


def expect(ok: bool, what: str) -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok   {what}")
    else:
        failed += 1
        print(f"  FAIL {what}")


def client(service: str, endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def check_queues(sqs, queues: dict, worker_timeout: int) -> None:
    expect(set(queues) == EXPECTED_QUEUES, f"queues output is {sorted(queues)}, expected {sorted(EXPECTED_QUEUES)}")
    for key, q in queues.items():
        url = sqs.get_queue_url(QueueName=q["name"])["QueueUrl"]
        dlq_url = sqs.get_queue_url(QueueName=q["dlq_name"])["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        dlq_attrs = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]

        redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
        expect(redrive.get("deadLetterTargetArn") == dlq_attrs["QueueArn"], f"{q['name']}: redrive_policy targets {q['dlq_name']}")
        max_receives = int(redrive.get("maxReceiveCount", 0))
        expect(1 <= max_receives <= 10, f"{q['name']}: maxReceiveCount {max_receives} in 1..10")
        visibility = int(attrs["VisibilityTimeout"])
        expect(visibility >= 6 * worker_timeout, f"{q['name']}: visibility timeout {visibility}s >= 6 x worker timeout {worker_timeout}s")
        expect(visibility == q["visibility_timeout_seconds"], f"{q['name']}: visibility timeout matches the Terraform output")
        for name, a in ((q["name"], attrs), (q["dlq_name"], dlq_attrs)):
            expect(bool(a.get("KmsMasterKeyId")), f"{name}: messages encrypted with KMS ({a.get('KmsMasterKeyId', 'none')})")
        expect(int(dlq_attrs["MessageRetentionPeriod"]) == 1209600, f"{q['dlq_name']}: keeps messages 14 days")
        expect("RedrivePolicy" not in dlq_attrs, f"{q['dlq_name']}: is not itself redriven")

        # A poison message: received maxReceiveCount times without being deleted, it must move.
        body = f"readback-{uuid.uuid4()}"
        sqs.send_message(QueueUrl=url, MessageBody=body)
        for _ in range(max_receives):
            sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
        moved = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        expect(any(m["Body"] == body for m in moved), f"{q['name']}: a message received {max_receives} times lands in {q['dlq_name']}")


def check_tables(ddb, tables: dict) -> None:
    expect(set(tables) == EXPECTED_TABLES, f"tables output is {sorted(tables)}, expected {sorted(EXPECTED_TABLES)}")
    for key, t in tables.items():
        desc = ddb.describe_table(TableName=t["name"])["Table"]
        schema = {k["KeyType"]: k["AttributeName"] for k in desc["KeySchema"]}
        expected = {"HASH": t["hash_key"]} | ({"RANGE": t["range_key"]} if t.get("range_key") else {})
        expect(schema == expected, f"{t['name']}: key schema {schema}")
        types = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}
        expect(all(types.get(k) == "S" for k in expected.values()), f"{t['name']}: key attributes are strings")
        mode = desc.get("BillingModeSummary", {}).get("BillingMode")
        expect(mode == "PAY_PER_REQUEST", f"{t['name']}: on-demand billing ({mode})")
        sse = desc.get("SSEDescription", {})
        expect(sse.get("Status") == "ENABLED" and sse.get("SSEType") == "KMS", f"{t['name']}: encrypted with KMS ({sse})")

        ttl = ddb.describe_time_to_live(TableName=t["name"])["TimeToLiveDescription"]
        expect(
            ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName") == t["ttl_attribute"],
            f"{t['name']}: TTL enabled on {ttl.get('AttributeName')}",
        )
        pitr = ddb.describe_continuous_backups(TableName=t["name"])["ContinuousBackupsDescription"]
        status = pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
        expect(status == "ENABLED", f"{t['name']}: point-in-time recovery {status}")

        item = {t["hash_key"]: {"S": f"readback-{uuid.uuid4()}"}, t["ttl_attribute"]: {"N": "4102444800"}}
        ddb.put_item(TableName=t["name"], Item=item, ConditionExpression=f"attribute_not_exists({t['hash_key']})")
        try:
            ddb.put_item(TableName=t["name"], Item=item, ConditionExpression=f"attribute_not_exists({t['hash_key']})")
            duplicate_rejected = False
        except ClientError as e:
            duplicate_rejected = e.response["Error"]["Code"] == "ConditionalCheckFailedException"
        expect(duplicate_rejected, f"{t['name']}: a conditional write on an existing key is rejected")
        check_indexes(ddb, key, t, desc)


def check_indexes(ddb, key: str, t: dict, desc: dict) -> None:
    """The table's global secondary indexes: exactly the expected ones, in the output and on the
    table (key schema, attribute types, projection)."""
    want = EXPECTED_INDEXES.get(key, {})
    expect(t.get("indexes", {}) == want, f"{t['name']}: indexes output {t.get('indexes')} == {want}")
    got = {i["IndexName"]: i for i in desc.get("GlobalSecondaryIndexes", [])}
    expect(set(got) == set(want), f"{t['name']}: global secondary indexes {sorted(got) or 'none'}")
    types = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}
    for name, w in want.items():
        index = got.get(name)
        if index is None:
            continue
        schema = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
        expected = {"HASH": w["hash_key"]} | ({"RANGE": w["range_key"]} if w["range_key"] else {})
        expect(schema == expected, f"{t['name']}/{name}: key schema {schema}")
        expect(all(types.get(a) == "S" for a in expected.values()), f"{t['name']}/{name}: key attributes are strings")
        projection = index.get("Projection", {}).get("ProjectionType")
        expect(projection == w["projection_type"], f"{t['name']}/{name}: projection {projection}")

    # A session store's items, as the store writes them: every session of one user comes back
    # through by_user (keys only), and no other user's.
    if "by_user" in want and "by_user" in got:
        user, other = f"readback-{uuid.uuid4()}", f"readback-{uuid.uuid4()}"
        mine = {f"s#{uuid.uuid4().hex}" for _ in range(3)}
        for pk, owner in [(pk, user) for pk in mine] + [(f"s#{uuid.uuid4().hex}", other)]:
            ddb.put_item(TableName=t["name"], Item={
                t["hash_key"]: {"S": pk}, "user_id": {"S": owner}, t["ttl_attribute"]: {"N": "4102444800"},
            })
        found = ddb.query(TableName=t["name"], IndexName="by_user", KeyConditionExpression="user_id = :u",
                          ExpressionAttributeValues={":u": {"S": user}})["Items"]
        expect({i[t["hash_key"]]["S"] for i in found} == mine,
               f"{t['name']}/by_user: a user's {len(mine)} sessions, and only theirs ({len(found)} found)")
        expect(all(set(i) <= {t["hash_key"], "user_id"} for i in found), f"{t['name']}/by_user: keys only")


# What this platform's functions must be, whatever else their catalog entries say: the API
# functions and the sweeper relay the outbox to the jobs queue, the worker consumes it and sends
# the mail, and the sweeper runs every minute.
EXPECTED_FUNCTIONS = {
    "accounts-api": {"send_queues": ["jobs"]},
    "tenants-api": {"send_queues": ["jobs"]},
    "jobs-worker": {"sqs_queue": "jobs", "mail": True, "routes": [], "internet": True},
    "sweeper": {"schedule_expression": "rate(1 minute)", "send_queues": ["jobs"], "routes": []},
}
MAIL_VARIABLES = {"MAIL_FROM", "APP_NAME", "APP_BASE_URL", "MAIL_TRANSPORT", "SES_CONFIGURATION_SET"}
# The store settings a function gets with each table it lists, and the backends output's key.
STORE_VARIABLES = {
    "sessions": {"SESSIONS_BACKEND": "sessions"},
    "cache": {"CACHE_BACKEND": "cache"},
    "rate_limits": {"RATE_LIMIT_BACKEND": "rate_limits", "RATE_LIMIT_FAILURE": "rate_limit_failure"},
    "idempotency": {"IDEMPOTENCY_BACKEND": "idempotency"},
}
# What envs/local sets: every store in DynamoDB (no cache there), one CORS origin.
EXPECTED_BACKENDS = {"sessions": "dynamodb", "cache": "dynamodb", "rate_limits": "dynamodb",
                     "rate_limit_failure": "open", "idempotency": "dynamodb"}
# The HTTP functions' own settings; never on the worker or the sweeper, which no request reaches.
HTTP_VARIABLES = {"CORS_ALLOWED_ORIGINS", "ORIGIN_VERIFY_SECRET"}
SMTP_VARIABLES = {"SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "SMTP_USERNAME", "SMTP_PASSWORD"}


def check_catalog(functions: dict) -> None:
    for binary, expected in EXPECTED_FUNCTIONS.items():
        f = functions.get(binary)
        expect(f is not None, f"{binary}: deployed")
        if f is not None:
            got = {k: f.get(k) for k in expected}
            expect(got == expected, f"{binary}: {expected}")


def check_functions(lam, functions: dict, tables: dict, queues: dict, api_url: str, ses: dict | None,
                    backends: dict, origin_secret, app_role: str) -> None:
    """Each function's configuration and environment, against what its catalog entry declares."""
    expect({k: backends.get(k) for k in EXPECTED_BACKENDS} == EXPECTED_BACKENDS,
           f"backends output: {EXPECTED_BACKENDS}")
    # No CloudFront in envs/local: no origin secret, or every direct call would be refused.
    expect(origin_secret is None, "origin_verify_secret output is null without the CDN")
    for binary, f in functions.items():
        name = f["name"]
        cfg = lam.get_function(FunctionName=name)["Configuration"]
        expect(cfg.get("Runtime") == "provided.al2023", f"{name}: runtime {cfg.get('Runtime')}")
        expect(cfg.get("Architectures") == ["arm64"], f"{name}: architectures {cfg.get('Architectures')}")
        expect(cfg.get("Handler") == "bootstrap", f"{name}: handler {cfg.get('Handler')}")
        env = cfg.get("Environment", {}).get("Variables", {})
        for var in ("SESSION_TTL_SECONDS", "METRICS_NAMESPACE", "RUST_LOG"):
            expect(bool(env.get(var)), f"{name}: {var} is set")
        if f["database"]:
            for var in ("DATABASE_URL", "DATABASE_READ_URL", "DATABASE_MAX_CONNECTIONS"):
                expect(bool(env.get(var)), f"{name}: {var} is set")
            # The application role, never the master user.
            for var in ("DATABASE_URL", "DATABASE_READ_URL"):
                expect(env.get(var, "").startswith(f"postgres://{app_role}@"), f"{name}: {var} logs in as {app_role}")
            # envs/local has the proxy: TLS with its certificate verified, and IAM auth tokens.
            expect(env.get("DATABASE_URL", "").endswith("?sslmode=verify-full"), f"{name}: DATABASE_URL verifies the proxy's TLS certificate")
            expect(env.get("DATABASE_IAM_AUTH") == "true", f"{name}: DATABASE_IAM_AUTH=true behind the proxy")
            expect("DATABASE_SECRET_ARN" not in env, f"{name}: no DATABASE_SECRET_ARN (IAM auth tokens, no secret)")
        else:
            expect(not any(k.startswith("DATABASE_") for k in env), f"{name}: no DATABASE_* without the database")

        got_tables = {k: v for k, v in env.items() if k.endswith("_TABLE")}
        want_tables = {f"{t.upper()}_TABLE": tables[t]["name"] for t in f["tables"]}
        expect(got_tables == want_tables, f"{name}: table variables are exactly {sorted(want_tables) or 'none'}")

        # The store behind each table it lists, and no store setting for a table it does not.
        all_store_vars = {v for vs in STORE_VARIABLES.values() for v in vs}
        want_stores = {v: backends[b] for t in f["tables"] for v, b in STORE_VARIABLES.get(t, {}).items()}
        got_stores = {k: v for k, v in env.items() if k in all_store_vars}
        expect(got_stores == want_stores, f"{name}: store settings {want_stores or 'none'} ({got_stores or 'none'})")

        if f["routes"]:
            want_cors = ",".join(backends["cors_allowed_origins"])
            expect(env.get("CORS_ALLOWED_ORIGINS") == want_cors and want_cors,
                   f"{name}: CORS_ALLOWED_ORIGINS={want_cors} ({env.get('CORS_ALLOWED_ORIGINS')})")
            expect("ORIGIN_VERIFY_SECRET" not in env, f"{name}: no ORIGIN_VERIFY_SECRET without the CDN")
        else:
            leaked = sorted(HTTP_VARIABLES & set(env))
            expect(not leaked, f"{name}: not behind CloudFront, no HTTP settings ({leaked or 'none'})")

        # <KEY>_QUEUE_URL for the queues it sends to and the one it consumes; <KEY>_DLQ_URL for
        # the one it consumes (a permanent failure goes there at once).
        consumed = [f["sqs_queue"]] if f["sqs_queue"] else []
        got_queues = {k: v for k, v in env.items() if k.endswith("_QUEUE_URL")}
        want_queues = {f"{q.upper()}_QUEUE_URL": queues[q]["url"] for q in f["send_queues"] + consumed}
        expect(got_queues == want_queues, f"{name}: queue URLs are exactly {sorted(want_queues) or 'none'}")
        got_dlqs = {k: v for k, v in env.items() if k.endswith("_DLQ_URL")}
        want_dlqs = {f"{q.upper()}_DLQ_URL": queues[q]["dlq_url"] for q in consumed}
        expect(got_dlqs == want_dlqs, f"{name}: DLQ URLs are exactly {sorted(want_dlqs) or 'none'}")

        if f["mail"]:
            expect("@" in env.get("MAIL_FROM", ""), f"{name}: MAIL_FROM is an address ({env.get('MAIL_FROM')})")
            expect(bool(env.get("APP_NAME")), f"{name}: APP_NAME is set ({env.get('APP_NAME')})")
            # No CDN in envs/local: links in mails point to the API's URL.
            expect(env.get("APP_BASE_URL") == api_url, f"{name}: APP_BASE_URL is the API URL ({env.get('APP_BASE_URL')})")
            expect(not SMTP_VARIABLES & set(env), f"{name}: no SMTP_* without smtp")
            expect("MAIL_DIR" not in env, f"{name}: no MAIL_DIR (.eml files are for local runs only)")
            # envs/local sets ses: the worker sends through SES, from an address on the identity.
            expect(ses is not None and env.get("MAIL_TRANSPORT") == "ses", f"{name}: MAIL_TRANSPORT=ses ({env.get('MAIL_TRANSPORT')})")
            if ses is not None:
                expect(env.get("SES_CONFIGURATION_SET") == ses["configuration_set"],
                       f"{name}: SES_CONFIGURATION_SET is {ses['configuration_set'] or 'unset'} ({env.get('SES_CONFIGURATION_SET')})")
                sender = env.get("MAIL_FROM", "").lower()
                on_identity = sender == ses["identity"] if ses["identity_type"] == "EMAIL_ADDRESS" else sender.endswith("@" + ses["identity"])
                expect(on_identity, f"{name}: MAIL_FROM {sender} is on the SES identity {ses['identity']}")
        else:
            leaked = sorted((MAIL_VARIABLES | SMTP_VARIABLES) & set(env))
            expect(not leaked, f"{name}: no mail settings ({leaked or 'none'})")
        expect("REDIS_URL" not in env, f"{name}: no REDIS_URL without the cache")


def check_triggers(lam, events, sqs, functions: dict, queues: dict, max_concurrency: int) -> None:
    """SQS event source mappings and EventBridge schedules, exactly where the catalog puts them."""
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    for binary, f in functions.items():
        name = f["name"]
        mine = [m for m in mappings if m["FunctionArn"] == f["arn"]]
        if not f["sqs_queue"]:
            expect(not mine, f"{name}: no SQS event source mapping")
        else:
            q = queues[f["sqs_queue"]]
            expect(len(mine) == 1, f"{name}: one SQS event source mapping ({len(mine)})")
            for m in mine:
                expect(m["EventSourceArn"] == q["arn"], f"{name}: consumes {q['name']}")
                types = m.get("FunctionResponseTypes") or []
                expect("ReportBatchItemFailures" in types, f"{name}: reports batch item failures ({types})")
                got = m.get("ScalingConfig", {}).get("MaximumConcurrency")
                expect(got == max_concurrency, f"{name}: maximum concurrency {got} == {max_concurrency}")
            # Deliveries that keep failing land in the DLQ the function itself dead-letters to.
            url = sqs.get_queue_url(QueueName=q["name"])["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy", "VisibilityTimeout"])["Attributes"]
            redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
            expect(redrive.get("deadLetterTargetArn") == q["dlq_arn"], f"{name}: {q['name']} redrives to {q['dlq_name']}")
            timeout = lam.get_function(FunctionName=name)["Configuration"]["Timeout"]
            visibility = int(attrs["VisibilityTimeout"])
            expect(visibility >= 6 * timeout, f"{name}: {q['name']} visibility {visibility}s >= 6 x its timeout {timeout}s")

        rules = events.list_rule_names_by_target(TargetArn=f["arn"])["RuleNames"]
        if not f["schedule_expression"]:
            expect(not rules, f"{name}: no EventBridge rule targets it ({rules})")
            continue
        expect(len(rules) == 1, f"{name}: one EventBridge rule targets it ({rules})")
        for r in rules:
            rule = events.describe_rule(Name=r)
            expr = rule.get("ScheduleExpression")
            expect(expr == f["schedule_expression"], f"{name}: rule {r} scheduled {expr}")
            expect(rule.get("State") == "ENABLED", f"{name}: rule {r} {rule.get('State')}")
            targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=r)["Targets"]]
            expect(targets == [f["arn"]], f"{name}: rule {r} targets the function only")
            policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
            allowed = [
                st for st in policy["Statement"]
                if st.get("Principal", {}).get("Service") == "events.amazonaws.com"
                and st.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn") == rule["Arn"]
            ]
            expect(len(allowed) == 1, f"{name}: EventBridge may invoke it from rule {r} only")


# The functions that reach the internet (webhooks to tenants' endpoints, SMTP relays); every
# other one must have no internet path.
INTERNET_FUNCTIONS = {"jobs-worker"}
# What the egress security group opens to 0.0.0.0/0: HTTPS, and SMTP submission.
INTERNET_PORTS = {443, 465, 587}


def default_routes(ec2, subnet_id: str, vpc_id: str) -> list:
    """The 0.0.0.0/0 routes of the route table a subnet uses (its own, else the VPC's main)."""
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["RouteTables"]
    if not tables:
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                    {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return [r for t in tables for r in t.get("Routes", []) if r.get("DestinationCidrBlock") == "0.0.0.0/0"]


def internet_rules(ec2, group_id: str) -> list:
    """Egress rules of a security group towards 0.0.0.0/0, as (protocol, from, to)."""
    group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return [
        (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
        for p in group.get("IpPermissionsEgress", [])
        if any(r.get("CidrIp") == "0.0.0.0/0" for r in p.get("IpRanges", []))
    ]


def check_network(ec2, lam, functions: dict, network: dict) -> None:
    """Internet egress for the functions with internet = true only: the egress subnets route
    0.0.0.0/0 to a NAT gateway (in a public subnet that routes to the VPC's internet gateway),
    those functions run there with the egress group and nothing else, and no other function is
    in an egress subnet, has the egress group, or has a route out."""
    vpc = network["vpc_id"]
    private = set(network["private_subnet_ids"])
    egress = set(network["egress_subnet_ids"])
    groups = network["security_group_ids"]
    nats = set(network["nat_gateway_ids"])
    expect(network["nat"] == "single" and len(nats) == 1, f"nat = {network['nat']}: {len(nats)} NAT gateway")
    expect(len(egress) == len(private) and egress and not egress & private,
           f"{len(egress)} egress subnets, one per private subnet, none of them private")
    expect(bool(groups.get("egress")) and groups.get("egress") != groups["lambda"], "an egress security group beside the lambda group")

    described = {s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=sorted(private | egress))["Subnets"]}
    expect({described[s]["AvailabilityZone"] for s in egress} == {described[s]["AvailabilityZone"] for s in private},
           "the egress subnets cover the private subnets' AZs")
    expect(all(described[s]["VpcId"] == vpc and not described[s].get("MapPublicIpOnLaunch") for s in private | egress),
           "private and egress subnets: in the VPC, no public IP on launch")

    gateways = {g["NatGatewayId"]: g for g in ec2.describe_nat_gateways(NatGatewayIds=sorted(nats))["NatGateways"]} if nats else {}
    igws = [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]]
    expect(len(igws) == 1, f"one internet gateway attached to the VPC ({igws})")
    for nat_id, g in gateways.items():
        expect(g.get("State") == "available", f"{nat_id}: {g.get('State')}")
        ips = {a.get("PublicIp") for a in g.get("NatGatewayAddresses", [])} - {None}
        expect(bool(ips) and ips <= set(network["nat_public_ips"]), f"{nat_id}: has an Elastic IP of the nat_public_ips output ({sorted(ips)})")
        expect(g["SubnetId"] not in private | egress, f"{nat_id}: in a public subnet, not a function subnet")
        via = {r.get("GatewayId") for r in default_routes(ec2, g["SubnetId"], vpc)}
        expect(bool(igws) and via == set(igws), f"{nat_id}: its subnet routes 0.0.0.0/0 to the internet gateway ({sorted(via - {None})})")

    for subnet in sorted(egress):
        routes = default_routes(ec2, subnet, vpc)
        targets = {r.get("NatGatewayId") for r in routes}
        expect(len(routes) == 1 and targets <= nats and None not in targets,
               f"egress subnet {subnet}: 0.0.0.0/0 goes to a NAT gateway ({sorted(t for t in targets if t)})")
    for subnet in sorted(private):
        routes = default_routes(ec2, subnet, vpc)
        expect(not routes, f"private subnet {subnet}: no route to 0.0.0.0/0 ({len(routes)})")

    opened = internet_rules(ec2, groups["egress"])
    expect({("tcp", p, p) for p in INTERNET_PORTS} == set(opened),
           f"egress group: exactly TCP {sorted(INTERNET_PORTS)} to 0.0.0.0/0 ({sorted(opened, key=str)})")
    expect(not internet_rules(ec2, groups["lambda"]), "lambda group: nothing to 0.0.0.0/0")

    # The egress group keeps what the lambda group allows (database, proxy, cache, endpoints).
    def inner(group_id: str) -> set:
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        return {
            (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"), ref)
            for p in group.get("IpPermissionsEgress", [])
            for ref in [g["GroupId"] for g in p.get("UserIdGroupPairs", [])] + [x["PrefixListId"] for x in p.get("PrefixListIds", [])]
        }
    expect(inner(groups["egress"]) == inner(groups["lambda"]) and inner(groups["lambda"]),
           f"egress group: the lambda group's {len(inner(groups['lambda']))} rules to the proxy, cache and endpoints")

    # PostgreSQL behind the proxy (envs/local has it): the functions' groups reach the proxy, not
    # the cluster, which admits only the proxy and the migrations group.
    for key in ("lambda", "egress"):
        postgres = {ref for proto, low, high, ref in inner(groups[key]) if proto == "tcp" and low <= 5432 <= high}
        expect(postgres == {groups["proxy"]}, f"{key} group: PostgreSQL to the proxy only ({sorted(postgres)})")
    cluster = ec2.describe_security_groups(GroupIds=[groups["database"]])["SecurityGroups"][0]
    admitted = {
        (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"), g["GroupId"])
        for p in cluster.get("IpPermissions", []) for g in p.get("UserIdGroupPairs", [])
    }
    opened = [r for p in cluster.get("IpPermissions", []) for r in p.get("IpRanges", []) + p.get("Ipv6Ranges", []) + p.get("PrefixListIds", [])]
    expect(admitted == {("tcp", 5432, 5432, groups["proxy"]), ("tcp", 5432, 5432, groups["migrations"])} and not opened,
           f"database group: PostgreSQL from the proxy and the migrations group only ({sorted(admitted)}, {len(opened)} ranges)")

    expect({k for k, f in functions.items() if f.get("internet")} == INTERNET_FUNCTIONS,
           f"internet = true for exactly {sorted(INTERNET_FUNCTIONS)}")
    for binary, f in functions.items():
        name = f["name"]
        vpc_config = lam.get_function(FunctionName=name)["Configuration"].get("VpcConfig") or {}
        subnets = set(vpc_config.get("SubnetIds", []))
        sgs = set(vpc_config.get("SecurityGroupIds", []))
        if binary in INTERNET_FUNCTIONS:
            expect(subnets == egress, f"{name}: runs in the egress subnets ({len(subnets & egress)}/{len(subnets)})")
            expect(sgs == {groups["egress"]}, f"{name}: egress security group only ({sorted(sgs)})")
        else:
            expect(subnets == private, f"{name}: runs in the private subnets, none of the egress ones ({len(subnets & egress)} egress)")
            expect(sgs == {groups["lambda"]}, f"{name}: lambda security group only, not the egress one ({sorted(sgs)})")


def as_set(resource) -> set:
    if resource is None:
        return set()
    return {resource} if isinstance(resource, str) else set(resource)


def check_iam(iam, functions: dict, tables: dict, queues: dict, app_role: str, kms_arns: set) -> None:
    """Least privilege: each role names only its own tables, queues, DLQ, database user and key."""
    for binary, f in functions.items():
        role = f["name"]
        doc = iam.get_role_policy(RoleName=role, PolicyName="least-privilege")["PolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        statements = {st["Sid"]: st for st in doc["Statement"]}
        resources = lambda sid: as_set(statements.get(sid, {}).get("Resource"))  # noqa: E731
        actions = lambda sid: as_set(statements.get(sid, {}).get("Action"))  # noqa: E731
        everything = set().union(*(as_set(st["Resource"]) for st in doc["Statement"]))
        expect("*" not in everything, f"{role}: no statement on Resource \"*\"")

        table_arns = {a for a in resources("OwnTables") if "/index/" not in a}
        expect(table_arns == {tables[t]["arn"] for t in f["tables"]}, f"{role}: DynamoDB access to exactly its {len(f['tables'])} tables")
        # Queries through a table's indexes (the session store's by_user) need <table-arn>/index/*.
        index_arns = {a for a in resources("OwnTables") if "/index/" in a}
        expect(index_arns == {f"{tables[t]['arn']}/index/*" for t in f["tables"]},
               f"{role}: and to their indexes ({len(index_arns)} <table>/index/*)")
        if f["tables"]:
            expect("dynamodb:Query" in actions("OwnTables"), f"{role}: dynamodb:Query on its tables and indexes")
        # Behind the proxy with IAM auth no function reads a secret: not the master user's, not the
        # application role's (the proxy's own).
        secret_actions = {a for st in doc["Statement"] for a in as_set(st.get("Action")) if a.lower().startswith("secretsmanager:")}
        expect(not secret_actions, f"{role}: no Secrets Manager access ({sorted(secret_actions) or 'none'})")
        if f["database"]:
            connect = resources("ConnectAsAppRole")
            expect(len(connect) == 1 and all(":dbuser:prx-" in c and c.endswith(f"/{app_role}") for c in connect),
                   f"{role}: rds-db:connect as {app_role} through the proxy only ({sorted(connect)})")
        else:
            expect(not resources("ConnectAsAppRole"), f"{role}: no database access")

        sends = resources("SendToQueues")
        expect(sends == {queues[q]["arn"] for q in f["send_queues"]}, f"{role}: may send to {sorted(sends) or 'no queue'}")
        consumed = [f["sqs_queue"]] if f["sqs_queue"] else []
        consumes = resources("ConsumeQueue")
        expect(consumes == {queues[q]["arn"] for q in consumed}, f"{role}: may consume {sorted(consumes) or 'no queue'}")
        dead = resources("DeadLetter")
        expect(dead == {queues[q]["dlq_arn"] for q in consumed}, f"{role}: may dead-letter to {sorted(dead) or 'no DLQ'}")
        if consumed:
            expect(actions("DeadLetter") == {"sqs:SendMessage"}, f"{role}: only SendMessage on its DLQ ({sorted(actions('DeadLetter'))})")
        dlq_arns = {q["dlq_arn"] for q in queues.values()}
        reachable = set().union(*(as_set(st["Resource"]) for sid, st in statements.items() if sid != "DeadLetter"))
        expect(not dlq_arns & reachable, f"{role}: no other access to a DLQ")

        expect(resources("UseEnvironmentKey") <= kms_arns and len(resources("UseEnvironmentKey")) == 1, f"{role}: KMS on the environment's key only")
        via = statements.get("UseEnvironmentKey", {}).get("Condition", {}).get("StringNotEquals", {}).get("kms:ViaService")
        expect(bool(as_set(via)) and all(v.startswith("secretsmanager.") for v in as_set(via)),
               f"{role}: the environment's key, not through Secrets Manager ({via})")
        key_actions = actions("UseEnvironmentKey")
        wants_data_key = bool(f["send_queues"] or consumed)
        expect(("kms:GenerateDataKey" in key_actions) == wants_data_key,
               f"{role}: kms:GenerateDataKey {'granted (it sends to an encrypted queue)' if wants_data_key else 'not granted'}")


def check_proxy(rds, sm, iam, app_role: str, app_secret_arn: str) -> None:
    """RDS Proxy authenticates the application role only (IAM auth required), with that role's
    own secret, the one secret the proxy's role may read."""
    proxies = rds.describe_db_proxies()["DBProxies"]
    expect(len(proxies) == 1, f"one RDS Proxy ({len(proxies)})")
    for proxy in proxies:
        auth = proxy.get("Auth") or []
        expect([a.get("SecretArn") for a in auth] == [app_secret_arn],
               f"{proxy['DBProxyName']}: one auth entry, the application role's secret ({[a.get('SecretArn') for a in auth]})")
        expect(all(a.get("IAMAuth") == "REQUIRED" for a in auth), f"{proxy['DBProxyName']}: IAM auth required")
        role = proxy["RoleArn"].rsplit("/", 1)[-1]
        readable = {r for st in role_statements(iam, role) if "secretsmanager:GetSecretValue" in as_set(st.get("Action"))
                    for r in as_set(st.get("Resource"))}
        expect(readable == {app_secret_arn}, f"{role}: GetSecretValue on the application role's secret only ({sorted(readable)})")
    value = json.loads(sm.get_secret_value(SecretId=app_secret_arn)["SecretString"])
    password = value.get("password") or ""
    expect(value.get("username") == app_role, f"application secret: username {app_role} ({value.get('username')})")
    expect(len(password) >= 32 and password.isalnum(), f"application secret: a generated password ({len(password)} letters and digits)")
    expect(bool(sm.describe_secret(SecretId=app_secret_arn).get("KmsKeyId")), "application secret: encrypted with the environment's key")


def role_statements(iam, role: str) -> list:
    """Every statement of a role: its inline policies and the managed ones attached to it."""
    docs = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        docs.append(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        docs.append(iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"])
    statements = []
    for doc in docs:
        doc = json.loads(doc) if isinstance(doc, str) else doc
        statements += doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    return statements


def grants_ses(statement: dict) -> bool:
    """Whether an Allow statement covers any SES action (ses:..., a wildcard, or a NotAction)."""
    if statement.get("Effect") != "Allow":
        return False
    if "NotAction" in statement:
        return True
    return any(a == "*" or a.lower().startswith("ses:") for a in as_set(statement.get("Action")))


def check_ses(sesv2, iam, lam, account_id: str, functions: dict, ses: dict | None) -> None:
    """The identity exists; the mail functions may SendEmail on exactly it (and the configuration
    set, with one), no other function has any SES access; SES accepts MAIL_FROM as a sender."""
    expect(ses is not None, "ses output is set (envs/local configures SES)")
    if ses is None:
        return
    identity = ses["identity"]
    try:
        got = sesv2.get_email_identity(EmailIdentity=identity)
    except ClientError as e:
        got = None
        print(f"       {e}")
    expect(got is not None, f"SES identity {identity} exists")
    if got is not None:
        expect(got.get("IdentityType") == ses["identity_type"], f"{identity}: identity type {got.get('IdentityType')}")
        expect(got.get("ConfigurationSetName") == ses["configuration_set"],
               f"{identity}: default configuration set {got.get('ConfigurationSetName')} == {ses['configuration_set']}")

    prefix = f"arn:aws:ses:us-east-1:{account_id}"
    want = {f"{prefix}:identity/{identity}"}
    expect(ses["identity_arn"] == f"{prefix}:identity/{identity}", f"identity ARN {ses['identity_arn']} names the account")
    if ses["configuration_set"]:
        set_arn = f"{prefix}:configuration-set/{ses['configuration_set']}"
        expect(ses["configuration_set_arn"] == set_arn, f"configuration set ARN {ses['configuration_set_arn']} names the account")
        want.add(set_arn)
        tls = sesv2.get_configuration_set(ConfigurationSetName=ses["configuration_set"]).get("DeliveryOptions", {}).get("TlsPolicy")
        expect(tls == "REQUIRE", f"{ses['configuration_set']}: TLS policy {tls}")
    else:
        expect(ses["configuration_set_arn"] is None, "no configuration set ARN without a configuration set")

    for f in functions.values():
        role = f["name"]
        granting = [st for st in role_statements(iam, role) if grants_ses(st)]
        if not f["mail"]:
            expect(not granting, f"{role}: no statement grants SES ({[st.get('Sid') for st in granting]})")
            continue
        expect(len(granting) == 1, f"{role}: one statement grants SES ({len(granting)})")
        for st in granting:
            expect(st.get("Sid") == "SendMail", f"{role}: the SES statement is SendMail ({st.get('Sid')})")
            expect(as_set(st.get("Action")) == {"ses:SendEmail"}, f"{role}: only ses:SendEmail ({sorted(as_set(st.get('Action')))})")
            expect(as_set(st.get("Resource")) == want and "NotResource" not in st,
                   f"{role}: SendEmail on exactly {sorted(want)} ({sorted(as_set(st.get('Resource')))})")

    # SES's own rule, as far as moto enforces it: the worker's sender, with its display name as
    # the worker sends it, is accepted; an address off the identity is refused.
    content = {"Simple": {"Subject": {"Data": "readback"}, "Body": {"Text": {"Data": "readback"}}}}
    to = {"ToAddresses": ["someone@example.com"]}
    for f in (f for f in functions.values() if f["mail"]):
        env = lam.get_function(FunctionName=f["name"])["Configuration"].get("Environment", {}).get("Variables", {})
        sender = f"{env.get('APP_NAME')} <{env.get('MAIL_FROM')}>"
        extra = {"ConfigurationSetName": ses["configuration_set"]} if ses["configuration_set"] else {}
        try:
            sesv2.send_email(FromEmailAddress=sender, Destination=to, Content=content, **extra)
            accepted = True
        except ClientError as e:
            accepted = False
            print(f"       {e}")
        expect(accepted, f"{f['name']}: SendEmail from {sender} is accepted")
    try:
        sesv2.send_email(FromEmailAddress="someone@not-verified.test", Destination=to, Content=content)
        refused = False
    except ClientError as e:
        refused = e.response["Error"]["Code"] == "MessageRejected"
    expect(refused, "SendEmail from an address off the identity is refused (MessageRejected)")


def check_routes(apigw, routes: dict) -> None:
    apis = apigw.get_apis()["Items"]
    expect(len(apis) == 1, f"one HTTP API ({len(apis)})")
    if not apis:
        return
    got = {r["RouteKey"] for r in apigw.get_routes(ApiId=apis[0]["ApiId"])["Items"]}
    expect(got == set(routes), f"API routes match the catalog ({len(got)} routes)")
    for must in ("POST /v1/signup", "GET /v1/health", "PATCH /v1/tenants/{tenant_id}/members/{user_id}"):
        expect(must in got, f"route {must}")


def check_alarms(cw, names: list, functions: dict, queues: dict, age_threshold: float) -> None:
    alarms = {a["AlarmName"]: a for a in cw.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    expect(set(alarms) == set(names), f"all {len(names)} alarms exist")
    by_metric = {}
    for alarm in alarms.values():
        by_metric.setdefault(alarm["MetricName"], []).append(alarm)
    expect(len(by_metric.get("Errors", [])) == len(functions), "an Errors alarm per function")
    expect(len(by_metric.get("Throttles", [])) == len(functions), "a Throttles alarm per function")
    dimension = lambda alarm: {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}.get("QueueName")  # noqa: E731
    dlq = by_metric.get("ApproximateNumberOfMessagesVisible", [])
    expect(sorted(map(dimension, dlq)) == sorted(q["dlq_name"] for q in queues.values()) and all(a["Threshold"] == 0 for a in dlq),
           "a DLQ depth > 0 alarm per queue, on its DLQ")
    age = by_metric.get("ApproximateAgeOfOldestMessage", [])
    expect(sorted(map(dimension, age)) == sorted(q["name"] for q in queues.values()),
           "an oldest-message-age alarm per queue, on the queue itself")
    expect(all(a["Threshold"] == age_threshold and a["Statistic"] == "Maximum" for a in age),
           f"oldest message age alarms at {age_threshold} s ({[a['Threshold'] for a in age]})")
    cpu = by_metric.get("CPUUtilization", [])
    expect(len(cpu) == 1 and cpu[0]["Threshold"] == 80, "DB CPU alarm at 80%")
    p99 = by_metric.get("Latency", [])
    expect(len(p99) == 1 and p99[0].get("ExtendedStatistic") == "p99", "API p99 latency alarm")
    expect(all(a["AlarmActions"] for a in alarms.values()), "every alarm notifies the SNS topic")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--outputs", required=True)
    args = ap.parse_args()
    out = {k: v["value"] for k, v in json.load(open(args.outputs)).items()}

    print("queues:")
    check_queues(client("sqs", args.endpoint), out["queues"], int(out["worker_timeout_seconds"]))
    print("tables:")
    check_tables(client("dynamodb", args.endpoint), out["tables"])
    print("functions:")
    check_catalog(out["functions"])
    check_functions(client("lambda", args.endpoint), out["functions"], out["tables"], out["queues"], out["api_url"], out.get("ses"),
                    out["backends"], out.get("origin_verify_secret"), out["database_app_role"])
    print("triggers:")
    check_triggers(client("lambda", args.endpoint), client("events", args.endpoint), client("sqs", args.endpoint),
                   out["functions"], out["queues"], int(out["sqs_max_concurrency"]))
    print("network:")
    check_network(client("ec2", args.endpoint), client("lambda", args.endpoint), out["functions"], out["network"])
    print("database:")
    check_proxy(client("rds", args.endpoint), client("secretsmanager", args.endpoint), client("iam", args.endpoint),
                out["database_app_role"], out["database_app_secret_arn"])
    print("iam:")
    kms_arns = {k["KeyArn"] for k in client("kms", args.endpoint).list_keys()["Keys"]}
    check_iam(client("iam", args.endpoint), out["functions"], out["tables"], out["queues"],
              out["database_app_role"], kms_arns)
    print("ses:")
    check_ses(client("sesv2", args.endpoint), client("iam", args.endpoint), client("lambda", args.endpoint),
              client("sts", args.endpoint).get_caller_identity()["Account"], out["functions"], out.get("ses"))
    print("api:")
    check_routes(client("apigatewayv2", args.endpoint), out["api_routes"])
    print("alarms:")
    check_alarms(client("cloudwatch", args.endpoint), out["alarm_names"], out["function_names"], out["queues"],
                 float(out["queue_oldest_message_age_seconds"]))

    print(f"readback: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
