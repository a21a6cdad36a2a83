output "tables" {
  description = "Tables by key: name, arn, key schema, TTL attribute, and the global secondary indexes by name (hash_key, range_key, projection_type)."
  value = {
    for k, t in aws_dynamodb_table.this : k => {
      name          = t.name
      arn           = t.arn
      hash_key      = t.hash_key
      range_key     = t.range_key
      ttl_attribute = var.tables[k].ttl_attribute
      indexes = {
        for name, i in var.tables[k].global_secondary_indexes : name => {
          hash_key        = i.hash_key
          range_key       = i.range_key
          projection_type = i.projection_type
        }
      }
    }
  }
}
