variable "name" {
  description = "API name, e.g. saas-prod."
  type        = string
}

variable "stage_name" {
  description = "Named stage; requests reach the functions as /<stage>/<path>."
  type        = string
  default     = "api"
}

variable "functions" {
  description = "From modules/functions: functions by binary name, with their routes and invoke ARNs."
  type = map(object({
    name       = string
    invoke_arn = string
    routes     = list(string)
  }))
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst limit (requests)."
  type        = number
  default     = 100
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady-state limit (requests per second)."
  type        = number
  default     = 50
}

variable "integration_timeout_ms" {
  description = "How long API Gateway waits for a function (max 30000)."
  type        = number
  default     = 29000
}

variable "detailed_metrics" {
  description = "Per-route CloudWatch metrics (billed as custom metrics)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key for the access log group."
  type        = string
}
