variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "tables" {
  description = <<-EOT
    Tables by key ("rate_limits" becomes <name>-rate-limits, read from RATE_LIMITS_TABLE). Keys
    are strings; TTL is epoch seconds. global_secondary_indexes: indexes by name, each with a
    hash key (and optionally a range key) of type S, N or B and a projection (KEYS_ONLY by
    default; INCLUDE lists non_key_attributes). The sessions table's by_user index (hash key
    user_id, keys only) lists a user's sessions, for deleting them all at once.
  EOT
  type = map(object({
    hash_key      = optional(string, "pk")
    range_key     = optional(string)
    ttl_attribute = optional(string, "expires_at")
    global_secondary_indexes = optional(map(object({
      hash_key           = string
      hash_key_type      = optional(string, "S")
      range_key          = optional(string)
      range_key_type     = optional(string, "S")
      projection_type    = optional(string, "KEYS_ONLY")
      non_key_attributes = optional(list(string), [])
    })), {})
  }))
  default = {
    sessions = {
      global_secondary_indexes = {
        by_user = { hash_key = "user_id" }
      }
    }
    rate_limits = {}
    idempotency = {}
    cache       = {}
  }

  validation {
    condition = alltrue(flatten([
      for t in values(var.tables) : [
        for i in values(t.global_secondary_indexes) : [
          contains(["S", "N", "B"], i.hash_key_type),
          contains(["S", "N", "B"], i.range_key_type),
          contains(["KEYS_ONLY", "INCLUDE", "ALL"], i.projection_type),
          i.projection_type == "INCLUDE" ? length(i.non_key_attributes) > 0 : length(i.non_key_attributes) == 0,
        ]
      ]
    ]))
    error_message = "Each global secondary index needs key types S, N or B, a projection of KEYS_ONLY, INCLUDE (with non_key_attributes) or ALL (without)."
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
