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

resource "aws_security_group_rule" "lambda_to_database" {
  for_each = {
    database = aws_security_group.database.id
    proxy    = aws_security_group.proxy.id
  }

  type                     = "egress"
  description              = "PostgreSQL to the ${each.key}"
  security_group_id        = aws_security_group.lambda.id
  source_security_group_id = each.value
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "lambda_to_cache" {
  type                     = "egress"
  description              = "Redis/Valkey to the cache"
  security_group_id        = aws_security_group.lambda.id
  source_security_group_id = aws_security_group.cache.id
  protocol                 = "tcp"
  from_port                = 6379
  to_port                  = 6380
}

resource "aws_security_group_rule" "lambda_to_endpoints" {
  type                     = "egress"
  description              = "HTTPS to the interface endpoints (SQS, Secrets Manager)"
  security_group_id        = aws_security_group.lambda.id
  source_security_group_id = aws_security_group.endpoints.id
  protocol                 = "tcp"
  from_port                = 443
  to_port                  = 443
}

resource "aws_security_group_rule" "lambda_to_dynamodb" {
  type              = "egress"
  description       = "HTTPS to DynamoDB through the gateway endpoint"
  security_group_id = aws_security_group.lambda.id
  prefix_list_ids   = [aws_vpc_endpoint.dynamodb.prefix_list_id]
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_security_group_rule" "proxy_from_lambda" {
  type                     = "ingress"
  description              = "PostgreSQL from functions"
  security_group_id        = aws_security_group.proxy.id
  source_security_group_id = aws_security_group.lambda.id
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

resource "aws_security_group_rule" "database_from" {
  for_each = {
    lambda = aws_security_group.lambda.id
    proxy  = aws_security_group.proxy.id
  }

  type                     = "ingress"
  description              = "PostgreSQL from the ${each.key}"
  security_group_id        = aws_security_group.database.id
  source_security_group_id = each.value
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "cache_from_lambda" {
  type                     = "ingress"
  description              = "Redis/Valkey from functions"
  security_group_id        = aws_security_group.cache.id
  source_security_group_id = aws_security_group.lambda.id
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
