# The whole platform, wired once: every environment (dev, prod, and local against moto) calls
# this module with its own sizes, so they differ only in numbers and switches.
module "catalog" {
  source = "../catalog"
}

locals {
  name = "${var.project}-${var.environment}"
}

module "kms" {
  source = "../kms"

  name                    = local.name
  deletion_window_in_days = var.kms_deletion_window_in_days
}

module "network" {
  source = "../network"

  name                = local.name
  cidr_block          = var.vpc_cidr
  az_count            = var.az_count
  endpoint_az_count   = var.endpoint_az_count
  interface_endpoints = local.interface_endpoints
  flow_logs_enabled   = var.flow_logs_enabled
  nat                 = var.nat
  db_proxy_enabled    = var.db_proxy_enabled
  log_retention_days  = var.log_retention_days
  kms_key_arn         = module.kms.key_arn
}

# Amazon SES, when the environment sends mail through it.
module "mail" {
  source = "../mail"
  count  = var.ses == null ? 0 : 1

  identity          = var.ses.identity
  configuration_set = var.ses.configuration_set
}

module "database" {
  source = "../database"

  name                         = local.name
  engine_version               = var.db_engine_version
  parameter_group_family       = var.db_parameter_group_family
  min_capacity                 = var.db_min_capacity
  max_capacity                 = var.db_max_capacity
  reader_count                 = var.db_reader_count
  proxy_enabled                = var.db_proxy_enabled
  proxy_reader_endpoint        = var.db_proxy_reader_endpoint
  proxy_iam_auth               = var.db_proxy_iam_auth
  app_username                 = var.app_database_role
  log_retention_days           = var.log_retention_days
  backup_retention_days        = var.db_backup_retention_days
  deletion_protection          = var.deletion_protection
  final_snapshot               = var.deletion_protection
  performance_insights         = var.db_performance_insights
  enhanced_monitoring_interval = var.db_enhanced_monitoring_interval
  subnet_ids                   = module.network.private_subnet_ids
  security_group_ids           = [module.network.security_group_ids.database]
  proxy_security_group_ids     = [module.network.security_group_ids.proxy]
  kms_key_arn                  = module.kms.key_arn
}

# Tenant shards: one more cluster each, beside the home database, with the same network, key
# and settings (and a proxy of its own when the home cluster has one). The functions reach a
# shard through its writer endpoint only, so its proxy has no read-only endpoint; its readers
# are there for failover.
module "database_shards" {
  source   = "../database"
  for_each = var.db_shards

  name                         = "${local.name}-${each.key}"
  engine_version               = var.db_engine_version
  parameter_group_family       = var.db_parameter_group_family
  min_capacity                 = coalesce(each.value.min_capacity, var.db_min_capacity)
  max_capacity                 = coalesce(each.value.max_capacity, var.db_max_capacity)
  reader_count                 = coalesce(each.value.reader_count, var.db_reader_count)
  proxy_enabled                = var.db_proxy_enabled
  proxy_reader_endpoint        = false
  proxy_iam_auth               = var.db_proxy_iam_auth
  app_username                 = var.app_database_role
  log_retention_days           = var.log_retention_days
  backup_retention_days        = var.db_backup_retention_days
  deletion_protection          = var.deletion_protection
  final_snapshot               = var.deletion_protection
  performance_insights         = var.db_performance_insights
  enhanced_monitoring_interval = var.db_enhanced_monitoring_interval
  subnet_ids                   = module.network.private_subnet_ids
  security_group_ids           = [module.network.security_group_ids.database]
  proxy_security_group_ids     = [module.network.security_group_ids.proxy]
  kms_key_arn                  = module.kms.key_arn
}

module "queues" {
  source = "../queues"

  name                 = local.name
  kms_key_arn          = module.kms.key_arn
  restrict_dlq_sources = var.restrict_dlq_sources
  queues = {
    jobs = {
      consumer_timeout_seconds = var.worker_timeout_seconds
      max_receive_count        = var.jobs_max_receive_count
    }
  }
}

module "tables" {
  source = "../tables"

  name                   = local.name
  point_in_time_recovery = var.tables_point_in_time_recovery
  deletion_protection    = var.deletion_protection
  kms_key_arn            = module.kms.key_arn
}

module "cache" {
  source = "../cache"
  count  = var.cache_enabled ? 1 : 0

  name                = local.name
  engine              = var.cache_engine
  max_data_storage_gb = var.cache_max_data_storage_gb
  max_ecpu_per_second = var.cache_max_ecpu_per_second
  subnet_ids          = module.network.private_subnet_ids
  security_group_ids  = [module.network.security_group_ids.cache]
  kms_key_arn         = module.kms.key_arn
}

module "functions" {
  source = "../functions"

  name                   = local.name
  functions              = module.catalog.functions
  artifacts_dir          = var.artifacts_dir
  memory_mb              = var.function_memory_mb
  timeout_seconds        = var.function_timeout_seconds
  worker_timeout_seconds = var.worker_timeout_seconds
  reserved_concurrency   = var.function_reserved_concurrency
  sqs_max_concurrency    = var.sqs_max_concurrency
  log_retention_days     = var.log_retention_days
  log_level              = var.log_level
  tracing_mode           = var.tracing_mode
  subnet_ids             = module.network.private_subnet_ids
  security_group_ids     = [module.network.security_group_ids.lambda]
  kms_key_arn            = module.kms.key_arn
  queues                 = module.queues.queues
  tables                 = module.tables.tables
  table_environment      = local.table_environment
  http_environment       = local.http_environment
  mail_environment       = local.mail_environment
  mail_send_arns         = var.ses == null ? [] : module.mail[0].send_resource_arns

  # Functions with internet = true (the jobs worker) run in the egress subnets, routed through
  # the NAT gateway(s), with the egress group in place of the lambda group.
  internet_subnet_ids         = module.network.egress_subnet_ids
  internet_security_group_ids = var.nat == "none" ? [] : [module.network.security_group_ids.egress]

  # The functions connect as the application role, at home and on every shard; the master
  # secrets are for migrations only.
  database = {
    environment      = local.database_environment
    iam_connect_arns = local.database_iam_connect_arns
    max_connections  = var.database_max_connections
  }
  route_environment = local.route_environment

  common_environment = merge(
    {
      METRICS_NAMESPACE   = local.metrics_namespace
      SESSION_TTL_SECONDS = tostring(var.session_ttl_seconds)
    },
    var.cache_enabled ? module.cache[0].environment : {},
  )
}

module "api" {
  source = "../api"

  name                   = local.name
  stage_name             = var.api_stage_name
  functions              = module.functions.functions
  throttling_burst_limit = var.api_throttling_burst_limit
  throttling_rate_limit  = var.api_throttling_rate_limit
  log_retention_days     = var.log_retention_days
  kms_key_arn            = module.kms.key_arn
}

module "cdn" {
  source = "../cdn"
  count  = var.cdn_enabled ? 1 : 0

  name            = local.name
  api_domain_name = module.api.domain_name
  api_stage_name  = module.api.stage_name
  price_class     = var.cdn_price_class
  force_destroy   = !var.deletion_protection

  origin_verify_secret = local.origin_verify_secret
}

module "observability" {
  source = "../observability"

  name                  = local.name
  alarms_enabled        = var.alarms_enabled
  alarm_emails          = var.alarm_emails
  kms_key_arn           = module.kms.key_arn
  metrics_namespace     = local.metrics_namespace
  db_cluster_identifier = module.database.cluster_identifier
  db_proxy_enabled      = var.db_proxy_enabled
  db_proxy_name         = module.database.proxy_name
  dlq_names             = { for k, q in module.queues.queues : k => q.dlq_name }
  function_names        = { for k, f in module.functions.functions : k => f.name }
  api_id                = module.api.api_id
  api_stage             = module.api.stage_name
  api_p99_latency_ms    = var.api_p99_latency_ms

  queue_names                      = { for k, q in module.queues.queues : k => q.name }
  queue_oldest_message_age_seconds = var.queue_oldest_message_age_seconds

  # Each shard's cluster and proxy get the home database's alarms and dashboard widget.
  db_shards = { for k, shard in module.database_shards : k => {
    cluster_identifier = shard.cluster_identifier
    proxy_name         = shard.proxy_name
  } }
}

locals {
  metrics_namespace = coalesce(var.metrics_namespace, "Saas/${var.environment}")

  # The home database's variables, and with shards DATABASE_SHARDS: each shard's writer URL
  # (the application role at its proxy, or at the cluster without one, with TLS), which the
  # runtime signs in to as it does to DATABASE_URL; DATABASE_SHARDS_OPEN only when set.
  database_environment = merge(
    module.database.environment,
    length(var.db_shards) == 0 ? {} : {
      DATABASE_SHARDS = join(",", [for k, shard in module.database_shards : "${k}=${shard.environment.DATABASE_URL}"])
    },
    var.db_shards_open == null ? {} : { DATABASE_SHARDS_OPEN = join(",", var.db_shards_open) },
  )

  # rds-db:connect as the application role at home and on each shard: with IAM auth, which
  # every shard has (see db_shards), so the list's length is known at plan time.
  database_iam_connect_arns = module.database.iam_auth ? concat(
    [module.database.iam_connect_arn],
    [for k, shard in module.database_shards : shard.iam_connect_arn],
  ) : []

  # What a single route needs, given only to the function whose catalog entry serves it.
  route_environment = nonsensitive(var.inbound_webhook_secret == null) ? {} : {
    "POST /v1/webhooks/inbound" = { INBOUND_WEBHOOK_SECRET = var.inbound_webhook_secret }
  }

  # The stores behind sessions, the cache, rate limits and idempotency keys, given to each
  # function that lists the matching table in the catalog. DynamoDB needs no VPC hop (a gateway
  # endpoint); redis is the ElastiCache module (REDIS_URL), so only with cache_enabled.
  cache_backend = coalesce(var.cache_backend, var.cache_enabled ? "redis" : "dynamodb")
  table_environment = {
    sessions = { SESSIONS_BACKEND = var.sessions_backend }
    cache    = { CACHE_BACKEND = local.cache_backend }
    rate_limits = {
      RATE_LIMIT_BACKEND = var.rate_limit_backend
      RATE_LIMIT_FAILURE = var.rate_limit_failure
    }
    idempotency = { IDEMPOTENCY_BACKEND = var.idempotency_backend }
  }

  # With SES, its API (email.<region>.amazonaws.com) is reached through an interface endpoint of
  # its own: from the private subnets, which have no route out, and from the egress subnets
  # without NAT data charges.
  interface_endpoints = distinct(concat(var.interface_endpoints, var.ses == null ? [] : ["email"]))

  # Links in mails: the explicit URL, else the public entry point (CloudFront, where / is the
  # web app and /v1 the API), else the API's own URL.
  app_base_url = coalesce(
    var.app_base_url,
    var.cdn_enabled ? "https://${module.cdn[0].domain_name}" : module.api.invoke_url,
  )

  # The transport: ses (MAIL_TRANSPORT=ses, the function role's credentials) or smtp
  # (MAIL_TRANSPORT=smtp and SMTP_*), never both (see the ses variable). With neither, nothing
  # is set and the worker falls back to .eml files in MAIL_DIR, which only works locally: set
  # ses or smtp wherever mail must reach people.
  mail_environment = merge(
    {
      MAIL_FROM    = var.mail_from
      APP_NAME     = var.app_name
      APP_BASE_URL = local.app_base_url
    },
    var.ses == null ? {} : module.mail[0].environment,
    nonsensitive(var.smtp == null) ? {} : merge(
      {
        MAIL_TRANSPORT = "smtp"
        SMTP_HOST      = var.smtp.host
        SMTP_TLS       = var.smtp.tls
      },
      var.smtp.port == null ? {} : { SMTP_PORT = tostring(var.smtp.port) },
      var.smtp.username == null ? {} : { SMTP_USERNAME = var.smtp.username },
      var.smtp.password == null ? {} : { SMTP_PASSWORD = var.smtp.password },
    ),
  )
}

# A function that asks for the internet gets none without a NAT gateway: the jobs worker's
# webhook deliveries then time out, retry and end in the DLQ.
check "internet_egress" {
  assert {
    condition     = var.nat != "none" || length([for k, f in module.catalog.functions : k if try(f.internet, false)]) == 0
    error_message = "nat is none, but ${join(", ", [for k, f in module.catalog.functions : k if try(f.internet, false)])} need the internet (webhooks, SMTP): they run without it. Set nat = single or per_az."
  }
}
