output "api_id" {
  description = "HTTP API ID (CloudWatch dimension ApiId)."
  value       = aws_apigatewayv2_api.this.id
}

output "stage_name" {
  description = "Stage name (CloudWatch dimension Stage, CloudFront origin path)."
  value       = aws_apigatewayv2_stage.this.name
}

output "invoke_url" {
  description = "https://<id>.execute-api.<region>.amazonaws.com/<stage>"
  value       = aws_apigatewayv2_stage.this.invoke_url
}

output "domain_name" {
  description = "The execute-api host name (CloudFront origin)."
  value       = replace(aws_apigatewayv2_api.this.api_endpoint, "https://", "")
}

output "route_keys" {
  description = "Route keys, each mapped to its function's binary name."
  value       = local.routes
}
