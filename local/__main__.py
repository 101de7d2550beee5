"""`python -m local`: run Vitrine on this machine (what `make dev` starts)."""

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from local.embedded_aws.server import EmbeddedAwsFailed, PortTaken
from local.ivs import LocalIvsError
from local.runtime import LocalRuntime, RuntimeOptions, describe


def parse_options(argv: list[str]) -> RuntimeOptions:
    defaults = RuntimeOptions()
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port, help="gateway port")
    parser.add_argument("--aws-port", type=int, default=defaults.aws_port, help="embedded AWS")
    parser.add_argument("--rtmp-port", type=int, default=defaults.rtmp_port)
    parser.add_argument(
        "--rtmp-host", default=defaults.rtmp_host, help="0.0.0.0 to take a phone on your network"
    )
    parser.add_argument(
        "--source",
        choices=("testpattern", "rtmp"),
        default=defaults.source,
        help="what the local channel broadcasts: a test pattern, or what OBS sends by RTMP",
    )
    parser.add_argument("--template", type=Path, default=defaults.template)
    parser.add_argument("--web-dir", type=Path, default=defaults.web_dir)
    parser.add_argument("--work-dir", type=Path, default=defaults.work_dir)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=defaults.concurrency,
        help="execution environments per function (a reserved concurrency caps it)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print the functions' full output (Powertools logs, EMF), not one line each",
    )
    args = parser.parse_args(argv)
    return RuntimeOptions(**{k.replace("-", "_"): v for k, v in vars(args).items()})


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("vitrine").setLevel(logging.INFO)  # ours; botocore & moto stay quiet
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request log
    options = parse_options(sys.argv[1:] if argv is None else argv)
    runtime = LocalRuntime(options)
    try:
        runtime.start()
        app = runtime.gateway()
    except (PortTaken, EmbeddedAwsFailed, FileNotFoundError, LocalIvsError) as error:
        runtime.stop()
        print(f"vitrine: {error}", file=sys.stderr)
        return 2
    except BaseException:
        runtime.stop()  # the stream's recording is finalized even when start-up fails
        raise

    import uvicorn

    async def start_triggers_once_serving() -> None:
        # Triggered functions and workflows call the gateway's APIs: it must listen first.
        while not server.started:
            await asyncio.sleep(0.05)
        try:
            await asyncio.to_thread(runtime.start_triggers)
        except Exception:
            logging.getLogger("vitrine.local").exception("the triggers did not start")
            server.should_exit = True  # a runtime without its triggers would mislead
            return
        print(describe(runtime), flush=True)

    @contextlib.asynccontextmanager
    async def announce(_: object) -> AsyncIterator[None]:
        runtime.loop = asyncio.get_running_loop()
        starting = asyncio.create_task(start_triggers_once_serving())
        yield
        starting.cancel()

    app.router.lifespan_context = announce
    server = uvicorn.Server(
        uvicorn.Config(app, host=options.host, port=options.port, log_level="warning")
    )
    try:
        server.run()  # closes connections on Ctrl-C / SIGTERM, then re-raises the interrupt
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a developer stops `make dev`: a clean stop, not an error
    finally:
        # A second Ctrl-C (or the one `uv run` forwards) must not cut the stop short: the
        # recording is being finalized into S3.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        runtime.stop()
        print("Vitrine stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
