# Every alarm, as data: one entry per alarm, all notifying the SNS topic. Each fires when its
# statistic over 5-minute periods exceeds the threshold for `periods` periods in a row.
locals {
  rds   = "AWS/RDS"
  api   = "AWS/ApiGateway"
  stage = { ApiId = var.api_id, Stage = var.api_stage }

  alarm_definitions = merge(
    {
      "db-cpu" = {
        description = "Aurora CPU above ${var.db_cpu_threshold}% for 15 minutes"
        namespace   = local.rds
        metric      = "CPUUtilization"
        dimensions  = { DBClusterIdentifier = var.db_cluster_identifier }
        statistic   = "Average"
        threshold   = var.db_cpu_threshold
        periods     = 3
      }
      "db-acu-utilization" = {
        description = "Aurora near its max ACU (${var.acu_utilization_threshold}%): raise max_capacity or add a reader"
        namespace   = local.rds
        metric      = "ACUUtilization"
        dimensions  = { DBClusterIdentifier = var.db_cluster_identifier }
        statistic   = "Average"
        threshold   = var.acu_utilization_threshold
        periods     = 3
      }
      "api-5xx" = {
        description = "API 5xx responses above ${var.api_5xx_threshold} in 5 minutes"
        namespace   = local.api
        metric      = "5xx"
        dimensions  = local.stage
        statistic   = "Sum"
        threshold   = var.api_5xx_threshold
        periods     = 1
      }
      "api-p99-latency" = {
        description = "API p99 latency above ${var.api_p99_latency_ms} ms for 15 minutes"
        namespace   = local.api
        metric      = "Latency"
        dimensions  = local.stage
        statistic   = "p99"
        threshold   = var.api_p99_latency_ms
        periods     = 3
      }
    },
    var.db_proxy_enabled ? {
      "db-proxy-pinned-connections" = {
        description = "RDS Proxy sessions are pinned (SET, PREPARE, advisory locks, >16 KB statements): multiplexing is lost"
        namespace   = local.rds
        metric      = "DatabaseConnectionsCurrentlySessionPinned"
        dimensions  = { ProxyName = var.db_proxy_name }
        statistic   = "Maximum"
        threshold   = 0
        periods     = 1
      }
    } : {},
    # Each shard's cluster and proxy, as the home database's.
    { for name, shard in var.db_shards : "db-${name}-cpu" => {
      description = "Aurora shard ${name} CPU above ${var.db_cpu_threshold}% for 15 minutes"
      namespace   = local.rds
      metric      = "CPUUtilization"
      dimensions  = { DBClusterIdentifier = shard.cluster_identifier }
      statistic   = "Average"
      threshold   = var.db_cpu_threshold
      periods     = 3
    } },
    { for name, shard in var.db_shards : "db-${name}-acu-utilization" => {
      description = "Aurora shard ${name} near its max ACU (${var.acu_utilization_threshold}%): raise its max_capacity or move tenants off it"
      namespace   = local.rds
      metric      = "ACUUtilization"
      dimensions  = { DBClusterIdentifier = shard.cluster_identifier }
      statistic   = "Average"
      threshold   = var.acu_utilization_threshold
      periods     = 3
    } },
    var.db_proxy_enabled ? { for name, shard in var.db_shards : "db-${name}-proxy-pinned-connections" => {
      description = "RDS Proxy of shard ${name}: sessions are pinned (SET, PREPARE, advisory locks, >16 KB statements): multiplexing is lost"
      namespace   = local.rds
      metric      = "DatabaseConnectionsCurrentlySessionPinned"
      dimensions  = { ProxyName = shard.proxy_name }
      statistic   = "Maximum"
      threshold   = 0
      periods     = 1
    } } : {},
    { for key, queue in var.dlq_names : "${key}-dlq-not-empty" => {
      description = "Messages in the ${key} DLQ: a job failed every retry"
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = queue }
      statistic   = "Maximum"
      threshold   = 0
      periods     = 1
    } },
    # A retried job waits out its backoff in the queue, but after its third receive SQS leaves it
    # out of this metric: an old message means the worker is not draining the queue.
    { for key, queue in var.queue_names : "${key}-oldest-message-age" => {
      description = "The oldest message in the ${key} queue is older than ${var.queue_oldest_message_age_seconds} s: its worker is stuck, failing or too slow"
      namespace   = "AWS/SQS"
      metric      = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = queue }
      statistic   = "Maximum"
      threshold   = var.queue_oldest_message_age_seconds
      periods     = 1
    } },
    { for key, function in var.function_names : "${key}-errors" => {
      description = "${key} returned errors (crashes or timeouts, not 4xx/5xx responses)"
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = function }
      statistic   = "Sum"
      threshold   = var.lambda_errors_threshold
      periods     = 1
    } },
    { for key, function in var.function_names : "${key}-throttles" => {
      description = "${key} hit its reserved concurrency"
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = { FunctionName = function }
      statistic   = "Sum"
      threshold   = 0
      periods     = 1
    } },
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms ? local.alarm_definitions : {}

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = startswith(each.value.statistic, "p") ? null : each.value.statistic
  extended_statistic  = startswith(each.value.statistic, "p") ? each.value.statistic : null
  period              = 300
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
}
