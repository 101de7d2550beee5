"""The local runtime behind `make dev`: the whole platform on one machine, no AWS, no Docker.

- template.py: reads the synthesized CloudFormation template (the one source of resources);
- embedded_aws.py: moto in server mode, provisioned from that template;
- lambdas.py: invokes the real Lambda handlers in-process with API Gateway's event shapes;
- gateway.py: REST API, WebSocket API with @connections, web/ and config.json over HTTP;
- ivs/: the local stand-in for Amazon IVS (ffmpeg live HLS, recordings in IVS's S3 layout);
- __main__.py: starts all of it and stops it cleanly on Ctrl-C."""
