terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 6.0"
    }
  }

  # Partial configuration: scripts/deploy passes bucket, key and region (TF_STATE_BUCKET).
  backend "s3" {}
}
