output "functions" {
  description = "Functions by binary name: name, arn, invoke_arn, log group, and what the catalog entry gives them (routes, triggers, queues, tables, database, mail), and whether it runs with internet egress."
  value = {
    for k, f in aws_lambda_function.this : k => {
      name                = f.function_name
      arn                 = f.arn
      invoke_arn          = f.invoke_arn
      log_group           = aws_cloudwatch_log_group.this[k].name
      routes              = var.functions[k].routes
      schedule_expression = var.functions[k].schedule_expression
      sqs_queue           = var.functions[k].sqs_queue
      send_queues         = var.functions[k].send_queues
      tables              = var.functions[k].tables
      database            = var.functions[k].database
      mail                = var.functions[k].mail
      internet            = local.settings[k].internet
    }
  }
}

output "environment" {
  description = "Each function's environment by binary name: names, the names of all its variables; settings, the values of its store settings (SESSIONS_BACKEND, CACHE_BACKEND...), CORS_ALLOWED_ORIGINS, DATABASE_IAM_AUTH and DATABASE_SHARDS_OPEN. Other values (secrets, URLs of resources not yet created) are left out."
  value = {
    for k, e in local.environment : k => {
      names    = sort([for n, v in e : n])
      settings = { for n, v in e : n => v if contains(local.public_settings, n) }
    }
  }
}
