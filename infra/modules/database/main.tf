# Aurora Serverless v2 PostgreSQL: one writer, `reader_count` readers, credentials in a
# Secrets Manager secret that RDS manages (and rotates).
resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "${var.name} Aurora subnets"
  subnet_ids  = var.subnet_ids
}

resource "aws_rds_cluster_parameter_group" "this" {
  name        = "${var.name}-aurora-pg"
  family      = var.parameter_group_family
  description = "${var.name}: TLS only, slow-query log"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Query audit: anything slower than this is logged (and exported to CloudWatch Logs).
  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.slow_query_ms)
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  # Logged statements (slow, DDL, failing) never carry their bind parameters: those are
  # emails, password hashes and tokens.
  parameter {
    name  = "log_parameter_max_length"
    value = "0"
  }

  parameter {
    name  = "log_parameter_max_length_on_error"
    value = "0"
  }

  # Aurora only pauses with no connections, and a frozen Lambda never closes its pool: at
  # 0 ACU, the server drops idle sessions itself (sqlx reconnects on the next acquire).
  dynamic "parameter" {
    for_each = var.min_capacity == 0 ? [1] : []
    content {
      name  = "idle_session_timeout"
      value = tostring(var.idle_session_timeout_ms)
    }
  }
}

# Created before the cluster, so the exported PostgreSQL log gets a retention and the key
# (RDS would otherwise create it unencrypted and keep it forever).
resource "aws_cloudwatch_log_group" "postgresql" {
  #checkov:skip=CKV_AWS_338:retention is the log_retention_days variable, a cost decision per environment
  name              = "/aws/rds/cluster/${var.name}/postgresql"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_rds_cluster" "this" {
  #checkov:skip=CKV2_AWS_8:backups are Aurora's continuous backups (backup_retention_days); no separate AWS Backup plan
  #checkov:skip=CKV_AWS_139:deletion protection is a variable: on in prod, off in dev so a throwaway env can be destroyed
  cluster_identifier              = var.name
  engine                          = "aurora-postgresql"
  engine_mode                     = "provisioned"
  engine_version                  = var.engine_version
  database_name                   = var.database_name
  master_username                 = var.master_username
  manage_master_user_password     = true
  master_user_secret_kms_key_id   = var.kms_key_arn
  db_subnet_group_name            = aws_db_subnet_group.this.name
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name
  vpc_security_group_ids          = var.security_group_ids
  port                            = 5432

  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_arn
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  backup_retention_period   = var.backup_retention_days
  preferred_backup_window   = "03:00-04:00"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = !var.final_snapshot
  final_snapshot_identifier = var.final_snapshot ? "${var.name}-final" : null
  apply_immediately         = !var.deletion_protection

  serverlessv2_scaling_configuration {
    min_capacity = var.min_capacity
    max_capacity = var.max_capacity
    # Only a 0 ACU minimum pauses; Aurora rejects the setting otherwise.
    seconds_until_auto_pause = var.min_capacity == 0 ? var.seconds_until_auto_pause : null
  }

  depends_on = [aws_cloudwatch_log_group.postgresql]

  lifecycle {
    precondition {
      condition     = !(var.proxy_enabled && var.min_capacity == 0)
      error_message = "Aurora auto-pause (min_capacity = 0) does not work behind RDS Proxy: use min_capacity >= 0.5 with the proxy."
    }
  }
}

resource "aws_rds_cluster_instance" "writer" {
  #checkov:skip=CKV_AWS_118:enhanced monitoring is a variable: 60 s in prod, off in dev to save its log ingestion
  identifier                   = "${var.name}-writer"
  cluster_identifier           = aws_rds_cluster.this.id
  engine                       = aws_rds_cluster.this.engine
  engine_version               = aws_rds_cluster.this.engine_version
  instance_class               = "db.serverless"
  db_subnet_group_name         = aws_db_subnet_group.this.name
  promotion_tier               = 0
  publicly_accessible          = false
  auto_minor_version_upgrade   = true
  performance_insights_enabled = var.performance_insights
  performance_insights_kms_key_id = (
    var.performance_insights ? var.kms_key_arn : null
  )
  monitoring_interval = var.enhanced_monitoring_interval
  monitoring_role_arn = var.enhanced_monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null
}

resource "aws_rds_cluster_instance" "reader" {
  #checkov:skip=CKV_AWS_118:enhanced monitoring is a variable: 60 s in prod, off in dev to save its log ingestion
  count = var.reader_count

  identifier                   = "${var.name}-reader-${count.index + 1}"
  cluster_identifier           = aws_rds_cluster.this.id
  engine                       = aws_rds_cluster.this.engine
  engine_version               = aws_rds_cluster.this.engine_version
  instance_class               = "db.serverless"
  db_subnet_group_name         = aws_db_subnet_group.this.name
  promotion_tier               = 1
  publicly_accessible          = false
  auto_minor_version_upgrade   = true
  performance_insights_enabled = var.performance_insights
  performance_insights_kms_key_id = (
    var.performance_insights ? var.kms_key_arn : null
  )
  monitoring_interval = var.enhanced_monitoring_interval
  monitoring_role_arn = var.enhanced_monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  # The first instance created becomes the writer.
  depends_on = [aws_rds_cluster_instance.writer]
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = var.enhanced_monitoring_interval > 0 ? 1 : 0

  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = var.enhanced_monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
