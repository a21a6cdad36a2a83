variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Days a scheduled key deletion waits (7-30)."
  type        = number
  default     = 30
}
