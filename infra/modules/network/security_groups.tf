resource "aws_security_group" "lambda" {
  #checkov:skip=CKV2_AWS_5:attached in another module through this module's outputs, which checkov cannot follow
  name        = "${var.name}-lambda"
  description = "Lambda functions: egress to the database, proxy, cache and AWS endpoints"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "proxy" {
  #checkov:skip=CKV2_AWS_5:attached in another module through this module's outputs, which checkov cannot follow
  name        = "${var.name}-db-proxy"
  description = "RDS Proxy: ingress from functions, egress to the cluster"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:attached in another module through this module's outputs, which checkov cannot follow
  name        = "${var.name}-database"
  description = "Aurora cluster: ingress from functions and the proxy"
  vpc_id      = aws_vpc.this.id
}

# For whatever runs the migrations against the writer from inside the VPC (a CI runner, a
# bastion or the instance behind an SSM tunnel): the one way to the cluster besides the proxy.
resource "aws_security_group" "migrations" {
  #checkov:skip=CKV2_AWS_5:attached outside Terraform, to the host that runs the migrations
  name        = "${var.name}-db-migrations"
  description = "Migrations: PostgreSQL to the Aurora writer, bypassing the proxy"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "cache" {
  #checkov:skip=CKV2_AWS_5:attached in another module through this module's outputs, which checkov cannot follow
  name        = "${var.name}-cache"
  description = "ElastiCache Serverless: ingress from functions"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-endpoints"
  description = "Interface VPC endpoints: HTTPS from inside the VPC"
  vpc_id      = aws_vpc.this.id
}

# The functions' groups: lambda for every function, and egress (when `nat` is not "none") for the
# functions with internet access. Both reach the database (through the proxy when there is one,
# never the cluster itself then), the cache and the AWS endpoints through the same rules below;
# egress adds the internet ports.
locals {
  function_security_groups = merge(
    { lambda = aws_security_group.lambda.id },
    local.egress_enabled ? { egress = aws_security_group.egress[0].id } : {},
  )
  function_group_names = local.egress_enabled ? ["lambda", "egress"] : ["lambda"]

  function_to_database = {
    for pair in setproduct(local.function_group_names, [var.db_proxy_enabled ? "proxy" : "database"]) :
    "${pair[0]}-${pair[1]}" => {
      group  = pair[0]
      target = pair[1]
    }
  }
}

resource "aws_security_group" "egress" {
  #checkov:skip=CKV2_AWS_5:attached in another module through this module's outputs, which checkov cannot follow
  count = local.egress_enabled ? 1 : 0

  name        = "${var.name}-lambda-egress"
  description = "Lambda functions with internet access: egress of the lambda group, plus HTTPS and SMTP to the internet"
  vpc_id      = aws_vpc.this.id
}

resource "aws_security_group_rule" "function_to_database" {
  for_each = local.function_to_database

  type                     = "egress"
  description              = "PostgreSQL to the ${each.value.target}"
  security_group_id        = local.function_security_groups[each.value.group]
  source_security_group_id = each.value.target == "proxy" ? aws_security_group.proxy.id : aws_security_group.database.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "function_to_cache" {
  for_each = toset(local.function_group_names)

  type                     = "egress"
  description              = "Redis/Valkey to the cache"
  security_group_id        = local.function_security_groups[each.key]
  source_security_group_id = aws_security_group.cache.id
  protocol                 = "tcp"
  from_port                = 6379
  to_port                  = 6380
}

resource "aws_security_group_rule" "function_to_endpoints" {
  for_each = toset(local.function_group_names)

  type                     = "egress"
  description              = "HTTPS to the interface endpoints (SQS, Secrets Manager)"
  security_group_id        = local.function_security_groups[each.key]
  source_security_group_id = aws_security_group.endpoints.id
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
}

resource "aws_security_group_rule" "function_to_dynamodb" {
  for_each = toset(local.function_group_names)

  type              = "egress"
  description       = "HTTPS to DynamoDB through the gateway endpoint"
  security_group_id = local.function_security_groups[each.key]
  prefix_list_ids   = [aws_vpc_endpoint.dynamodb.prefix_list_id]
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
}

# Tenants' webhook endpoints and SMTP relays are anywhere on the internet, so the destination
# cannot be narrower than 0.0.0.0/0; the ports are (internet_ports). Only the egress group has
# these rules, and only functions with `internet = true` get that group.
resource "aws_security_group_rule" "egress_to_internet" {
  for_each = local.egress_enabled ? toset([for p in var.internet_ports : tostring(p)]) : toset([])

  type              = "egress"
  description       = "TCP ${each.key} to the internet through the NAT gateway"
  security_group_id = aws_security_group.egress[0].id
  cidr_blocks       = ["0.0.0.0/0"]
  protocol          = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
}

resource "aws_security_group_rule" "proxy_from_functions" {
  for_each = toset(local.function_group_names)

  type                     = "ingress"
  description              = each.key == "lambda" ? "PostgreSQL from functions" : "PostgreSQL from functions with internet access"
  security_group_id        = aws_security_group.proxy.id
  source_security_group_id = local.function_security_groups[each.key]
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "proxy_to_database" {
  type                     = "egress"
  description              = "PostgreSQL to the cluster"
  security_group_id        = aws_security_group.proxy.id
  source_security_group_id = aws_security_group.database.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "proxy_to_endpoints" {
  type                     = "egress"
  description              = "HTTPS to Secrets Manager for the database credentials"
  security_group_id        = aws_security_group.proxy.id
  source_security_group_id = aws_security_group.endpoints.id
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
}

# The cluster admits the proxy, or the functions themselves without one, and the migrations.
resource "aws_security_group_rule" "database_from" {
  for_each = merge(
    var.db_proxy_enabled ? { proxy = aws_security_group.proxy.id } : local.function_security_groups,
    { migrations = aws_security_group.migrations.id },
  )

  type                     = "ingress"
  description              = "PostgreSQL from the ${each.key}"
  security_group_id        = aws_security_group.database.id
  source_security_group_id = each.value
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "migrations_to_database" {
  type                     = "egress"
  description              = "PostgreSQL to the cluster"
  security_group_id        = aws_security_group.migrations.id
  source_security_group_id = aws_security_group.database.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "cache_from_functions" {
  for_each = toset(local.function_group_names)

  type                     = "ingress"
  description              = each.key == "lambda" ? "Redis/Valkey from functions" : "Redis/Valkey from functions with internet access"
  security_group_id        = aws_security_group.cache.id
  source_security_group_id = local.function_security_groups[each.key]
  protocol                 = "tcp"
  from_port                = 6379
  to_port                  = 6380
}

resource "aws_security_group_rule" "endpoints_from_vpc" {
  type              = "ingress"
  description       = "HTTPS from inside the VPC"
  security_group_id = aws_security_group.endpoints.id
  cidr_blocks       = [var.cidr_block]
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
}

# The rules of the lambda group before the egress group shared them: the same rules, renamed.
moved {
  from = aws_security_group_rule.lambda_to_database["database"]
  to   = aws_security_group_rule.function_to_database["lambda-database"]
}

moved {
  from = aws_security_group_rule.lambda_to_database["proxy"]
  to   = aws_security_group_rule.function_to_database["lambda-proxy"]
}

moved {
  from = aws_security_group_rule.lambda_to_cache
  to   = aws_security_group_rule.function_to_cache["lambda"]
}

moved {
  from = aws_security_group_rule.lambda_to_endpoints
  to   = aws_security_group_rule.function_to_endpoints["lambda"]
}

moved {
  from = aws_security_group_rule.lambda_to_dynamodb
  to   = aws_security_group_rule.function_to_dynamodb["lambda"]
}

moved {
  from = aws_security_group_rule.proxy_from_lambda
  to   = aws_security_group_rule.proxy_from_functions["lambda"]
}

moved {
  from = aws_security_group_rule.cache_from_lambda
  to   = aws_security_group_rule.cache_from_functions["lambda"]
}
