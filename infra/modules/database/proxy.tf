# RDS Proxy: TLS required, IAM authentication required (proxy_iam_auth). Clients log in as the
# application role, and the proxy logs in to the cluster as that role with the password of the
# role's secret (RDS Proxy needs a secret for each database user it connects as); it has no
# entry for the master user. Migrations and session-level work go straight to the writer (they
# would pin).
#
# The password: 48 letters and digits from Secrets Manager's password generator, written once
# (ignore_changes: the data source returns a new one at every plan). The database must hold the
# same password for the role, and the role must not be a member of rds_iam, with which
# PostgreSQL on RDS refuses password logins. The value is in the state, like every secret
# Terraform writes.
data "aws_secretsmanager_random_password" "app" {
  count = var.proxy_enabled ? 1 : 0

  password_length     = 48
  exclude_punctuation = true
  include_space       = false
}

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:the password is also the database role's: a rotation is a new secret version together with ALTER ROLE on the writer, not a Lambda rotation
  count = var.proxy_enabled ? 1 : 0

  name        = "${var.name}-db-${var.app_username}"
  description = "${var.name}: credentials of the database role ${var.app_username}, for RDS Proxy"
  kms_key_id  = var.kms_key_arn
  # An environment that can be destroyed (no deletion protection) can be created again at once.
  recovery_window_in_days = var.deletion_protection ? 30 : 0
}

resource "aws_secretsmanager_secret_version" "app" {
  count = var.proxy_enabled ? 1 : 0

  secret_id = aws_secretsmanager_secret.app[0].id
  secret_string = jsonencode({
    username = var.app_username
    password = data.aws_secretsmanager_random_password.app[0].random_password
  })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_db_proxy" "this" {
  count = var.proxy_enabled ? 1 : 0

  name                   = var.name
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy[0].arn
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = var.proxy_security_group_ids
  require_tls            = true
  idle_client_timeout    = var.proxy_idle_client_timeout
  debug_logging          = false

  auth {
    auth_scheme               = "SECRETS"
    iam_auth                  = var.proxy_iam_auth ? "REQUIRED" : "DISABLED"
    client_password_auth_type = "POSTGRES_SCRAM_SHA_256"
    secret_arn                = aws_secretsmanager_secret.app[0].arn
    description               = "application role ${var.app_username}"
  }

  depends_on = [aws_secretsmanager_secret_version.app]
}

resource "aws_db_proxy_default_target_group" "this" {
  count = var.proxy_enabled ? 1 : 0

  db_proxy_name = aws_db_proxy.this[0].name

  connection_pool_config {
    max_connections_percent      = var.proxy_max_connections_percent
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 30
  }
}

resource "aws_db_proxy_target" "this" {
  count = var.proxy_enabled ? 1 : 0

  db_proxy_name         = aws_db_proxy.this[0].name
  target_group_name     = aws_db_proxy_default_target_group.this[0].name
  db_cluster_identifier = aws_rds_cluster.this.cluster_identifier
}

# Read-only endpoint: routes to the readers (the "reader endpoint" behind the proxy).
resource "aws_db_proxy_endpoint" "reader" {
  count = local.proxy_reader ? 1 : 0

  db_proxy_name          = aws_db_proxy.this[0].name
  db_proxy_endpoint_name = "${var.name}-ro"
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = var.proxy_security_group_ids
  target_role            = "READ_ONLY"
}

data "aws_iam_policy_document" "proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  count = var.proxy_enabled ? 1 : 0

  name               = "${var.name}-rds-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume.json
}

data "aws_iam_policy_document" "proxy" {
  count = var.proxy_enabled ? 1 : 0

  statement {
    sid       = "ReadAppSecret"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.app[0].arn]
  }

  statement {
    sid       = "DecryptAppSecret"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "proxy" {
  count = var.proxy_enabled ? 1 : 0

  name   = "read-app-secret"
  role   = aws_iam_role.proxy[0].id
  policy = data.aws_iam_policy_document.proxy[0].json
}
