output "tables" {
  description = "Tables by key: name, arn, key schema and TTL attribute."
  value = {
    for k, t in aws_dynamodb_table.this : k => {
      name          = t.name
      arn           = t.arn
      hash_key      = t.hash_key
      range_key     = t.range_key
      ttl_attribute = var.tables[k].ttl_attribute
    }
  }
}
