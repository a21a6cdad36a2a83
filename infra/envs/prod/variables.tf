variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "artifacts_dir" {
  description = "Where cargo lambda put the zips; default <repo>/target/lambda."
  type        = string
  default     = null
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "cache_enabled" {
  description = "Create ElastiCache Serverless (Valkey) and give the functions REDIS_URL."
  type        = bool
  default     = false
}
