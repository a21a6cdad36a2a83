output "queues" {
  description = "Queues with their DLQs (read back by infra/tests/readback.py)."
  value       = module.platform.queues
}

output "tables" {
  description = "DynamoDB tables (read back by infra/tests/readback.py)."
  value       = module.platform.tables
}

output "function_names" {
  description = "Lambda function names by binary name."
  value       = module.platform.function_names
}

output "api_routes" {
  description = "API route keys and their binaries."
  value       = module.platform.api_routes
}

output "database_environment" {
  description = "Database variables as the functions see them."
  value       = module.platform.database_environment
}

output "database_app_role" {
  description = "PostgreSQL role the functions connect as (read back by infra/tests/readback.py)."
  value       = module.platform.database_app_role
}

output "database_app_secret_arn" {
  description = "The application role's secret the proxy logs in with (read back by infra/tests/readback.py)."
  value       = module.platform.database_app_secret_arn
}

output "alarm_names" {
  description = "Alarms created."
  value       = module.platform.alarm_names
}

output "worker_timeout_seconds" {
  description = "Timeout of SQS workers; the queues' visibility timeout must be at least 6x."
  value       = module.platform.worker_timeout_seconds
}

output "sqs_max_concurrency" {
  description = "Maximum concurrency of each SQS event source mapping."
  value       = module.platform.sqs_max_concurrency
}

output "functions" {
  description = "Functions with their ARNs and log groups."
  value       = module.platform.functions
}

output "api_url" {
  description = "API invoke URL: the jobs worker's APP_BASE_URL here, without the CDN."
  value       = module.platform.api_url
}

output "queue_oldest_message_age_seconds" {
  description = "Threshold of the queues' oldest-message-age alarms (s)."
  value       = module.platform.queue_oldest_message_age_seconds
}

output "ses" {
  description = "SES identity and configuration set with their ARNs (read back by infra/tests/readback.py)."
  value       = module.platform.ses
}

output "network" {
  description = "Subnets, NAT gateways and security groups (read back by infra/tests/readback.py)."
  value       = module.platform.network
}

output "backends" {
  description = "Stores and CORS origins as the functions get them (read back by infra/tests/readback.py)."
  value       = module.platform.backends
}

output "origin_verify_secret" {
  description = "The origin secret; null here, without the CDN (read back by infra/tests/readback.py)."
  value       = module.platform.origin_verify_secret
  sensitive   = true
}

output "function_environment" {
  description = "Environment by function: names of all its variables (ORIGIN_VERIFY_SECRET included, never its value), and the values of the store settings, CORS_ALLOWED_ORIGINS and DATABASE_IAM_AUTH."
  value       = module.platform.function_environment
}
