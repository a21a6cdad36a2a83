# Amazon SES for the functions that send mail: the identity they send from (a domain, verified
# through the DKIM records that ops publish, or one address, verified by the link SES mails to
# it) and an optional configuration set. The functions send with their role's credentials
# (SESv2 SendEmail), so no password exists anywhere.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  is_domain = !strcontains(var.identity, "@")

  # SendEmail is authorized against these ARNs. They are built here rather than read from the
  # resources' `arn`, which the provider derives from the account id it looked up at start-up,
  # and which is empty when the provider skips that lookup (envs/local).
  arn_prefix            = "arn:${data.aws_partition.current.partition}:ses:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  identity_arn          = "${local.arn_prefix}:identity/${aws_sesv2_email_identity.this.email_identity}"
  configuration_set_arn = var.configuration_set == null ? null : "${local.arn_prefix}:configuration-set/${aws_sesv2_configuration_set.this[0].configuration_set_name}"

  # SES signs with Easy DKIM: one CNAME per token, <token>._domainkey.<domain> ->
  # <token>.dkim.amazonses.com. The domain is verified once they resolve. None for an address.
  dkim_tokens = local.is_domain ? try(aws_sesv2_email_identity.this.dkim_signing_attributes[0].tokens, []) : []
}

resource "aws_sesv2_configuration_set" "this" {
  count = var.configuration_set == null ? 0 : 1

  configuration_set_name = var.configuration_set

  # Deliver only over TLS to the recipient's mail server.
  delivery_options {
    tls_policy = "REQUIRE"
  }

  reputation_options {
    reputation_metrics_enabled = true
  }

  sending_options {
    sending_enabled = true
  }

  # Addresses that bounced or complained are not mailed again.
  suppression_options {
    suppressed_reasons = ["BOUNCE", "COMPLAINT"]
  }
}

resource "aws_sesv2_email_identity" "this" {
  email_identity = var.identity

  # The default configuration set of everything sent from this identity.
  configuration_set_name = var.configuration_set == null ? null : aws_sesv2_configuration_set.this[0].configuration_set_name
}
