# Edge protection: the API accepts only requests that came through CloudFront. CloudFront adds
# the header X-Origin-Verify to every request it sends to the API origin, and the HTTP
# functions, which get the same value as ORIGIN_VERIFY_SECRET, refuse (403) any request without
# it, such as a call to the execute-api endpoint itself. Without the CDN there is no secret and
# the variable is unset (the API is then reached directly, as in envs/local).
#
# The value: 64 letters and digits from Secrets Manager's password generator (GetRandomPassword,
# a data source of the aws provider, so no other provider is needed; it creates no secret and
# costs nothing). A data source is read again at every plan and returns a new password each
# time, so terraform_data keeps the first one (ignore_changes) and only a replacement takes a new
# one: bump origin_verify_secret_version (or `terraform apply -replace` the terraform_data) to
# rotate. The value lives in the state, like every secret Terraform passes to a resource.
data "aws_secretsmanager_random_password" "origin_verify" {
  count = var.cdn_enabled ? 1 : 0

  password_length     = 64
  exclude_punctuation = true
  include_space       = false
}

resource "terraform_data" "origin_verify" {
  count = var.cdn_enabled ? 1 : 0

  input            = sensitive(data.aws_secretsmanager_random_password.origin_verify[0].random_password)
  triggers_replace = [var.origin_verify_secret_version]

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  origin_verify_secret = var.cdn_enabled ? sensitive(terraform_data.origin_verify[0].output) : null

  # Browsers may call the API from these origins (CORS_ALLOWED_ORIGINS); by default the origin of
  # app_base_url when one is set (a custom domain), else none: the web app served by CloudFront
  # calls /v1 on its own origin, which needs no CORS.
  cors_allowed_origins = var.cors_allowed_origins != null ? var.cors_allowed_origins : (
    var.app_base_url == null ? [] : [regex("^https?://[^/]+", var.app_base_url)]
  )

  # What the HTTP functions (those with routes) get on top of the rest.
  http_environment = merge(
    { CORS_ALLOWED_ORIGINS = join(",", local.cors_allowed_origins) },
    var.cdn_enabled ? { ORIGIN_VERIFY_SECRET = local.origin_verify_secret } : {},
  )
}
