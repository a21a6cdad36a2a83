variable "name" {
  description = "Name prefix, e.g. saas-prod."
  type        = string
}

variable "api_domain_name" {
  description = "execute-api host of the HTTP API."
  type        = string
}

variable "api_stage_name" {
  description = "API stage; CloudFront adds it as the origin path so public paths stay /v1/..."
  type        = string
}

variable "origin_verify_secret" {
  description = "Value of the X-Origin-Verify header CloudFront adds to every request to the API origin; the API functions get it as ORIGIN_VERIFY_SECRET and refuse requests without it."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.origin_verify_secret) >= 32
    error_message = "origin_verify_secret must be at least 32 characters."
  }
}

variable "api_paths" {
  description = "Path patterns sent to the API uncached."
  type        = list(string)
  default     = ["/v1/*", "/openapi.json"]
}

variable "cacheable_api_paths" {
  description = "API path patterns cached as the API's Cache-Control says (matched before api_paths)."
  type        = list(string)
  default     = ["/v1/plans"]
}

variable "price_class" {
  description = "CloudFront price class (PriceClass_100: North America and Europe edges)."
  type        = string
  default     = "PriceClass_100"
}

variable "content_security_policy" {
  description = "Content-Security-Policy sent when the origin sets none."
  type        = string
  default     = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
}

variable "access_logs_bucket" {
  description = "Bucket domain (<bucket>.s3.amazonaws.com, ACLs enabled) for CloudFront access logs; null for none."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy delete a non-empty asset bucket (dev)."
  type        = bool
  default     = false
}
