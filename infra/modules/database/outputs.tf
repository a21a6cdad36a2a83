locals {
  proxy_enabled = var.proxy_enabled
  proxy_reader  = var.proxy_enabled && var.proxy_reader_endpoint && var.reader_count > 0
  writer_host   = local.proxy_enabled ? aws_db_proxy.this[0].endpoint : aws_rds_cluster.this.endpoint
  reader_host = (
    local.proxy_reader ? aws_db_proxy_endpoint.reader[0].endpoint :
    local.proxy_enabled ? aws_db_proxy.this[0].endpoint :
    aws_rds_cluster.this.reader_endpoint
  )
  # The functions log in as the application role: with an IAM auth token (rds-db:connect) at the
  # proxy with IAM auth, or at the cluster itself without the proxy (the role is a member of
  # rds_iam there); with its secret's password at a proxy without IAM auth.
  iam_auth   = !local.proxy_enabled || var.proxy_iam_auth
  url_prefix = "postgres://${var.app_username}@"
  # TLS always. The proxy's certificate comes from ACM and chains to Amazon's public roots, which
  # the functions trust, so it is verified; the cluster's own certificate is signed by the RDS CA,
  # which they do not carry, so the direct connection (dev) is encrypted without verification.
  url_suffix = ":5432/${var.database_name}?sslmode=${local.proxy_enabled ? "verify-full" : "require"}"
}

output "cluster_identifier" {
  description = "Aurora cluster identifier (CloudWatch dimension DBClusterIdentifier)."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "proxy_name" {
  description = "RDS Proxy name, or null without the proxy."
  value       = local.proxy_enabled ? aws_db_proxy.this[0].name : null
}

output "writer_endpoint" {
  description = "Host the functions write to: the proxy in prod, the cluster endpoint without it."
  value       = local.writer_host
}

output "reader_endpoint" {
  description = "Host for plain reads: the proxy's read-only endpoint, or the cluster reader endpoint."
  value       = local.reader_host
}

output "cluster_endpoint" {
  description = "The cluster's writer endpoint, bypassing the proxy (migrations)."
  value       = aws_rds_cluster.this.endpoint
}

output "database_name" {
  description = "Application database name."
  value       = aws_rds_cluster.this.database_name
}

output "secret_arn" {
  description = "Secrets Manager secret (JSON with username and password) of the master user, managed by RDS: for migrations only."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "app_username" {
  description = "The application role the functions connect as."
  value       = var.app_username
}

output "app_secret_arn" {
  description = "Secrets Manager secret (JSON with username and password) of the application role, which the proxy logs in with; null without the proxy."
  value       = local.proxy_enabled ? aws_secretsmanager_secret.app[0].arn : null
}

output "iam_auth" {
  description = "Whether the functions log in with IAM auth tokens (at the proxy with IAM auth, or at the cluster without a proxy): known at plan time, unlike iam_connect_arn."
  value       = local.iam_auth
}

output "iam_connect_arn" {
  description = "rds-db:connect resource for the application role: through the proxy, or at the cluster without it; null behind a proxy without IAM auth."
  value = local.iam_auth ? format(
    "arn:%s:rds-db:%s:%s:dbuser:%s/%s",
    data.aws_partition.current.partition,
    data.aws_region.current.name,
    data.aws_caller_identity.current.account_id,
    local.proxy_enabled ? element(split(":", aws_db_proxy.this[0].arn), 6) : aws_rds_cluster.this.cluster_resource_id,
    var.app_username,
  ) : null
}

output "environment" {
  description = "Environment variables the runtime reads for the database."
  value = merge(
    {
      DATABASE_URL      = "${local.url_prefix}${local.writer_host}${local.url_suffix}"
      DATABASE_READ_URL = "${local.url_prefix}${local.reader_host}${local.url_suffix}"
      # The password is an IAM token (rds-db:connect), signed with the function's role.
      DATABASE_IAM_AUTH = tostring(local.iam_auth)
    },
    # Only behind a proxy without IAM auth: the application role's password, from its secret.
    local.iam_auth ? {} : { DATABASE_SECRET_ARN = aws_secretsmanager_secret.app[0].arn },
  )
}
