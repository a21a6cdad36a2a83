output "function_names" {
  description = "Lambda function names by binary name."
  value       = { for k, f in module.functions.functions : k => f.name }
}

output "functions" {
  description = "Functions by binary name."
  value       = module.functions.functions
}

output "function_environment" {
  description = "Each function's environment: the names of its variables, and the values of its store settings, CORS_ALLOWED_ORIGINS and DATABASE_IAM_AUTH."
  value       = module.functions.environment
}

output "api_url" {
  description = "API Gateway invoke URL (with the stage)."
  value       = module.api.invoke_url
}

output "api_routes" {
  description = "Route keys and the binary serving each."
  value       = module.api.route_keys
}

output "cdn_domain_name" {
  description = "CloudFront domain (null without the CDN)."
  value       = var.cdn_enabled ? module.cdn[0].domain_name : null
}

output "assets_bucket" {
  description = "Static asset bucket (null without the CDN)."
  value       = var.cdn_enabled ? module.cdn[0].assets_bucket : null
}

output "queues" {
  description = "Queues by key, with their DLQs."
  value       = module.queues.queues
}

output "tables" {
  description = "DynamoDB tables by key."
  value       = module.tables.tables
}

output "database_cluster_endpoint" {
  description = "Writer endpoint of the cluster itself (migrations go here, not through the proxy)."
  value       = module.database.cluster_endpoint
}

output "database_environment" {
  description = "DATABASE_URL, DATABASE_READ_URL, DATABASE_IAM_AUTH (and DATABASE_SECRET_ARN behind a proxy without IAM auth; DATABASE_SHARDS and DATABASE_SHARDS_OPEN with shards) as the functions get them."
  value       = local.database_environment
}

output "database_secret_arn" {
  description = "Secrets Manager secret with the master username and password (migrations)."
  value       = module.database.secret_arn
}

output "database_app_role" {
  description = "PostgreSQL role the functions connect as; migrate --bootstrap-app-role creates it."
  value       = module.database.app_username
}

output "database_app_secret_arn" {
  description = "Secrets Manager secret of the application role (username, password) the proxy logs in with; null without the proxy."
  value       = module.database.app_secret_arn
}

output "database_name" {
  description = "Application database name."
  value       = module.database.database_name
}

output "database_shards" {
  description = "The tenant shards by name (db_shards), for migrations: each cluster's writer endpoint (not its proxy), its master secret, its application role's secret (null without the proxy) and the database name."
  value = { for k, shard in module.database_shards : k => {
    cluster_endpoint = shard.cluster_endpoint
    secret_arn       = shard.secret_arn
    app_secret_arn   = shard.app_secret_arn
    database_name    = shard.database_name
  } }
}

output "metrics_namespace" {
  description = "EMF namespace."
  value       = local.metrics_namespace
}

output "alarm_topic_arn" {
  description = "SNS alarm topic."
  value       = module.observability.alarm_topic_arn
}

output "alarm_names" {
  description = "Alarms created."
  value       = module.observability.alarm_names
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.observability.dashboard_name
}

output "worker_timeout_seconds" {
  description = "Timeout of SQS workers; each queue's visibility timeout is 6x this."
  value       = var.worker_timeout_seconds
}

output "sqs_max_concurrency" {
  description = "Maximum concurrency of each SQS event source mapping."
  value       = var.sqs_max_concurrency
}

output "queue_oldest_message_age_seconds" {
  description = "Threshold of each queue's oldest-message-age alarm (s)."
  value       = var.queue_oldest_message_age_seconds
}

output "ses" {
  description = "The SES identity (identity, type, arn), its configuration set (name, arn) and, for a domain, the DKIM tokens and the CNAME records to publish; null without ses."
  value = var.ses == null ? null : {
    identity              = module.mail[0].identity
    identity_type         = module.mail[0].identity_type
    identity_arn          = module.mail[0].identity_arn
    configuration_set     = module.mail[0].configuration_set
    configuration_set_arn = module.mail[0].configuration_set_arn
    dkim_tokens           = module.mail[0].dkim_tokens
    dkim_records          = module.mail[0].dkim_records
  }
}

output "network" {
  description = "VPC, private subnets (no route out), egress subnets NAT gateways and their Elastic IPs (for internet = true; empty with nat = none), and the security groups by role."
  value = {
    vpc_id             = module.network.vpc_id
    nat                = var.nat
    private_subnet_ids = module.network.private_subnet_ids
    egress_subnet_ids  = module.network.egress_subnet_ids
    nat_gateway_ids    = module.network.nat_gateway_ids
    nat_public_ips     = module.network.nat_public_ips
    security_group_ids = module.network.security_group_ids
  }
}

output "origin_verify_secret" {
  description = "The X-Origin-Verify value CloudFront sends to the API (ORIGIN_VERIFY_SECRET), for calling the API around CloudFront in a test; null without the CDN."
  value       = local.origin_verify_secret
  sensitive   = true
}

output "backends" {
  description = "The stores of sessions, cache, rate limits and idempotency keys, and the CORS origins, as the functions get them."
  value = {
    sessions             = var.sessions_backend
    cache                = local.cache_backend
    rate_limits          = var.rate_limit_backend
    rate_limit_failure   = var.rate_limit_failure
    idempotency          = var.idempotency_backend
    cors_allowed_origins = local.cors_allowed_origins
  }
}
