variable "name" {
  description = "Cluster identifier and name prefix, e.g. saas-prod."
  type        = string
}

variable "engine_version" {
  description = "Aurora PostgreSQL version; 0 ACU auto-pause needs 16.3+ (or 15.7+, 14.12+, 13.15+)."
  type        = string
  default     = "16.6"
}

variable "parameter_group_family" {
  description = "Cluster parameter group family matching engine_version."
  type        = string
  default     = "aurora-postgresql16"
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "saas"
}

variable "master_username" {
  description = "Master user; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "saas_admin"
}

variable "app_username" {
  description = "The application role the functions connect as: DML only, created by `migrate --bootstrap-app-role` (APP_DATABASE_ROLE in scripts/deploy). The master user only migrates."
  type        = string
  default     = "saas_app"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.app_username))
    error_message = "app_username must be a plain PostgreSQL role name: lowercase letters, digits and underscores, at most 63, not starting with a digit."
  }
}

variable "min_capacity" {
  description = "Minimum Aurora capacity units; 0 lets the cluster auto-pause (not with the proxy)."
  type        = number

  validation {
    condition     = var.min_capacity >= 0 && var.min_capacity <= 256
    error_message = "min_capacity must be between 0 and 256 ACU."
  }
}

variable "max_capacity" {
  description = "Maximum Aurora capacity units (1 ACU is about 2 GiB of memory)."
  type        = number

  validation {
    condition     = var.max_capacity >= 1 && var.max_capacity <= 256
    error_message = "max_capacity must be between 1 and 256 ACU."
  }
}

variable "seconds_until_auto_pause" {
  description = "Idle seconds before a 0 ACU cluster pauses (300-86400)."
  type        = number
  default     = 900
}

variable "idle_session_timeout_ms" {
  description = "With min_capacity 0: idle sessions are closed after this, so the cluster can pause."
  type        = number
  default     = 300000
}

variable "reader_count" {
  description = "Number of Aurora Serverless v2 readers."
  type        = number
  default     = 0
}

variable "proxy_enabled" {
  description = "Put an RDS Proxy (TLS and IAM auth required) in front of the cluster; it logs in to the cluster as app_username with the password of that role's secret."
  type        = bool
}

variable "proxy_reader_endpoint" {
  description = "Give the proxy a read-only endpoint for the readers (DATABASE_READ_URL)."
  type        = bool
  default     = true
}

variable "proxy_iam_auth" {
  description = "Require IAM authentication at the proxy (clients connect with an rds-db:connect token); false: with the password of the application role's secret."
  type        = bool
  default     = true
}

variable "proxy_idle_client_timeout" {
  description = "Seconds an idle client connection to the proxy lives."
  type        = number
  default     = 1800
}

variable "proxy_max_connections_percent" {
  description = "Share of the database's max_connections the proxy may use."
  type        = number
  default     = 90
}

variable "backup_retention_days" {
  description = "Days of continuous backup (point-in-time restore)."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster (prod)."
  type        = bool
  default     = true
}

variable "final_snapshot" {
  description = "Take a final snapshot when the cluster is destroyed."
  type        = bool
  default     = true
}

variable "performance_insights" {
  description = "Enable Performance Insights (7 days of history are free)."
  type        = bool
  default     = true
}

variable "enhanced_monitoring_interval" {
  description = "Enhanced monitoring interval in seconds; 0 turns it off."
  type        = number
  default     = 0
}

variable "slow_query_ms" {
  description = "log_min_duration_statement: queries slower than this are logged."
  type        = number
  default     = 500
}

variable "subnet_ids" {
  description = "Private subnets in at least two AZs."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the cluster."
  type        = list(string)
}

variable "proxy_security_group_ids" {
  description = "Security groups of the proxy."
  type        = list(string)
  default     = []
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL log."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key for storage, the master and application secrets, and Performance Insights."
  type        = string
}
