variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "alarms_enabled" {
  description = "Create the alarms (the topic and dashboard always exist)."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "KMS key for the alarm topic."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch EMF namespace the functions emit to (METRICS_NAMESPACE)."
  type        = string
}

variable "db_cluster_identifier" {
  description = "Aurora cluster identifier."
  type        = string
}

variable "db_proxy_enabled" {
  description = "Whether an RDS Proxy exists (pinned-connection alarm)."
  type        = bool
}

variable "db_proxy_name" {
  description = "RDS Proxy name (null without the proxy)."
  type        = string
  default     = null
}

variable "db_shards" {
  description = "Tenant shards by name: each one's Aurora cluster identifier and RDS Proxy name (null without the proxy). They get the home cluster's alarms and dashboard widget."
  type = map(object({
    cluster_identifier = string
    proxy_name         = optional(string)
  }))
  default = {}
}

variable "dlq_names" {
  description = "DLQ names by queue key."
  type        = map(string)
  default     = {}
}

variable "queue_names" {
  description = "Queue names by key (the queues themselves, not their DLQs)."
  type        = map(string)
  default     = {}
}

variable "queue_oldest_message_age_seconds" {
  description = "Age of a queue's oldest message (s) above which its worker counts as stuck."
  type        = number
  default     = 900
}

variable "function_names" {
  description = "Lambda function names by binary name."
  type        = map(string)
}

variable "api_id" {
  description = "HTTP API ID."
  type        = string
}

variable "api_stage" {
  description = "HTTP API stage."
  type        = string
}

variable "db_cpu_threshold" {
  description = "Aurora CPU alarm threshold (%)."
  type        = number
  default     = 80
}

variable "acu_utilization_threshold" {
  description = "Aurora ACUUtilization alarm threshold (% of max ACU)."
  type        = number
  default     = 90
}

variable "lambda_errors_threshold" {
  description = "Lambda errors per 5 minutes that raise the alarm."
  type        = number
  default     = 0
}

variable "api_5xx_threshold" {
  description = "API 5xx responses per 5 minutes that raise the alarm."
  type        = number
  default     = 5
}

variable "api_p99_latency_ms" {
  description = "API p99 latency alarm threshold (ms)."
  type        = number
  default     = 1000
}
