variable "name" {
  description = "Name prefix; a function is named <name>-<binary>."
  type        = string
}

variable "functions" {
  description = "Function definitions keyed by binary name (see modules/catalog)."
  type = map(object({
    description          = optional(string, "")
    artifact             = optional(string)
    routes               = optional(list(string), [])
    schedule_expression  = optional(string)
    sqs_queue            = optional(string)
    sqs_batch_size       = optional(number, 10)
    sqs_batching_window  = optional(number, 0)
    send_queues          = optional(list(string), [])
    tables               = optional(list(string), [])
    database             = optional(bool, true)
    mail                 = optional(bool, false)
    internet             = optional(bool, false)
    environment          = optional(map(string), {})
    memory_mb            = optional(number)
    timeout_seconds      = optional(number)
    reserved_concurrency = optional(number)
  }))
}

variable "artifacts_dir" {
  description = "Directory holding <binary>/bootstrap.zip (cargo lambda build --release --arm64 --output-format zip)."
  type        = string
}

variable "memory_mb" {
  description = "Default memory per function (MB); CPU scales with it."
  type        = number
  default     = 256
}

variable "timeout_seconds" {
  description = "Default timeout per function (seconds). API Gateway gives up after 30."
  type        = number
  default     = 10
}

variable "worker_timeout_seconds" {
  description = "Default timeout of SQS consumers (seconds); their queue's visibility timeout is 6x this."
  type        = number
  default     = 60
}

variable "reserved_concurrency" {
  description = "Default reserved concurrency per function (-1: unreserved, for accounts still at the 10 concurrency quota)."
  type        = number
  default     = 10
}

variable "sqs_max_concurrency" {
  description = "Maximum concurrent invocations per SQS event source mapping (2-1000)."
  type        = number
  default     = 5
}

variable "log_retention_days" {
  description = "Retention of each function's log group."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "RUST_LOG filter."
  type        = string
  default     = "info"
}

variable "tracing_mode" {
  description = "X-Ray tracing: Active or PassThrough."
  type        = string
  default     = "Active"
}

variable "subnet_ids" {
  description = "Private subnets the functions run in (no route out)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the functions."
  type        = list(string)
}

variable "internet_subnet_ids" {
  description = "Egress subnets (default route to a NAT gateway) of the functions with internet = true. Empty: there is no internet egress, and those functions run in subnet_ids like the others."
  type        = list(string)
  default     = []
}

variable "internet_security_group_ids" {
  description = "Security groups of the functions with internet = true (the egress group), used with internet_subnet_ids."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "KMS key: environment variables, log groups, and the queues' and secret's encryption."
  type        = string
}

variable "common_environment" {
  description = "Environment variables every function gets (METRICS_NAMESPACE, SESSION_TTL_SECONDS, REDIS_URL...)."
  type        = map(string)
  default     = {}
}

variable "table_environment" {
  description = "Environment variables by table key, given to the functions that list that table (e.g. sessions = { SESSIONS_BACKEND = \"dynamodb\" })."
  type        = map(map(string))
  default     = {}
}

variable "http_environment" {
  description = "Environment variables of the HTTP functions (those with routes): ORIGIN_VERIFY_SECRET (a sensitive value), CORS_ALLOWED_ORIGINS."
  type        = map(string)
  default     = {}
}

variable "database" {
  description = "From modules/database: environment (DATABASE_URL..., DATABASE_SECRET_ARN only when the functions log in with a password, which they may then read; DATABASE_SHARDS with tenant shards) and iam_connect_arns (the application role's rds-db:connect resources: the home database's and each shard's; empty without IAM auth)."
  type = object({
    environment      = map(string)
    iam_connect_arns = optional(list(string), [])
    max_connections  = optional(number, 2)
  })
}

variable "route_environment" {
  description = "Environment variables by API route key, given to the functions whose catalog entry serves that route (e.g. \"POST /v1/webhooks/inbound\" = { INBOUND_WEBHOOK_SECRET = ... }, a sensitive value)."
  type        = map(map(string))
  default     = {}
}

variable "queues" {
  description = "From modules/queues: queues by key."
  type = map(object({
    url                        = string
    arn                        = string
    visibility_timeout_seconds = number
    dlq_url                    = string
    dlq_arn                    = string
  }))
  default = {}
}

variable "mail_environment" {
  description = "Environment variables of the functions that send mail (mail = true): MAIL_FROM, APP_NAME, APP_BASE_URL, MAIL_TRANSPORT, SES_CONFIGURATION_SET or SMTP_*."
  type        = map(string)
  default     = {}
}

variable "mail_send_arns" {
  description = "SES resources the functions that send mail may call ses:SendEmail on: the identity and the configuration set, if any. Empty: no SES access."
  type        = list(string)
  default     = []
}

variable "tables" {
  description = "From modules/tables: tables by key."
  type = map(object({
    name = string
    arn  = string
  }))
  default = {}
}
