variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "cidr_block" {
  description = "VPC CIDR; private and egress subnets are /20s carved from it, public subnets /24s of its last /20."
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

variable "db_proxy_enabled" {
  description = "The functions reach the database through RDS Proxy: their groups get PostgreSQL to the proxy only, and the cluster admits the proxy (and the migrations group), not them."
  type        = bool
}

variable "nat" {
  description = "Internet egress for the functions that need it: none (no internet path at all), single (one NAT gateway, in the first AZ) or per_az (one NAT gateway per AZ). Anything but none adds an internet gateway, public subnets for the NAT gateways, egress subnets routed through them and the egress security group."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "single", "per_az"], var.nat)
    error_message = "nat must be none, single or per_az."
  }
}

variable "internet_ports" {
  description = "TCP ports the egress security group opens to 0.0.0.0/0: HTTPS (webhooks, APIs) and SMTP submission (465 implicit TLS, 587 STARTTLS)."
  type        = list(number)
  default     = [443, 465, 587]

  validation {
    condition     = alltrue([for p in var.internet_ports : p > 0 && p < 65536 && floor(p) == p])
    error_message = "internet_ports must be TCP ports (1-65535)."
  }
}
