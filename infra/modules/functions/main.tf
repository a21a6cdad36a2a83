# One Lambda per binary in functions/: arm64, provided.al2023, the zip from cargo lambda,
# JSON logs, an execution role that reaches only the queues, tables, secret and SES identity
# it names, and a place in the VPC: the private subnets, or the egress subnets for internet = true.
locals {
  settings = {
    for k, f in var.functions : k => {
      memory_mb            = coalesce(f.memory_mb, var.memory_mb)
      timeout_seconds      = coalesce(f.timeout_seconds, f.sqs_queue == null ? var.timeout_seconds : var.worker_timeout_seconds)
      reserved_concurrency = coalesce(f.reserved_concurrency, var.reserved_concurrency)
      # Functions with internet = true run in the egress subnets (through a NAT gateway) with the
      # egress security group, when the network has them; all others in the private subnets.
      internet = f.internet && length(var.internet_subnet_ids) > 0
    }
  }

  environment = {
    for k, f in var.functions : k => merge(
      { RUST_LOG = var.log_level },
      var.common_environment,
      f.database ? merge(var.database.environment, {
        DATABASE_MAX_CONNECTIONS = tostring(var.database.max_connections)
      }) : {},
      { for t in f.tables : "${upper(t)}_TABLE" => var.tables[t].name },
      # Settings of the stores kept in those tables (SESSIONS_BACKEND, RATE_LIMIT_FAILURE...).
      merge([for t in f.tables : lookup(var.table_environment, t, {})]...),
      # HTTP functions only: what concerns requests that come through CloudFront
      # (ORIGIN_VERIFY_SECRET, CORS_ALLOWED_ORIGINS); the others are never called over HTTP.
      length(f.routes) > 0 ? var.http_environment : {},
      # What one route needs, only on the function that serves it (INBOUND_WEBHOOK_SECRET).
      merge([for r in f.routes : lookup(var.route_environment, r, {})]...),
      { for q in f.send_queues : "${upper(q)}_QUEUE_URL" => var.queues[q].url },
      # A consumer knows its own queue and its DLQ, where a permanent failure goes at once.
      f.sqs_queue == null ? {} : {
        "${upper(f.sqs_queue)}_QUEUE_URL" = var.queues[f.sqs_queue].url
        "${upper(f.sqs_queue)}_DLQ_URL"   = var.queues[f.sqs_queue].dlq_url
      },
      f.mail ? var.mail_environment : {},
      f.environment,
    )
  }
}

locals {
  # Variables whose values the environment output shows: plain settings, never secrets.
  public_settings = concat(flatten([for m in values(var.table_environment) : keys(m)]), ["CORS_ALLOWED_ORIGINS", "DATABASE_IAM_AUTH", "DATABASE_SHARDS_OPEN"])
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.functions

  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:invoked synchronously (API Gateway) or by SQS/EventBridge, whose own DLQs and retries apply; a Lambda async DLQ would never fire
  #checkov:skip=CKV_AWS_272:code signing needs a Signer profile the zips from cargo lambda are not signed with; integrity comes from source_code_hash
  for_each = var.functions

  function_name                  = "${var.name}-${each.key}"
  description                    = each.value.description
  role                           = aws_iam_role.this[each.key].arn
  runtime                        = "provided.al2023"
  architectures                  = ["arm64"]
  handler                        = "bootstrap"
  filename                       = "${var.artifacts_dir}/${coalesce(each.value.artifact, each.key)}/bootstrap.zip"
  source_code_hash               = filebase64sha256("${var.artifacts_dir}/${coalesce(each.value.artifact, each.key)}/bootstrap.zip")
  memory_size                    = local.settings[each.key].memory_mb
  timeout                        = local.settings[each.key].timeout_seconds
  reserved_concurrent_executions = local.settings[each.key].reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = local.environment[each.key]
  }

  vpc_config {
    subnet_ids         = local.settings[each.key].internet ? var.internet_subnet_ids : var.subnet_ids
    security_group_ids = local.settings[each.key].internet ? var.internet_security_group_ids : var.security_group_ids
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  tracing_config {
    mode = var.tracing_mode
  }

  depends_on = [
    aws_iam_role_policy.this,
    aws_iam_role_policy_attachment.eni,
    aws_iam_role_policy_attachment.xray,
  ]
}
