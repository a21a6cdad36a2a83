# Alarms go to one SNS topic; the dashboard shows the business metrics the functions emit as
# CloudWatch EMF (namespace var.metrics_namespace, dimension Service) next to the platform's.
resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  actions = [aws_sns_topic.alarms.arn]
  alarms  = var.alarms_enabled
}
