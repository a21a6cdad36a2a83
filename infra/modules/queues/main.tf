# Each queue gets a DLQ through redrive_policy. The visibility timeout is derived from the
# consumer's timeout (6x, as AWS recommends for Lambda event sources) so a slow batch is not
# redelivered while it is still being worked on.
resource "aws_sqs_queue" "dlq" {
  for_each = var.queues

  name                              = "${var.name}-${each.key}-dlq"
  message_retention_seconds         = 1209600 # 14 days, the maximum: time to inspect and redrive
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds
}

resource "aws_sqs_queue" "this" {
  for_each = var.queues

  name                              = "${var.name}-${each.key}"
  visibility_timeout_seconds        = 6 * each.value.consumer_timeout_seconds + each.value.batching_window_seconds
  message_retention_seconds         = each.value.message_retention_seconds
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = each.value.max_receive_count
  })
}

# Only the source queue may redrive into its DLQ. (moto hangs on this, so envs/local turns it off.)
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = var.restrict_dlq_sources ? var.queues : {}

  queue_url = aws_sqs_queue.dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this[each.key].arn]
  })
}
