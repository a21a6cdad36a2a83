# prod: RDS Proxy (TLS and IAM auth) in front of a writer and a reader that never pause,
# endpoints in every AZ, deletion protection, PITR, and alarms.
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "saas"
      Environment = "prod"
      ManagedBy   = "terraform"
    }
  }
}

module "platform" {
  source = "../../modules/platform"

  environment   = "prod"
  artifacts_dir = coalesce(var.artifacts_dir, "${path.root}/../../../target/lambda")

  az_count          = 3
  endpoint_az_count = 3
  # A NAT gateway per AZ for the jobs worker's webhooks and SMTP (3 x ~$32 a month + $0.045 per
  # GB): an AZ outage does not cut the other AZs off, and no cross-AZ data charges.
  nat = "per_az"

  db_min_capacity                 = 0.5
  db_max_capacity                 = 16
  db_reader_count                 = 1
  db_proxy_enabled                = true
  db_backup_retention_days        = 14
  db_enhanced_monitoring_interval = 60

  # The functions log in to the proxy as the application role with IAM auth tokens; the proxy
  # logs in to the cluster as that role with the password of its secret.
  app_database_role = var.app_database_role

  # Tenant shards, each a cluster like this one (sizes aside), and where new tenants go.
  db_shards      = var.db_shards
  db_shards_open = var.db_shards_open

  deletion_protection           = true
  tables_point_in_time_recovery = true

  function_memory_mb            = 512
  function_reserved_concurrency = 100
  sqs_max_concurrency           = 20
  api_throttling_burst_limit    = 2000
  api_throttling_rate_limit     = 1000
  log_retention_days            = 90
  tracing_mode                  = "Active"

  cache_enabled = var.cache_enabled

  # Sessions, rate limits and idempotency keys in DynamoDB (a gateway endpoint: no VPC hop, no
  # database connection); the cache too, unless the ElastiCache module is on (cache_enabled),
  # which then holds it (CACHE_BACKEND=redis).
  sessions_backend    = "dynamodb"
  rate_limit_backend  = "dynamodb"
  rate_limit_failure  = var.rate_limit_failure
  idempotency_backend = "dynamodb"
  cache_backend       = var.cache_enabled ? "redis" : "dynamodb"

  # CloudFront sends X-Origin-Verify; the API functions refuse requests without it.
  origin_verify_secret_version = var.origin_verify_secret_version
  cors_allowed_origins         = var.cors_allowed_origins

  # Providers' signed events to POST /v1/webhooks/inbound (webhooks-api); null turns it off.
  inbound_webhook_secret = var.inbound_webhook_secret

  alarms_enabled = true
  alarm_emails   = var.alarm_emails

  mail_from    = var.mail_from
  app_name     = var.app_name
  app_base_url = var.app_base_url
  smtp         = var.smtp
  # A domain identity sends nothing until its DKIM records are published: after the first
  # apply, create the CNAMEs of the `ses` output's dkim_records in the domain's DNS.
  ses = var.ses
}

# The jobs worker has no mail transport in Lambda without ses or smtp: each mail job fails,
# retries and ends in the DLQ.
check "mail_transport" {
  assert {
    condition     = var.ses != null || nonsensitive(var.smtp != null)
    error_message = "Neither ses nor smtp is set: the jobs worker cannot send mail (welcome mails end in the jobs DLQ). Set TF_VAR_ses (or TF_VAR_smtp)."
  }
}
