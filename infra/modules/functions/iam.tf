data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # The database secret the functions read a password from: only behind a proxy without IAM
  # auth (the application role's secret). With IAM auth they sign tokens and read no secret.
  database_secret_arn = lookup(var.database.environment, "DATABASE_SECRET_ARN", null)
  reads_database_secret = {
    for k, f in var.functions : k => f.database && contains(keys(var.database.environment), "DATABASE_SECRET_ARN")
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# ENI management for VPC functions; these EC2 actions do not support resource scoping.
resource "aws_iam_role_policy_attachment" "eni" {
  for_each = var.functions

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"
}

resource "aws_iam_role_policy_attachment" "xray" {
  for_each = var.tracing_mode == "Active" ? var.functions : {}

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

data "aws_iam_policy_document" "this" {
  for_each = var.functions

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  # Environment variables, SQS messages and the database secrets are all under the environment's
  # key; sending to a queue (a consumer sends to its DLQ) needs a data key. A function that reads
  # no database secret may not decrypt anything through Secrets Manager (the master user's
  # secret is under the same key).
  statement {
    sid       = "UseEnvironmentKey"
    actions   = length(each.value.send_queues) > 0 || each.value.sqs_queue != null ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    dynamic "condition" {
      for_each = local.reads_database_secret[each.key] ? [] : [1]
      content {
        test     = "StringNotEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.reads_database_secret[each.key] ? [1] : []
    content {
      sid       = "ReadDatabaseSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [local.database_secret_arn]
    }
  }

  # The application role at the home database and at each shard: one statement, one resource
  # per database.
  dynamic "statement" {
    for_each = each.value.database && length(var.database.iam_connect_arns) > 0 ? [1] : []
    content {
      sid       = "ConnectAsAppRole"
      actions   = ["rds-db:connect"]
      resources = var.database.iam_connect_arns
    }
  }

  dynamic "statement" {
    for_each = length(each.value.tables) > 0 ? [1] : []
    content {
      sid = "OwnTables"
      actions = [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
      ]
      resources = flatten([for t in each.value.tables : [var.tables[t].arn, "${var.tables[t].arn}/index/*"]])
    }
  }

  dynamic "statement" {
    for_each = length(each.value.send_queues) > 0 ? [1] : []
    content {
      sid       = "SendToQueues"
      actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
      resources = [for q in each.value.send_queues : var.queues[q].arn]
    }
  }

  dynamic "statement" {
    for_each = each.value.sqs_queue == null ? [] : [each.value.sqs_queue]
    content {
      sid       = "ConsumeQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      resources = [var.queues[statement.value].arn]
    }
  }

  # A permanent failure is copied to the DLQ (its URL comes from the environment, so no
  # GetQueueUrl), then deleted from the queue.
  dynamic "statement" {
    for_each = each.value.sqs_queue == null ? [] : [each.value.sqs_queue]
    content {
      sid       = "DeadLetter"
      actions   = ["sqs:SendMessage"]
      resources = [var.queues[statement.value].dlq_arn]
    }
  }

  # SESv2 SendEmail is authorized against the sending identity and the configuration set it
  # names: only those, and only for the functions that send mail.
  dynamic "statement" {
    for_each = each.value.mail && length(var.mail_send_arns) > 0 ? [1] : []
    content {
      sid       = "SendMail"
      actions   = ["ses:SendEmail"]
      resources = var.mail_send_arns
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = var.functions

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.this[each.key].json
}
