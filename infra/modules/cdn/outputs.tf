output "domain_name" {
  description = "The distribution's *.cloudfront.net name."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_id" {
  description = "Distribution ID (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "assets_bucket" {
  description = "Bucket to upload static assets to (hashed ones under assets/)."
  value       = aws_s3_bucket.assets.bucket
}
