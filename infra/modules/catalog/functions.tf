# The one place the platform's Lambda functions are declared. Each key is a binary in
# functions/<key>/ (cargo lambda builds target/lambda/<key>/bootstrap.zip); the parity test
# (infra/tests/parity.py) fails when this map and functions/ disagree. Adding a function is one
# entry here. Fields:
#   routes              API Gateway route keys served by the function (payload format 2.0),
#                       exact "METHOD /path" keys for the operations of the function's OpenAPI
#                       document (`<binary> --openapi`). infra/tests/parity.py fails on an
#                       operation not routed to its function, a dead key or a duplicate key.
#   schedule_expression EventBridge schedule that invokes the function (e.g. the sweeper).
#   sqs_queue           key of the queue (modules/queues) the function consumes, with partial
#                       batch failures; it gets "<KEY>_QUEUE_URL" and "<KEY>_DLQ_URL" and may
#                       send to the DLQ (a permanent failure moves there at once).
#   send_queues         keys of the queues the function may send to ("<KEY>_QUEUE_URL").
#   tables              keys of the DynamoDB tables the function may use ("<KEY>_TABLE").
#   database            whether it gets DATABASE_URL, DATABASE_READ_URL and the secret.
#   mail                whether it sends mail: MAIL_FROM, APP_NAME, APP_BASE_URL and the
#                       environment's transport: with ses, MAIL_TRANSPORT=ses,
#                       SES_CONFIGURATION_SET and ses:SendEmail on the identity (and the
#                       configuration set); with smtp, MAIL_TRANSPORT=smtp, SMTP_HOST,
#                       SMTP_PORT, SMTP_TLS, SMTP_USERNAME and SMTP_PASSWORD.
#   internet            whether it needs the internet (tenants' webhook endpoints, an SMTP
#                       relay): it runs in the egress subnets, whose default route goes to a NAT
#                       gateway, with the egress security group (the database, cache and
#                       endpoint rules of the others, plus TCP 443, 465 and 587 to anywhere).
#                       Only when the environment's `nat` is not "none"; otherwise it stays in
#                       the private subnets and the plan warns. Every other function has no
#                       internet path at all: set it only where a feature needs it.
#   environment         extra environment variables.
#   artifact            binary whose zip to deploy, when it is not the key's own.
#   memory_mb, timeout_seconds, reserved_concurrency, sqs_batch_size, sqs_batching_window:
#                       per-function overrides of the environment's defaults.
locals {
  functions = {
    "accounts-api" = {
      description = "The identity module: signup, sessions, me, health and the OpenAPI document"
      routes = [
        "POST /v1/signup",
        "POST /v1/sessions",
        "DELETE /v1/sessions/current",
        "GET /v1/me",
        "POST /v1/password-resets",
        "POST /v1/password-resets/confirm",
        "GET /v1/health",
        "GET /v1/health/ready",
        "GET /openapi.json",
      ]
      send_queues = ["jobs"]
      tables      = ["sessions", "rate_limits", "idempotency", "cache"]
    }
    "tenants-api" = {
      description = "The tenancy module: tenants, members, roles, invitations and plans; the tenant dashboard"
      # The binary also serves GET /v1/health and /v1/health/ready for direct probes; API
      # Gateway routes those to accounts-api.
      routes = [
        "GET /v1/tenants",
        "POST /v1/tenants",
        "GET /v1/tenants/{tenant_id}",
        "GET /v1/tenants/{tenant_id}/members",
        "PATCH /v1/tenants/{tenant_id}/members/{user_id}",
        "DELETE /v1/tenants/{tenant_id}/members/{user_id}",
        "GET /v1/tenants/{tenant_id}/invitations",
        "POST /v1/tenants/{tenant_id}/invitations",
        "DELETE /v1/tenants/{tenant_id}/invitations/{invitation_id}",
        "POST /v1/invitations/accept",
        "GET /v1/tenants/{tenant_id}/dashboard",
        "GET /v1/plans",
      ]
      send_queues = ["jobs"]
      tables      = ["sessions", "rate_limits", "idempotency", "cache"]
    }
    "webhooks-api" = {
      description = "The webhooks module: tenants' endpoints, their secrets and delivery logs"
      routes = [
        "GET /v1/tenants/{tenant_id}/webhooks",
        "POST /v1/tenants/{tenant_id}/webhooks",
        "DELETE /v1/tenants/{tenant_id}/webhooks/{endpoint_id}",
        "GET /v1/tenants/{tenant_id}/webhooks/{endpoint_id}/deliveries",
        "POST /v1/webhooks/inbound",
      ]
      send_queues = ["jobs"]
      tables      = ["sessions", "rate_limits", "idempotency", "cache"]
    }
    # Not HTTP functions: no routes, and no --openapi (the parity test does not run them).
    "jobs-worker" = {
      description = "The jobs queue's consumer: partial batch failures, retries with backoff, dead letters; sends the modules' mail and the tenants' webhooks"
      sqs_queue   = "jobs"
      mail        = true
      # Webhooks POST to tenants' public HTTPS endpoints; SMTP relays are outside the VPC.
      internet = true
      # Membership events invalidate the tenants' cached dashboards in the shared cache.
      tables = ["cache"]
    }
    "sweeper" = {
      description         = "Every minute: relays what the outbox still holds to the jobs queue, deletes expired rows"
      schedule_expression = "rate(1 minute)"
      send_queues         = ["jobs"]
    }
  }
}

output "functions" {
  description = "Function definitions keyed by binary name."
  value       = local.functions
}
