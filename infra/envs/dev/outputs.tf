output "api_url" {
  description = "API Gateway invoke URL (with the stage)."
  value       = module.platform.api_url
}

output "cdn_domain_name" {
  description = "CloudFront domain: the public entry point."
  value       = module.platform.cdn_domain_name
}

output "assets_bucket" {
  description = "Static asset bucket."
  value       = module.platform.assets_bucket
}

output "function_names" {
  description = "Lambda function names by binary name."
  value       = module.platform.function_names
}

output "queues" {
  description = "Queues with their DLQs."
  value       = module.platform.queues
}

output "tables" {
  description = "DynamoDB tables."
  value       = module.platform.tables
}

output "database_cluster_endpoint" {
  description = "Cluster writer endpoint, for migrations."
  value       = module.platform.database_cluster_endpoint
}

output "database_secret_arn" {
  description = "Master credentials secret, for migrations."
  value       = module.platform.database_secret_arn
}

output "database_app_role" {
  description = "PostgreSQL role the functions connect as (migrate --bootstrap-app-role)."
  value       = module.platform.database_app_role
}

output "database_app_secret_arn" {
  description = "The application role's credentials, which RDS Proxy logs in with; null without the proxy."
  value       = module.platform.database_app_secret_arn
}

output "database_name" {
  description = "Application database name."
  value       = module.platform.database_name
}

output "database_shards" {
  description = "Tenant shards by name, for migrations (scripts/deploy): cluster_endpoint (the writer, not the proxy), secret_arn (master credentials), app_secret_arn (the application role's, which the shard's proxy logs in with; null without the proxy), database_name."
  value       = module.platform.database_shards
}

output "database_environment" {
  description = "Database variables as the functions see them."
  value       = module.platform.database_environment
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.platform.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS alarm topic."
  value       = module.platform.alarm_topic_arn
}

output "ses" {
  description = "SES identity and configuration set with their ARNs; for a domain identity, dkim_tokens and dkim_records: publish each record (CNAME <token>._domainkey.<domain> -> <token>.dkim.amazonses.com) in the domain's DNS, or SES never verifies the domain and the worker cannot send. null without ses."
  value       = module.platform.ses
}

output "network" {
  description = "VPC, subnets, security groups, and the NAT gateways with their Elastic IPs (nat_public_ips: where webhook deliveries come from, for tenants' allowlists)."
  value       = module.platform.network
}

output "backends" {
  description = "Stores of sessions, cache, rate limits and idempotency keys, and the CORS origins, as the functions get them."
  value       = module.platform.backends
}

output "origin_verify_secret" {
  description = "X-Origin-Verify value CloudFront sends to the API (ORIGIN_VERIFY_SECRET): `terraform output -raw origin_verify_secret`, to call the API's own URL in a test."
  value       = module.platform.origin_verify_secret
  sensitive   = true
}

output "function_environment" {
  description = "Environment by function: names of all its variables (ORIGIN_VERIFY_SECRET included, never its value), and the values of the store settings, CORS_ALLOWED_ORIGINS and DATABASE_IAM_AUTH."
  value       = module.platform.function_environment
}
