variable "project" {
  description = "Project name; resources are named <project>-<environment>-..."
  type        = string
  default     = "saas"
}

variable "environment" {
  description = "Environment name: dev, prod, local..."
  type        = string
}

variable "artifacts_dir" {
  description = "Directory with <binary>/bootstrap.zip from cargo lambda (target/lambda)."
  type        = string
}

# --- network ---
variable "vpc_cidr" {
  description = "VPC CIDR block."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "AZs with a private subnet."
  type        = number
  default     = 2
}

variable "endpoint_az_count" {
  description = "AZs with interface endpoint ENIs (each costs per hour)."
  type        = number
  default     = 2
}

variable "interface_endpoints" {
  description = "Services reached through interface endpoints."
  type        = list(string)
  default     = ["sqs", "secretsmanager"]
}

variable "flow_logs_enabled" {
  description = "VPC flow logs of rejected traffic."
  type        = bool
  default     = true
}

variable "nat" {
  description = "Internet egress for the catalog's functions with internet = true (the jobs worker: webhooks, SMTP): none, single (one NAT gateway) or per_az (one per AZ). Each NAT gateway costs about $32 a month plus $0.045 per GB. With none, those functions run without internet like the others."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat)
    error_message = "nat must be none, single or per_az."
  }
}

# --- database ---
variable "db_engine_version" {
  description = "Aurora PostgreSQL engine version."
  type        = string
  default     = "16.6"
}

variable "db_parameter_group_family" {
  description = "Cluster parameter group family."
  type        = string
  default     = "aurora-postgresql16"
}

variable "db_min_capacity" {
  description = "Aurora min ACU (0 auto-pauses, only without the proxy)."
  type        = number
}

variable "db_max_capacity" {
  description = "Aurora max ACU."
  type        = number
}

variable "db_reader_count" {
  description = "Aurora Serverless v2 readers."
  type        = number
  default     = 0
}

variable "db_proxy_enabled" {
  description = "RDS Proxy in front of the cluster."
  type        = bool
}

variable "db_proxy_iam_auth" {
  description = "The proxy requires IAM auth tokens (DATABASE_IAM_AUTH=true) instead of the application role's password (DATABASE_SECRET_ARN)."
  type        = bool
  default     = true
}

variable "db_proxy_reader_endpoint" {
  description = "Read-only proxy endpoint for the readers (off for moto, which lacks it)."
  type        = bool
  default     = true
}

variable "app_database_role" {
  description = "PostgreSQL role the functions connect as (DML only), created by `migrate --bootstrap-app-role` with the same name (APP_DATABASE_ROLE in scripts/deploy)."
  type        = string
  default     = "saas_app"
}

variable "db_backup_retention_days" {
  description = "Aurora backup retention (days)."
  type        = number
  default     = 7
}

variable "db_performance_insights" {
  description = "Performance Insights on the instances."
  type        = bool
  default     = true
}

variable "db_enhanced_monitoring_interval" {
  description = "Enhanced monitoring interval (s); 0 is off."
  type        = number
  default     = 0
}

variable "db_shards" {
  description = <<-EOT
    Tenant shards: one more Aurora cluster each (named <project>-<environment>-<shard>, with the
    home cluster's network, key and settings, and its own proxy when the home cluster has one),
    given to the functions as DATABASE_SHARDS. Each may set its own min_capacity, max_capacity
    and reader_count; unset ones are the home cluster's. A shard's readers are failover
    targets: the functions read and write a shard through its writer. {} (the default): no
    shard, every tenant in the home database.
  EOT
  type = map(object({
    min_capacity = optional(number)
    max_capacity = optional(number)
    reader_count = optional(number)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for name in keys(var.db_shards) : can(regex("^[a-z][a-z0-9]{0,9}$", name)) && name != "main"])
    error_message = "db_shards names must be 1-10 lowercase letters and digits starting with a letter, and not main (the home database's name)."
  }

  # The runtime signs in to every shard as it does to the home database (DATABASE_IAM_AUTH), and
  # DATABASE_SECRET_ARN holds the password of the home proxy's application role only.
  validation {
    condition     = length(var.db_shards) == 0 || !var.db_proxy_enabled || var.db_proxy_iam_auth
    error_message = "db_shards need IAM auth at the proxies (db_proxy_iam_auth = true) or no proxy: the functions log in to every shard as to the home database, and with a password they would only have the home proxy's (DATABASE_SECRET_ARN)."
  }

  validation {
    condition     = alltrue([for s in values(var.db_shards) : s.reader_count == null ? true : s.reader_count >= 0])
    error_message = "db_shards: reader_count must be 0 or more."
  }
}

variable "db_shards_open" {
  description = "The shards new tenants are placed on (DATABASE_SHARDS_OPEN): names from db_shards, or main for the home database. null: every shard and main. To fill a new shard, list only it."
  type        = list(string)
  default     = null

  validation {
    condition     = var.db_shards_open == null ? true : length(var.db_shards) > 0 && length(var.db_shards_open) > 0 && alltrue([for name in var.db_shards_open : name == "main" || contains(keys(var.db_shards), name)])
    error_message = "db_shards_open must name at least one shard, each of them main or a key of db_shards (and needs db_shards)."
  }
}

variable "database_max_connections" {
  description = "sqlx pool size per Lambda instance (DATABASE_MAX_CONNECTIONS)."
  type        = number
  default     = 2
}

variable "deletion_protection" {
  description = "Protect the cluster and tables from deletion, keep a final snapshot and non-empty buckets."
  type        = bool
}

# --- queues and tables ---
variable "worker_timeout_seconds" {
  description = "Timeout of SQS worker functions; the jobs queue's visibility timeout is 6x this."
  type        = number
  default     = 60
}

variable "jobs_max_receive_count" {
  description = "Deliveries of a job before it moves to the DLQ."
  type        = number
  default     = 5
}

variable "restrict_dlq_sources" {
  description = "redrive_allow_policy on the DLQs (off for moto, which hangs on it)."
  type        = bool
  default     = true
}

variable "tables_point_in_time_recovery" {
  description = "DynamoDB point-in-time recovery."
  type        = bool
}

# --- cache ---
variable "cache_enabled" {
  description = "Create ElastiCache Serverless and set REDIS_URL."
  type        = bool
  default     = false
}

variable "cache_engine" {
  description = "valkey or redis."
  type        = string
  default     = "valkey"
}

variable "cache_max_data_storage_gb" {
  description = "Cache data storage limit (GB)."
  type        = number
  default     = 1
}

variable "cache_max_ecpu_per_second" {
  description = "Cache ECPU/s limit."
  type        = number
  default     = 5000
}

# --- stores: sessions, cache, rate limits, idempotency keys ---
variable "sessions_backend" {
  description = "SESSIONS_BACKEND of the functions that list the sessions table: dynamodb (the sessions table, no VPC hop), database (PostgreSQL) or redis (the cache, needs cache_enabled). memory is refused: each Lambda instance would keep sessions of its own."
  type        = string
  default     = "dynamodb"

  validation {
    condition     = contains(["dynamodb", "database", "redis"], var.sessions_backend)
    error_message = "sessions_backend must be dynamodb, database or redis (memory does not survive across Lambda instances)."
  }

  validation {
    condition     = var.sessions_backend != "redis" || var.cache_enabled
    error_message = "sessions_backend = redis needs the cache: set cache_enabled = true."
  }
}

variable "cache_backend" {
  description = "CACHE_BACKEND of the functions that list the cache table: dynamodb, redis (needs cache_enabled) or memory (per Lambda instance). null: redis with cache_enabled, else dynamodb."
  type        = string
  default     = null

  validation {
    condition     = var.cache_backend == null ? true : contains(["dynamodb", "redis", "memory"], var.cache_backend)
    error_message = "cache_backend must be dynamodb, redis, memory or null."
  }

  validation {
    condition     = var.cache_backend != "redis" || var.cache_enabled
    error_message = "cache_backend = redis needs the cache: set cache_enabled = true."
  }
}

variable "rate_limit_backend" {
  description = "RATE_LIMIT_BACKEND of the functions that list the rate_limits table: dynamodb, redis (needs cache_enabled) or memory (a separate count per Lambda instance, so limits multiply with concurrency)."
  type        = string
  default     = "dynamodb"

  validation {
    condition     = contains(["dynamodb", "redis", "memory"], var.rate_limit_backend)
    error_message = "rate_limit_backend must be dynamodb, redis or memory."
  }

  validation {
    condition     = var.rate_limit_backend != "redis" || var.cache_enabled
    error_message = "rate_limit_backend = redis needs the cache: set cache_enabled = true."
  }
}

variable "rate_limit_failure" {
  description = "RATE_LIMIT_FAILURE: what a request gets when the rate-limit store fails: open (let it through) or closed (refuse it)."
  type        = string
  default     = "open"

  validation {
    condition     = contains(["open", "closed"], var.rate_limit_failure)
    error_message = "rate_limit_failure must be open or closed."
  }
}

variable "idempotency_backend" {
  description = "IDEMPOTENCY_BACKEND of the functions that list the idempotency table: dynamodb or redis (needs cache_enabled). memory is refused: a retry reaching another Lambda instance would run twice."
  type        = string
  default     = "dynamodb"

  validation {
    condition     = contains(["dynamodb", "redis"], var.idempotency_backend)
    error_message = "idempotency_backend must be dynamodb or redis (memory does not survive across Lambda instances)."
  }

  validation {
    condition     = var.idempotency_backend != "redis" || var.cache_enabled
    error_message = "idempotency_backend = redis needs the cache: set cache_enabled = true."
  }
}

# --- functions ---
variable "function_memory_mb" {
  description = "Memory per function (MB)."
  type        = number
  default     = 256
}

variable "function_timeout_seconds" {
  description = "Timeout of API functions (s)."
  type        = number
  default     = 10
}

variable "function_reserved_concurrency" {
  description = "Reserved concurrency per function (-1 for unreserved)."
  type        = number
}

variable "sqs_max_concurrency" {
  description = "Max concurrency of each SQS event source mapping."
  type        = number
  default     = 5
}

variable "session_ttl_seconds" {
  description = "Session lifetime (SESSION_TTL_SECONDS)."
  type        = number
  default     = 604800
}

variable "log_level" {
  description = "RUST_LOG."
  type        = string
  default     = "info"
}

variable "tracing_mode" {
  description = "X-Ray tracing mode (Active or PassThrough)."
  type        = string
  default     = "Active"
}

variable "log_retention_days" {
  description = "Retention of every log group (days)."
  type        = number
  default     = 30
}

variable "metrics_namespace" {
  description = "EMF namespace (METRICS_NAMESPACE); default Saas/<environment>."
  type        = string
  default     = null
}

# --- mail (the functions with mail = true: the jobs worker) ---
variable "mail_from" {
  description = "Sender address of the platform's mail (MAIL_FROM), on a domain the mail service may send for."
  type        = string
  default     = "no-reply@example.com"
  nullable    = false

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.mail_from))
    error_message = "mail_from must be an e-mail address."
  }
}

variable "app_name" {
  description = "Product name in mails (APP_NAME), also the sender's display name."
  type        = string
  default     = "SaaS"
  nullable    = false
}

variable "app_base_url" {
  description = "Public URL that links in mails point to (APP_BASE_URL); null: the CloudFront URL, or the API's invoke URL without the CDN."
  type        = string
  default     = null
}

variable "smtp" {
  description = <<-EOT
    SMTP server for mail (SMTP_HOST, SMTP_PORT, SMTP_TLS, SMTP_USERNAME, SMTP_PASSWORD); null
    leaves SMTP unset. tls is starttls, implicit or none; without a port the worker uses 465
    with implicit TLS, 587 otherwise. The password ends up in the function's KMS-encrypted
    environment and in the state: pass it as TF_VAR_smtp, never in a file. ses (the function's
    role instead of a password) is the alternative; the two exclude each other.
  EOT
  type = object({
    host     = string
    port     = optional(number)
    tls      = optional(string, "starttls")
    username = optional(string)
    password = optional(string)
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.smtp == null ? true : contains(["starttls", "implicit", "none"], var.smtp.tls) && (var.smtp.port == null ? true : var.smtp.port > 0 && var.smtp.port < 65536) && trimspace(var.smtp.host) != ""
    error_message = "smtp needs a host, tls one of starttls, implicit or none, and a port (if any) in 1-65535."
  }
}

variable "ses" {
  description = <<-EOT
    Amazon SES for mail (MAIL_TRANSPORT=ses): identity is a domain or one e-mail address,
    verified in SES and the only sender the functions may use; configuration_set names a
    configuration set to create and send through (SES_CONFIGURATION_SET). mail_from must be on
    the identity. null leaves SES out. Excludes smtp.
  EOT
  type = object({
    identity          = string
    configuration_set = optional(string)
  })
  default = null

  validation {
    condition     = var.ses == null ? true : can(regex("^([^@\\s]+@)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.ses.identity))
    error_message = "ses.identity must be a lower-case domain (example.com) or an e-mail address (no-reply@example.com)."
  }

  validation {
    condition     = var.ses == null ? true : (var.ses.configuration_set == null ? true : can(regex("^[A-Za-z0-9_-]{1,64}$", var.ses.configuration_set)))
    error_message = "ses.configuration_set must be 1-64 letters, digits, '_' or '-'."
  }

  # SES only sends from a verified identity: a domain covers every address at it, an address
  # only itself.
  validation {
    condition = var.ses == null ? true : (
      strcontains(var.ses.identity, "@")
      ? lower(var.mail_from) == lower(var.ses.identity)
      : lower(element(split("@", var.mail_from), 1)) == lower(var.ses.identity)
    )
    error_message = "mail_from (${var.mail_from}) is not on the SES identity ${try(var.ses.identity, "")}: SES sends only from a verified identity, so set mail_from to ${try(strcontains(var.ses.identity, "@") ? var.ses.identity : "an address @${var.ses.identity}", "")}."
  }

  validation {
    condition     = var.ses == null ? true : nonsensitive(var.smtp == null)
    error_message = "ses and smtp are both set: choose one mail transport (with ses, unset TF_VAR_smtp)."
  }
}

# --- api and cdn ---
variable "api_stage_name" {
  description = "API Gateway stage name."
  type        = string
  default     = "api"
}

variable "api_throttling_burst_limit" {
  description = "API burst limit."
  type        = number
}

variable "api_throttling_rate_limit" {
  description = "API steady rate limit (requests/s)."
  type        = number
}

variable "cdn_enabled" {
  description = "CloudFront and the static-asset bucket."
  type        = bool
  default     = true
}

variable "origin_verify_secret_version" {
  description = "Generation of the origin secret (X-Origin-Verify, ORIGIN_VERIFY_SECRET); any change generates a new secret for CloudFront and the API functions in one apply. Only with cdn_enabled."
  type        = number
  default     = 1
}

variable "cors_allowed_origins" {
  description = "Origins (scheme://host[:port]) browsers may call the API from (CORS_ALLOWED_ORIGINS, comma-separated); null: the origin of app_base_url when set, else none."
  type        = list(string)
  default     = null

  validation {
    condition     = var.cors_allowed_origins == null ? true : alltrue([for o in var.cors_allowed_origins : can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]+)?$", o))])
    error_message = "Each of cors_allowed_origins must be an origin: http(s)://host with an optional port, no path, no trailing slash."
  }
}

variable "inbound_webhook_secret" {
  description = "The Standard Webhooks secret (whsec_ and the base64 of 24 to 64 bytes) providers sign the events they POST to /v1/webhooks/inbound with: INBOUND_WEBHOOK_SECRET of the function that serves that route. null: the route answers 404. It ends up in that function's KMS-encrypted environment and in the state: pass it as TF_VAR_inbound_webhook_secret, never in a file."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition = var.inbound_webhook_secret == null ? true : (
      can(regex("^whsec_([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", var.inbound_webhook_secret)) &&
      # The key's length in bytes: 3 per 4 characters of base64, less the padding.
      (length(var.inbound_webhook_secret) - 6) / 4 * 3 - length(regexall("=", var.inbound_webhook_secret)) >= 24 &&
      (length(var.inbound_webhook_secret) - 6) / 4 * 3 - length(regexall("=", var.inbound_webhook_secret)) <= 64
    )
    error_message = "inbound_webhook_secret must be whsec_ followed by the standard base64 of 24 to 64 bytes (the value is not shown here)."
  }
}

variable "cdn_price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"
}

# --- observability ---
variable "alarms_enabled" {
  description = "CloudWatch alarms."
  type        = bool
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "api_p99_latency_ms" {
  description = "API p99 latency alarm threshold (ms)."
  type        = number
  default     = 1000
}

variable "queue_oldest_message_age_seconds" {
  description = "Alarm when a queue's oldest message is older than this (s): its worker is stuck or too slow."
  type        = number
  default     = 900
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before the KMS key is deleted."
  type        = number
  default     = 30
}
