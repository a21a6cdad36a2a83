output "identity" {
  description = "The SES identity (domain or address)."
  value       = aws_sesv2_email_identity.this.email_identity
}

output "identity_type" {
  description = "DOMAIN or EMAIL_ADDRESS."
  value       = local.is_domain ? "DOMAIN" : "EMAIL_ADDRESS"
}

output "identity_arn" {
  description = "ARN of the identity."
  value       = local.identity_arn
}

output "configuration_set" {
  description = "Name of the configuration set (null without one)."
  value       = var.configuration_set == null ? null : aws_sesv2_configuration_set.this[0].configuration_set_name
}

output "configuration_set_arn" {
  description = "ARN of the configuration set (null without one)."
  value       = local.configuration_set_arn
}

output "send_resource_arns" {
  description = "What ses:SendEmail must be allowed on: the identity and, with one, the configuration set."
  value       = compact([local.identity_arn, local.configuration_set_arn])
}

output "dkim_tokens" {
  description = "Easy DKIM tokens of a domain identity (empty for an address)."
  value       = local.dkim_tokens
}

output "dkim_records" {
  description = "The CNAME records that verify a domain identity and let SES sign its mail with DKIM."
  value = [
    for t in local.dkim_tokens : {
      name  = "${t}._domainkey.${var.identity}"
      type  = "CNAME"
      value = "${t}.dkim.amazonses.com"
    }
  ]
}

output "environment" {
  description = "Environment of the functions that send mail: MAIL_TRANSPORT=ses and, with one, SES_CONFIGURATION_SET."
  value = merge(
    { MAIL_TRANSPORT = "ses" },
    var.configuration_set == null ? {} : { SES_CONFIGURATION_SET = aws_sesv2_configuration_set.this[0].configuration_set_name },
  )
}
