"""Field driver: boto3 makes an S3 client (region set, fixed dummy keys, no network)."""

import boto3
import botocore

client = boto3.client(
    "s3", region_name="us-east-1", aws_access_key_id="AKIAFIELDSUITE", aws_secret_access_key="field-secret"
)
print(type(client).__name__, client.meta.region_name, client.meta.endpoint_url)
operations = client.meta.service_model.operation_names
print(len(operations) > 50, operations[:5])
print(client.can_paginate("list_objects_v2"), sorted(client.waiter_names))
print(boto3.__version__, botocore.__version__)
