"""Replay domain: the Step Functions workflow that turns a recording into a shoppable,
chaptered replay (one small handler per state).

It starts from IVS's "Recording End" event; locally the IVS stand-in (local/ivs/) writes
recordings in IVS's S3 layout and emits that event, so the same workflow will run on them."""
