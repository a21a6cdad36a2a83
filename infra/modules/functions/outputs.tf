output "functions" {
  description = "Functions by binary name: name, arn, invoke_arn, routes, log group."
  value = {
    for k, f in aws_lambda_function.this : k => {
      name       = f.function_name
      arn        = f.arn
      invoke_arn = f.invoke_arn
      routes     = var.functions[k].routes
      log_group  = aws_cloudwatch_log_group.this[k].name
    }
  }
}
