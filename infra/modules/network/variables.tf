variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "cidr_block" {
  description = "VPC CIDR; private subnets are /20s carved from it."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Number of AZs (private subnets). Aurora needs subnets in at least 2."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6
    error_message = "az_count must be between 2 and 6 (an Aurora subnet group needs 2 AZs)."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface endpoints (the functions have no other way out)."
  type        = list(string)
  default     = ["sqs", "secretsmanager"]
}

variable "endpoint_az_count" {
  description = "AZs that get an interface endpoint ENI; 1 saves money in dev, use az_count in prod."
  type        = number
  default     = 2
}

variable "flow_logs_enabled" {
  description = "Record rejected traffic with VPC flow logs."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the flow log group."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key for the flow log group."
  type        = string
}
