variable "moto_endpoint" {
  description = "moto_server URL."
  type        = string
  default     = "http://127.0.0.1:5000"
}

variable "artifacts_dir" {
  description = "Directory with <binary>/bootstrap.zip: the real zips, or the placeholders infra-check builds."
  type        = string
}
