variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "queues" {
  description = "Queues by key (\"jobs\" becomes <name>-jobs and <name>-jobs-dlq, read from JOBS_QUEUE_URL)."
  type = map(object({
    consumer_timeout_seconds  = number
    batching_window_seconds   = optional(number, 0)
    max_receive_count         = optional(number, 5)
    message_retention_seconds = optional(number, 345600)
  }))

  validation {
    condition     = alltrue([for q in values(var.queues) : 6 * q.consumer_timeout_seconds + q.batching_window_seconds <= 43200])
    error_message = "6 x consumer_timeout_seconds + batching_window_seconds must fit SQS's 12 hour visibility limit."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the messages."
  type        = string
}

variable "kms_data_key_reuse_period_seconds" {
  description = "How long SQS reuses a data key before calling KMS again (60-86400)."
  type        = number
  default     = 300
}

variable "restrict_dlq_sources" {
  description = "Allow only the source queue to redrive into its DLQ (redrive_allow_policy)."
  type        = bool
  default     = true
}
