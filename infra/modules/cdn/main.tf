# CloudFront in front of the static-asset bucket and the API:
#   /assets/*          hashed file names, cached for a year and marked immutable
#   /v1/plans          honours the Cache-Control the API sends
#   /v1/*, /openapi.json  never cached, every viewer header, cookie and query string forwarded
#   everything else    the bucket, honouring its object headers (index.html stays fresh)
# Requests to the API carry X-Origin-Verify, a secret the API functions check.
locals {
  api_origin    = "api"
  assets_origin = "assets"

  # AWS-managed policies have fixed, documented IDs in every account (no look-up needed).
  managed_caching_disabled               = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
  managed_all_viewer_except_host_headers = "b689b0a8-53d0-40ab-baf2-68738e2966ac" # Managed-AllViewerExceptHostHeader
}

resource "aws_cloudfront_cache_policy" "immutable" {
  name        = "${var.name}-immutable-assets"
  comment     = "Hashed static assets: one year, whatever the origin says"
  min_ttl     = 31536000
  default_ttl = 31536000
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# min 0 and default 0: only responses whose own Cache-Control allows it are cached.
resource "aws_cloudfront_cache_policy" "origin_headers" {
  name        = "${var.name}-origin-headers"
  comment     = "Cache exactly as long as the origin's Cache-Control says"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 86400

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name    = "${var.name}-security-headers"
  comment = "Security headers on every response"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
    content_security_policy {
      content_security_policy = var.content_security_policy
      override                = false
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "immutable" {
  name    = "${var.name}-immutable-assets"
  comment = "Security headers plus Cache-Control immutable for hashed assets"

  custom_headers_config {
    items {
      header   = "Cache-Control"
      value    = "public, max-age=31536000, immutable"
      override = true
    }
  }

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
  }
}

resource "aws_cloudfront_origin_access_control" "assets" {
  name                              = "${var.name}-assets"
  description                       = "CloudFront reads the asset bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_68:WAF is a cost decision (from $5/month + rules) left to ops; API Gateway throttling limits abuse
  #checkov:skip=CKV2_AWS_47:no WAF attached (see CKV_AWS_68)
  #checkov:skip=CKV_AWS_174:without a custom domain the default *.cloudfront.net certificate is used, whose TLS policy CloudFront fixes
  #checkov:skip=CKV2_AWS_42:a custom domain and ACM certificate are left to ops (they need a DNS zone)
  #checkov:skip=CKV_AWS_310:one origin per behaviour; no failover origin exists to point at
  #checkov:skip=CKV_AWS_374:a SaaS API serves every country; geo restriction is a business decision
  enabled             = true
  comment             = var.name
  price_class         = var.price_class
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  default_root_object = "index.html"

  origin {
    origin_id                = local.assets_origin
    domain_name              = aws_s3_bucket.assets.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.assets.id
  }

  origin {
    origin_id   = local.api_origin
    domain_name = var.api_domain_name
    origin_path = "/${var.api_stage_name}"

    # The API refuses requests without this header (ORIGIN_VERIFY_SECRET): the execute-api
    # endpoint called directly, around CloudFront's behaviours and headers, gets 403.
    custom_header {
      name  = "X-Origin-Verify"
      value = var.origin_verify_secret
    }

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id           = local.assets_origin
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.origin_headers.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  ordered_cache_behavior {
    path_pattern               = "/assets/*"
    target_origin_id           = local.assets_origin
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.immutable.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.immutable.id
  }

  dynamic "ordered_cache_behavior" {
    for_each = var.cacheable_api_paths
    content {
      path_pattern           = ordered_cache_behavior.value
      target_origin_id       = local.api_origin
      viewer_protocol_policy = "https-only"
      allowed_methods        = ["GET", "HEAD", "OPTIONS"]
      cached_methods         = ["GET", "HEAD"]
      compress               = true
      # No origin request policy: the API sees only what is in the cache key, so a cached
      # response can never depend on a cookie or header it was not keyed on.
      cache_policy_id            = aws_cloudfront_cache_policy.origin_headers.id
      response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    }
  }

  dynamic "ordered_cache_behavior" {
    for_each = var.api_paths
    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.api_origin
      viewer_protocol_policy     = "https-only"
      allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = local.managed_caching_disabled
      origin_request_policy_id   = local.managed_all_viewer_except_host_headers
      response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    }
  }

  dynamic "logging_config" {
    for_each = var.access_logs_bucket == null ? [] : [var.access_logs_bucket]
    content {
      bucket          = logging_config.value
      prefix          = "cloudfront/${var.name}/"
      include_cookies = false
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
