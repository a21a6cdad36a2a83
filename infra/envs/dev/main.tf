# dev: the cheapest shape that still runs everything. Aurora pauses at 0 ACU when idle (so no
# RDS Proxy, which would keep it awake), one AZ of interface endpoints, small limits, no alarms.
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "saas"
      Environment = "dev"
      ManagedBy   = "terraform"
    }
  }
}

module "platform" {
  source = "../../modules/platform"

  environment   = "dev"
  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/../../../target/lambda")

  endpoint_az_count = 1
  flow_logs_enabled = false
  # One NAT gateway (~$32 a month + $0.045 per GB) for the jobs worker's webhooks and SMTP; the
  # worker in the second AZ leaves through the first one's.
  nat = "single"

  db_min_capacity  = 0
  db_max_capacity  = 2
  db_reader_count  = 0
  db_proxy_enabled = false

  # Without the proxy the functions log in to the cluster itself as the application role, with
  # IAM auth tokens (the role is a member of rds_iam).
  app_database_role = var.app_database_role

  # Tenant shards, each a cluster like this one (sizes aside), and where new tenants go.
  db_shards      = var.db_shards
  db_shards_open = var.db_shards_open

  deletion_protection           = false
  tables_point_in_time_recovery = false
  kms_deletion_window_in_days   = 7

  function_memory_mb            = 256
  function_reserved_concurrency = 5
  sqs_max_concurrency           = 2
  api_throttling_burst_limit    = 20
  api_throttling_rate_limit     = 10
  log_level                     = "info,runtime=debug"
  log_retention_days            = 7
  tracing_mode                  = "PassThrough"

  # prod's shape: sessions, rate limits, idempotency keys and the cache in DynamoDB (on demand,
  # no PITR here: cents a month), no ElastiCache.
  sessions_backend    = "dynamodb"
  rate_limit_backend  = "dynamodb"
  rate_limit_failure  = var.rate_limit_failure
  idempotency_backend = "dynamodb"
  cache_backend       = "dynamodb"

  # CloudFront sends X-Origin-Verify; the API functions refuse requests without it.
  origin_verify_secret_version = var.origin_verify_secret_version
  cors_allowed_origins         = var.cors_allowed_origins

  # Providers' signed events to POST /v1/webhooks/inbound (webhooks-api); null turns it off.
  inbound_webhook_secret = var.inbound_webhook_secret

  alarms_enabled = false
  alarm_emails   = var.alarm_emails

  mail_from    = var.mail_from
  app_name     = var.app_name
  app_base_url = var.app_base_url
  smtp         = var.smtp
  ses          = var.ses
}

# The jobs worker has no mail transport in Lambda without ses or smtp: each mail job fails,
# retries and ends in the DLQ.
check "mail_transport" {
  assert {
    condition     = var.ses != null || nonsensitive(var.smtp != null)
    error_message = "Neither ses nor smtp is set: the jobs worker cannot send mail (welcome mails end in the jobs DLQ). Set TF_VAR_ses (or TF_VAR_smtp)."
  }
}
