locals {
  ns = var.metrics_namespace
  # SEARCH picks up every Service that emits the metric, so new functions appear by themselves.
  business = [
    for m in ["Signups", "Logins", "JobsProcessed"] : {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = m
        region = data.aws_region.current.name
        stat   = "Sum"
        period = 300
        view   = "timeSeries"
        metrics = [[{
          expression = "SEARCH('{${local.ns},Service} MetricName=\"${m}\"', 'Sum', 300)"
          id         = "e1"
          label      = ""
        }]]
      }
    }
  ]
  platform = [
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "API requests, 4xx, 5xx"
        region  = data.aws_region.current.name
        stat    = "Sum"
        period  = 300
        metrics = [for m in ["Count", "4xx", "5xx"] : ["AWS/ApiGateway", m, "ApiId", var.api_id, "Stage", var.api_stage]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "API latency p50 / p99 (ms)"
        region = data.aws_region.current.name
        period = 300
        metrics = [
          ["AWS/ApiGateway", "Latency", "ApiId", var.api_id, "Stage", var.api_stage, { stat = "p50" }],
          ["AWS/ApiGateway", "Latency", "ApiId", var.api_id, "Stage", var.api_stage, { stat = "p99" }],
        ]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Lambda errors and throttles"
        region = data.aws_region.current.name
        stat   = "Sum"
        period = 300
        metrics = concat(
          [for fn in values(var.function_names) : ["AWS/Lambda", "Errors", "FunctionName", fn]],
          [for fn in values(var.function_names) : ["AWS/Lambda", "Throttles", "FunctionName", fn]],
        )
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Aurora ACU and CPU"
        region = data.aws_region.current.name
        stat   = "Average"
        period = 300
        metrics = [
          ["AWS/RDS", "ServerlessDatabaseCapacity", "DBClusterIdentifier", var.db_cluster_identifier],
          ["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", var.db_cluster_identifier],
        ]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "DLQ depth"
        region  = data.aws_region.current.name
        stat    = "Maximum"
        period  = 300
        metrics = [for k, q in var.dlq_names : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = "Queue age of the oldest message (s)"
        region  = data.aws_region.current.name
        stat    = "Maximum"
        period  = 300
        metrics = [for k, q in var.queue_names : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q]]
      }
    },
  ]
  # The home cluster's widget again for each shard's cluster.
  shards = [
    for name, shard in var.db_shards : {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Aurora ACU and CPU: shard ${name}"
        region = data.aws_region.current.name
        stat   = "Average"
        period = 300
        metrics = [
          ["AWS/RDS", "ServerlessDatabaseCapacity", "DBClusterIdentifier", shard.cluster_identifier],
          ["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", shard.cluster_identifier],
        ]
      }
    }
  ]
}

data "aws_region" "current" {}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = concat(local.business, local.platform, local.shards) })
}
