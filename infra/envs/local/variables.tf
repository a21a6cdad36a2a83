variable "moto_endpoint" {
  description = "moto_server URL."
  type        = string
  default     = "http://127.0.0.1:5000"
}

variable "artifacts_dir" {
  description = "Directory with <binary>/bootstrap.zip: the real zips, or the placeholders infra-check builds."
  type        = string
}

variable "app_database_role" {
  description = "PostgreSQL role the functions connect as (DML only); scripts/deploy bootstraps it with APP_DATABASE_ROLE, which must name the same role."
  type        = string
  default     = "saas_app"
}
