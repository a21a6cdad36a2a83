variable "identity" {
  description = "SES identity to verify and send from: a domain (every address at it may send) or one e-mail address."
  type        = string
}

variable "configuration_set" {
  description = "Name of the SES configuration set to create, make the identity's default and name in every send (SES_CONFIGURATION_SET); null: none."
  type        = string
  default     = null
}
