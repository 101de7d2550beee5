"""The IAM guard in a worker-like process against the embedded AWS: a role allowed PutItem on
table A only writes to A, and both boto3 and pynamodb are refused on B before anything is sent.

The guard patches botocore for the whole process, so it runs in a child process, as it does in
the local runtime's function workers; the role is shipped to it as JSON, as the pool does."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest

from local.iam.evaluation import Statement
from local.iam.policies import RolePolicy

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
ACCOUNT = "123456789012"

WORKER = """
import json, sys
import boto3
from botocore.exceptions import ClientError
from local.iam.guard import install_guard
from local.iam.policies import RolePolicy

install_guard(RolePolicy.from_json(sys.stdin.read()), region="us-east-1", account="123456789012")
table_a, table_b = sys.argv[1:3]
# Imported after the guard, as a handler module is: pynamodb builds its own botocore client.
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

class Viewer(Model):
    class Meta:
        table_name = table_b
        region = "us-east-1"
    pk = UnicodeAttribute(hash_key=True)

results = {}
dynamodb = boto3.client("dynamodb", region_name="us-east-1")
dynamodb.put_item(TableName=table_a, Item={"pk": {"S": "boto3"}})
results["a"] = "written"
try:
    dynamodb.put_item(TableName=table_b, Item={"pk": {"S": "boto3"}})
except ClientError as error:
    results["b"] = error.response["Error"]
try:
    Viewer(pk="pynamodb").save()
except PutError as error:
    code, message = error.cause_response_code, error.cause_response_message
    results["pynamodb"] = {"Code": code, "Message": message}
print(json.dumps(results))
"""


def create_table(dynamodb, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_role_allows_table_a_and_refuses_table_b(aws_endpoint):
    dynamodb = boto3.client("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    table_a, table_b = (f"iam-guard-{side}-{uuid.uuid4().hex[:8]}" for side in "ab")
    create_table(dynamodb, table_a)
    create_table(dynamodb, table_b)
    role = RolePolicy(
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/VitrineStack-ViewerRole",
        function_name="VitrineStack-Viewer",
        statements=(
            Statement.from_document(
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:PutItem",
                    "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table_a}",
                }
            ),
        ),
    )
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, table_a, table_b],
        input=role.to_json(),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ | {"AWS_ENDPOINT_URL": aws_endpoint, "AWS_DEFAULT_REGION": "us-east-1"},
        timeout=60,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr
    results = json.loads(worker.stdout)
    expected = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/VitrineStack-ViewerRole/VitrineStack-Viewer"
        " is not authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table_b} because no identity-based policy"
        " allows the dynamodb:PutItem action"
    )
    assert results["a"] == "written"
    assert results["b"] == {"Code": "AccessDeniedException", "Message": expected}
    assert results["pynamodb"] == {"Code": "AccessDeniedException", "Message": expected}
    # The refused writes never reached the embedded AWS; the allowed one did.
    assert dynamodb.scan(TableName=table_b)["Items"] == []
    assert dynamodb.scan(TableName=table_a)["Items"] == [{"pk": {"S": "boto3"}}]
    assert "refused: dynamodb:PutItem" in worker.stderr  # the warning in the local log
