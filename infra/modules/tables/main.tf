# Key-value tables for sessions, rate limits, idempotency keys and cached results: on-demand,
# expiring items through TTL, encrypted with the environment's key. A table may declare global
# secondary indexes (on-demand like the table); the sessions table has one, by_user, through
# which all of a user's sessions are found and deleted.
locals {
  # Every attribute a key schema names, the table's and its indexes', once each with its type.
  attributes = {
    for k, t in var.tables : k => merge(
      { (t.hash_key) = "S" },
      t.range_key == null ? {} : { (t.range_key) = "S" },
      merge([
        for i in values(t.global_secondary_indexes) : merge(
          { (i.hash_key) = i.hash_key_type },
          i.range_key == null ? {} : { (i.range_key) = i.range_key_type },
        )
      ]...),
    )
  }
}

resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_28:PITR is a variable: on in prod and local, off in dev where the data is disposable
  for_each = var.tables

  name                        = "${var.name}-${replace(each.key, "_", "-")}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = local.attributes[each.key]
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = each.value.global_secondary_indexes
    content {
      name               = global_secondary_index.key
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.projection_type == "INCLUDE" ? global_secondary_index.value.non_key_attributes : null
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
