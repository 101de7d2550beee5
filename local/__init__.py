"""The local runtime behind `make dev`: the whole platform on one machine, no AWS, no Docker.

It reads the synthesized template (`cdk.out/`) and imports nothing of `infra/`. Each folder is
named after the AWS part it stands in for (docs/architecture.md has the whole map):

- cloudformation/: reads the template and resolves its intrinsic functions;
- embedded_aws/: moto in server mode, provisioned from the template;
- apigateway/: the local gateway (REST API, WebSocket API, @connections) and web/;
- awslambda/: functions run as Lambda runs them (a worker process per environment);
- ivs/: the stand-in for Amazon IVS (ffmpeg live HLS, recordings in IVS's S3 layout);
- seed.py: the demo show and the staff users;
- runtime.py / __main__.py: starts all of it, and stops it cleanly on Ctrl-C."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
