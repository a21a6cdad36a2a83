# SQS consumers report partial batch failures, and a maximum concurrency keeps one queue from
# taking every database connection.
resource "aws_lambda_event_source_mapping" "sqs" {
  for_each = { for k, f in var.functions : k => f if f.sqs_queue != null }

  event_source_arn                   = var.queues[each.value.sqs_queue].arn
  function_name                      = aws_lambda_function.this[each.key].arn
  batch_size                         = each.value.sqs_batch_size
  maximum_batching_window_in_seconds = each.value.sqs_batching_window
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_max_concurrency
  }

  lifecycle {
    precondition {
      condition     = var.queues[each.value.sqs_queue].visibility_timeout_seconds >= 6 * local.settings[each.key].timeout_seconds
      error_message = "The ${each.value.sqs_queue} queue's visibility timeout must be at least 6x the ${each.key} timeout."
    }
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = { for k, f in var.functions : k => f if f.schedule_expression != null }

  name                = "${var.name}-${each.key}"
  description         = "Invokes ${each.key} on a schedule"
  schedule_expression = each.value.schedule_expression
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = aws_cloudwatch_event_rule.schedule

  rule = each.value.name
  arn  = aws_lambda_function.this[each.key].arn
}

resource "aws_lambda_permission" "schedule" {
  for_each = aws_cloudwatch_event_rule.schedule

  statement_id  = "AllowEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.value.arn
}
