"""IAM for the local runtime: each function's AWS calls are checked against its role's policies
from the synthesized template, so a call the deployed role would refuse fails locally too.

policies.py reads the role's grants, actions.py says what a botocore call needs, evaluation.py
is IAM's policy logic, and guard.py hooks botocore in a function's worker process."""
