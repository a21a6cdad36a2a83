output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "Private subnet IDs, one per AZ."
  value       = aws_subnet.private[*].id
}

output "egress_subnet_ids" {
  description = "Egress subnets, one per AZ, whose default route goes to a NAT gateway; empty with nat = none."
  value       = aws_subnet.egress[*].id
}

output "nat_gateway_ids" {
  description = "NAT gateways: none, one (single) or one per AZ (per_az)."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Elastic IPs of the NAT gateways: the source addresses of webhook deliveries and SMTP connections, for tenants' allowlists."
  value       = aws_eip.nat[*].public_ip
}

output "security_group_ids" {
  description = "Security group per role: lambda, egress (null with nat = none), proxy, database, migrations (for the host that migrates the writer), cache, endpoints."
  value = {
    lambda     = aws_security_group.lambda.id
    egress     = local.egress_enabled ? aws_security_group.egress[0].id : null
    proxy      = aws_security_group.proxy.id
    database   = aws_security_group.database.id
    migrations = aws_security_group.migrations.id
    cache      = aws_security_group.cache.id
    endpoints  = aws_security_group.endpoints.id
  }
}

output "endpoint_ids" {
  description = "VPC endpoint IDs by service."
  value = merge(
    { dynamodb = aws_vpc_endpoint.dynamodb.id },
    { for k, e in aws_vpc_endpoint.interface : k => e.id },
  )
}
