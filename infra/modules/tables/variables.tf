variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "tables" {
  description = "Tables by key (\"rate_limits\" becomes <name>-rate-limits, read from RATE_LIMITS_TABLE). Keys are strings; TTL is epoch seconds."
  type = map(object({
    hash_key      = optional(string, "pk")
    range_key     = optional(string)
    ttl_attribute = optional(string, "expires_at")
  }))
  default = {
    sessions    = {}
    rate_limits = {}
    idempotency = {}
    cache       = {}
  }
}

variable "point_in_time_recovery" {
  description = "Continuous backups (PITR); on in prod."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the tables (prod)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for server-side encryption."
  type        = string
}
