# local: the same platform module, applied to moto_server on 127.0.0.1 by scripts/infra-check.
# Left out because moto does not support them: CloudFront (cache and response-headers policies),
# ElastiCache Serverless, the proxy's read-only endpoint, the DLQ redrive_allow_policy (moto
# hangs on it) and the SES configuration set (moto's GetConfigurationSet answer does not decode).
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    apigatewayv2   = var.moto_endpoint
    cloudwatch     = var.moto_endpoint
    cloudwatchlogs = var.moto_endpoint
    dynamodb       = var.moto_endpoint
    ec2            = var.moto_endpoint
    events         = var.moto_endpoint
    iam            = var.moto_endpoint
    kms            = var.moto_endpoint
    lambda         = var.moto_endpoint
    rds            = var.moto_endpoint
    s3             = var.moto_endpoint
    secretsmanager = var.moto_endpoint
    sesv2          = var.moto_endpoint
    sns            = var.moto_endpoint
    sqs            = var.moto_endpoint
    sts            = var.moto_endpoint
  }
}

module "platform" {
  source = "../../modules/platform"

  environment   = "local"
  artifacts_dir = var.artifacts_dir

  db_min_capacity  = 0.5
  db_max_capacity  = 2
  db_reader_count  = 0 # each instance adds ~30 s to apply and to destroy on moto
  db_proxy_enabled = true
  # moto has no CreateDBProxyEndpoint: reads go to the cluster reader endpoint here.
  db_proxy_reader_endpoint = false

  # The functions sign IAM tokens for the application role at the proxy, as in prod.
  app_database_role = var.app_database_role

  deletion_protection           = false
  tables_point_in_time_recovery = true
  restrict_dlq_sources          = false
  kms_deletion_window_in_days   = 7

  function_reserved_concurrency = 5
  api_throttling_burst_limit    = 20
  api_throttling_rate_limit     = 10
  log_retention_days            = 7

  cdn_enabled   = false
  cache_enabled = false

  # moto creates the internet gateway, EIP, NAT gateway and routes: the worker's placement in
  # the egress subnets is read back.
  nat = "single"

  alarms_enabled = true

  # Every store in DynamoDB (moto has it, with the sessions table's by_user index), and a CORS
  # origin to read back. No CDN, so no origin secret: the API is called directly here.
  sessions_backend     = "dynamodb"
  rate_limit_backend   = "dynamodb"
  idempotency_backend  = "dynamodb"
  cors_allowed_origins = ["http://localhost:3000"]

  # SES with a domain of the reserved .test TLD: the identity, the worker's MAIL_TRANSPORT=ses
  # and its ses:SendEmail grant are read back. No configuration set: moto creates one but
  # answers GetConfigurationSet with a body the provider cannot decode. moto returns no DKIM
  # tokens either. APP_BASE_URL is the API's invoke URL here.
  mail_from = "no-reply@saas.test"
  ses = {
    identity = "saas.test"
  }
}
