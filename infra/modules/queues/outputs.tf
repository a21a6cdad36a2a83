output "queues" {
  description = "Queues by key: name, url, arn, visibility timeout, and the DLQ's name, url and arn."
  value = {
    for k, q in aws_sqs_queue.this : k => {
      name                       = q.name
      url                        = q.url
      arn                        = q.arn
      visibility_timeout_seconds = q.visibility_timeout_seconds
      dlq_name                   = aws_sqs_queue.dlq[k].name
      dlq_url                    = aws_sqs_queue.dlq[k].url
      dlq_arn                    = aws_sqs_queue.dlq[k].arn
    }
  }
}
