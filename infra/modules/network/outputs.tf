output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "Private subnet IDs, one per AZ."
  value       = aws_subnet.private[*].id
}

output "security_group_ids" {
  description = "Security group per role: lambda, proxy, database, cache, endpoints."
  value = {
    lambda    = aws_security_group.lambda.id
    proxy     = aws_security_group.proxy.id
    database  = aws_security_group.database.id
    cache     = aws_security_group.cache.id
    endpoints = aws_security_group.endpoints.id
  }
}

output "endpoint_ids" {
  description = "VPC endpoint IDs by service."
  value = merge(
    { dynamodb = aws_vpc_endpoint.dynamodb.id },
    { for k, e in aws_vpc_endpoint.interface : k => e.id },
  )
}
