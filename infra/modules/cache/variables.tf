variable "name" {
  description = "Cache name, e.g. saas-prod."
  type        = string
}

variable "engine" {
  description = "valkey (cheaper, minimum 100 MB billed) or redis (minimum 1 GB billed)."
  type        = string
  default     = "valkey"

  validation {
    condition     = contains(["valkey", "redis"], var.engine)
    error_message = "engine must be valkey or redis."
  }
}

variable "major_engine_version" {
  description = "Major engine version (valkey 8, redis 7)."
  type        = string
  default     = "8"
}

variable "max_data_storage_gb" {
  description = "Upper bound on stored data (GB); caps the bill."
  type        = number
  default     = 1
}

variable "max_ecpu_per_second" {
  description = "Upper bound on ElastiCache Processing Units per second; caps the bill."
  type        = number
  default     = 5000
}

variable "snapshot_retention_limit" {
  description = "Daily snapshots kept (0 turns them off: a cache can be rebuilt)."
  type        = number
  default     = 0
}

variable "subnet_ids" {
  description = "Private subnets."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the cache."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key for data at rest."
  type        = string
}
