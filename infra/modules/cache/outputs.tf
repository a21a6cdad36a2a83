output "endpoint" {
  description = "Host and port of the cache."
  value       = "${aws_elasticache_serverless_cache.this.endpoint[0].address}:${aws_elasticache_serverless_cache.this.endpoint[0].port}"
}

output "environment" {
  description = "Environment variables the runtime reads for the cache (TLS is always on for serverless caches)."
  value = {
    REDIS_URL = "rediss://${aws_elasticache_serverless_cache.this.endpoint[0].address}:${aws_elasticache_serverless_cache.this.endpoint[0].port}"
  }
}
