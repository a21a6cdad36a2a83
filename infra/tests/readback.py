#!/usr/bin/env python3
"""Reads what `terraform apply` of envs/local created back from moto, through the AWS API.

Names come from `terraform output -json`. Checks the queues (redrive policy, visibility timeout,
encryption, and a message really landing in the DLQ after maxReceiveCount receives), the tables
(key schema, TTL, PITR, encryption, a conditional write), the functions (runtime, architecture,
environment wiring) and the API routes.

    readback.py --endpoint http://127.0.0.1:PORT --outputs outputs.json
"""

import argparse
import json
import sys
import uuid

import boto3
from botocore.exceptions import ClientError

EXPECTED_TABLES = {"sessions", "rate_limits", "idempotency", "cache"}
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


PROBES = {"probe-worker", "probe-relay"}  # local-only functions that exercise the triggers


def check_functions(lam, functions: dict, tables: dict, queues: dict) -> None:
    for binary, name in functions.items():
        if binary in PROBES:
            continue
        cfg = lam.get_function(FunctionName=name)["Configuration"]
        expect(cfg.get("Runtime") == "provided.al2023", f"{name}: runtime {cfg.get('Runtime')}")
        expect(cfg.get("Architectures") == ["arm64"], f"{name}: architectures {cfg.get('Architectures')}")
        expect(cfg.get("Handler") == "bootstrap", f"{name}: handler {cfg.get('Handler')}")
        env = cfg.get("Environment", {}).get("Variables", {})
        for var in ("DATABASE_URL", "DATABASE_READ_URL", "DATABASE_SECRET_ARN", "DATABASE_MAX_CONNECTIONS",
                    "SESSION_TTL_SECONDS", "METRICS_NAMESPACE", "RUST_LOG"):
            expect(bool(env.get(var)), f"{name}: {var} is set")
        expect(env.get("DATABASE_URL", "").startswith("postgres://"), f"{name}: DATABASE_URL is a postgres:// URL")
        # envs/local has the proxy: TLS with its certificate verified, and IAM auth tokens.
        expect(env.get("DATABASE_URL", "").endswith("?sslmode=verify-full"), f"{name}: DATABASE_URL verifies the proxy's TLS certificate")
        expect(env.get("DATABASE_IAM_AUTH") == "true", f"{name}: DATABASE_IAM_AUTH=true behind the proxy")
        expect(env.get("SESSIONS_TABLE") == tables["sessions"]["name"], f"{name}: SESSIONS_TABLE names the sessions table")
        expect("REDIS_URL" not in env, f"{name}: no REDIS_URL without the cache")
    accounts = lam.get_function(FunctionName=functions["accounts-api"])["Configuration"]
    env = accounts.get("Environment", {}).get("Variables", {})
    expect(env.get("JOBS_QUEUE_URL", "").endswith("/" + queues["jobs"]["name"]), "accounts-api: JOBS_QUEUE_URL is the jobs queue")


def check_triggers(lam, events, functions: dict, queues: dict, max_concurrency: int) -> None:
    worker = functions["probe-worker"]["name"]
    mappings = [
        m for m in lam.list_event_source_mappings()["EventSourceMappings"]
        if m["FunctionArn"] == functions["probe-worker"]["arn"]
    ]
    expect(len(mappings) == 1, f"{worker}: one SQS event source mapping ({len(mappings)})")
    for m in mappings:
        expect(m["EventSourceArn"] == queues["jobs"]["arn"], f"{worker}: consumes the jobs queue")
        expect(m.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], f"{worker}: reports batch item failures ({m.get('FunctionResponseTypes')})")
        got = m.get("ScalingConfig", {}).get("MaximumConcurrency")
        expect(got == max_concurrency, f"{worker}: maximum concurrency {got} == {max_concurrency}")

    relay = functions["probe-relay"]
    rules = events.list_rule_names_by_target(TargetArn=relay["arn"])["RuleNames"]
    expect(len(rules) == 1, f"{relay['name']}: one EventBridge rule targets it ({rules})")
    for r in rules:
        expr = events.describe_rule(Name=r).get("ScheduleExpression")
        expect(expr == "rate(1 minute)", f"{relay['name']}: scheduled {expr}")


def as_set(resource) -> set:
    if resource is None:
        return set()
    return {resource} if isinstance(resource, str) else set(resource)


def check_iam(iam, functions: dict, tables: dict, queues: dict, secret_arn: str) -> None:
    """Least privilege: each role names only its own tables, queues and the database secret."""
    for binary, f in functions.items():
        role = f["name"]
        doc = iam.get_role_policy(RoleName=role, PolicyName="least-privilege")["PolicyDocument"]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        statements = {st["Sid"]: st for st in doc["Statement"]}
        resources = lambda sid: as_set(statements.get(sid, {}).get("Resource"))  # noqa: E731
        everything = set().union(*(as_set(st["Resource"]) for st in doc["Statement"]))
        expect("*" not in everything, f"{role}: no statement on Resource \"*\"")
        table_arns = {a for a in resources("OwnTables") if "/index/" not in a}
        if binary in PROBES:
            expect(not table_arns, f"{role}: no table access")
        else:
            expect(table_arns == {t["arn"] for t in tables.values()}, f"{role}: DynamoDB access to exactly its {len(table_arns)} tables")
            expect(resources("ReadDatabaseSecret") == {secret_arn}, f"{role}: GetSecretValue on the database secret only")
            connect = resources("ConnectThroughProxy")
            expect(len(connect) == 1 and all(":dbuser:prx-" in c and c.endswith("/saas_admin") for c in connect),
                   f"{role}: rds-db:connect on the proxy's database user only ({sorted(connect)})")
        sends = resources("SendToQueues")
        expected_sends = {queues["jobs"]["arn"]} if binary in ("accounts-api", "probe-relay") else set()
        expect(sends == expected_sends, f"{role}: may send to {sorted(sends) or 'no queue'}")
        consumes = resources("ConsumeQueue")
        expected_consumes = {queues["jobs"]["arn"]} if binary == "probe-worker" else set()
        expect(consumes == expected_consumes, f"{role}: may consume {sorted(consumes) or 'no queue'}")


def check_routes(apigw, routes: dict) -> None:
    apis = apigw.get_apis()["Items"]
    expect(len(apis) == 1, f"one HTTP API ({len(apis)})")
    if not apis:
        return
    got = {r["RouteKey"] for r in apigw.get_routes(ApiId=apis[0]["ApiId"])["Items"]}
    expect(got == set(routes), f"API routes match the catalog ({len(got)} routes)")
    for must in ("POST /v1/signup", "GET /v1/health", "PATCH /v1/tenants/{tenant_id}/members/{user_id}"):
        expect(must in got, f"route {must}")


def check_alarms(cw, names: list, functions: dict, queues: dict) -> None:
    alarms = {a["AlarmName"]: a for a in cw.describe_alarms(AlarmNames=names)["MetricAlarms"]}
    expect(set(alarms) == set(names), f"all {len(names)} alarms exist")
    by_metric = {}
    for alarm in alarms.values():
        by_metric.setdefault(alarm["MetricName"], []).append(alarm)
    expect(len(by_metric.get("Errors", [])) == len(functions), "an Errors alarm per function")
    expect(len(by_metric.get("Throttles", [])) == len(functions), "a Throttles alarm per function")
    dlq = by_metric.get("ApproximateNumberOfMessagesVisible", [])
    expect(len(dlq) == len(queues) and all(a["Threshold"] == 0 for a in dlq), "a DLQ depth > 0 alarm per queue")
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
    check_functions(client("lambda", args.endpoint), out["function_names"], out["tables"], out["queues"])
    print("triggers:")
    check_triggers(client("lambda", args.endpoint), client("events", args.endpoint), out["functions"], out["queues"],
                   int(out["sqs_max_concurrency"]))
    print("iam:")
    check_iam(client("iam", args.endpoint), out["functions"], out["tables"], out["queues"],
              out["database_environment"]["DATABASE_SECRET_ARN"])
    print("api:")
    check_routes(client("apigatewayv2", args.endpoint), out["api_routes"])
    print("alarms:")
    check_alarms(client("cloudwatch", args.endpoint), out["alarm_names"], out["function_names"], out["queues"])

    print(f"readback: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
