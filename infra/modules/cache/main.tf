# Optional ElastiCache Serverless (Valkey by default): sessions, rate limits and cached results
# when DynamoDB's latency or cost is not good enough. Read from REDIS_URL.
resource "aws_elasticache_serverless_cache" "this" {
  name                     = var.name
  description              = "${var.name} cache"
  engine                   = var.engine
  major_engine_version     = var.major_engine_version
  kms_key_id               = var.kms_key_arn
  subnet_ids               = var.subnet_ids
  security_group_ids       = var.security_group_ids
  snapshot_retention_limit = var.snapshot_retention_limit
  daily_snapshot_time      = "04:00"

  cache_usage_limits {
    data_storage {
      maximum = var.max_data_storage_gb
      unit    = "GB"
    }
    ecpu_per_second {
      maximum = var.max_ecpu_per_second
    }
  }
}
