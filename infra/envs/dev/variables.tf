variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "artifacts_dir" {
  description = "Where cargo lambda put the zips; default <repo>/target/lambda."
  type        = string
  default     = null
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "mail_from" {
  description = "Sender address of the platform's mail (MAIL_FROM); null: no-reply@example.com."
  type        = string
  default     = null
}

variable "app_name" {
  description = "Product name in mails (APP_NAME); null: SaaS."
  type        = string
  default     = null
}

variable "app_base_url" {
  description = "URL that links in mails point to (APP_BASE_URL), e.g. a custom domain; null: the CloudFront URL."
  type        = string
  default     = null
}

variable "smtp" {
  description = "SMTP server for mail, the alternative to ses (not both); null leaves SMTP unset (without ses, mail does not go out). Pass it as TF_VAR_smtp='{host=\"...\",username=\"...\",password=\"...\"}', never in a file: the password is sensitive."
  type = object({
    host     = string
    port     = optional(number)
    tls      = optional(string, "starttls")
    username = optional(string)
    password = optional(string)
  })
  default   = null
  sensitive = true
}

variable "ses" {
  description = "Amazon SES for mail: { identity = \"example.com\" (a domain, or one address), configuration_set = \"name\" (optional) }; mail_from must be on the identity. null: no SES. Excludes smtp."
  type = object({
    identity          = string
    configuration_set = optional(string)
  })
  default = null
}

variable "cors_allowed_origins" {
  description = "Origins browsers may call the API from (CORS_ALLOWED_ORIGINS), e.g. [\"https://app.example.com\"]; null: the origin of app_base_url when set, else none."
  type        = list(string)
  default     = null
}

variable "rate_limit_failure" {
  description = "RATE_LIMIT_FAILURE: open lets requests through when the rate-limit table fails, closed refuses them."
  type        = string
  default     = "open"
}

variable "origin_verify_secret_version" {
  description = "Change (e.g. 1 -> 2) to rotate the origin secret CloudFront sends as X-Origin-Verify and the API functions check (ORIGIN_VERIFY_SECRET)."
  type        = number
  default     = 1
}

variable "app_database_role" {
  description = "PostgreSQL role the functions connect as (DML only); scripts/deploy bootstraps it with APP_DATABASE_ROLE, which must name the same role."
  type        = string
  default     = "saas_app"
}

variable "db_shards" {
  description = "Tenant shards: { s1 = {}, s2 = { max_capacity = 32 } }, one Aurora cluster each (with its proxy where the environment has one), sized as the home cluster unless min_capacity, max_capacity or reader_count say otherwise. scripts/deploy migrates each before the functions get it (DATABASE_SHARDS). {}: none."
  type = map(object({
    min_capacity = optional(number)
    max_capacity = optional(number)
    reader_count = optional(number)
  }))
  default  = {}
  nullable = false
}

variable "db_shards_open" {
  description = "Shards new tenants are placed on (DATABASE_SHARDS_OPEN), e.g. [\"s2\"] to fill a new shard; main is the home database. null: every shard and main."
  type        = list(string)
  default     = null
}

variable "inbound_webhook_secret" {
  description = "Standard Webhooks secret (whsec_...) that providers sign the events they POST to /v1/webhooks/inbound with (INBOUND_WEBHOOK_SECRET); null: the route answers 404. Pass it as TF_VAR_inbound_webhook_secret, never in a file."
  type        = string
  default     = null
  sensitive   = true
}
