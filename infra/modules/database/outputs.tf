locals {
  proxy_enabled = var.proxy_enabled
  proxy_reader  = var.proxy_enabled && var.proxy_reader_endpoint && var.reader_count > 0
  writer_host   = local.proxy_enabled ? aws_db_proxy.this[0].endpoint : aws_rds_cluster.this.endpoint
  reader_host = (
    local.proxy_reader ? aws_db_proxy_endpoint.reader[0].endpoint :
    local.proxy_enabled ? aws_db_proxy.this[0].endpoint :
    aws_rds_cluster.this.reader_endpoint
  )
  url_prefix = "postgres://${var.master_username}@"
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
  description = "Secrets Manager secret (JSON with username and password) managed by RDS."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "iam_connect_arn" {
  description = "rds-db:connect resource for the master user through the proxy, or null without proxy IAM auth."
  value = local.proxy_enabled && var.proxy_iam_auth ? format(
    "arn:%s:rds-db:%s:%s:dbuser:%s/%s",
    data.aws_partition.current.partition,
    data.aws_region.current.name,
    data.aws_caller_identity.current.account_id,
    element(split(":", aws_db_proxy.this[0].arn), 6),
    var.master_username,
  ) : null
}

output "environment" {
  description = "Environment variables the runtime reads for the database."
  value = {
    DATABASE_URL        = "${local.url_prefix}${local.writer_host}${local.url_suffix}"
    DATABASE_READ_URL   = "${local.url_prefix}${local.reader_host}${local.url_suffix}"
    DATABASE_SECRET_ARN = aws_rds_cluster.this.master_user_secret[0].secret_arn
    # Through the proxy the password is an IAM token (rds-db:connect), not the secret's password.
    DATABASE_IAM_AUTH = tostring(local.proxy_enabled && var.proxy_iam_auth)
  }
}
