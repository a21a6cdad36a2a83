# Key-value tables for sessions, rate limits, idempotency keys and cached results: on-demand,
# expiring items through TTL, encrypted with the environment's key.
resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_28:PITR is a variable: on in prod and local, off in dev where the data is disposable
  for_each = var.tables

  name                        = "${var.name}-${replace(each.key, "_", "-")}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = each.value.hash_key
    type = "S"
  }

  dynamic "attribute" {
    for_each = each.value.range_key == null ? [] : [each.value.range_key]
    content {
      name = attribute.value
      type = "S"
    }
  }

  ttl {
    attribute_name = each.value.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }
}
