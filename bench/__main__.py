"""`python -m bench [NAME ...]`: run the benchmarks (all, or those named) and write each report
under bench/results/. A benchmark is a module of bench/ with a `main()`: add it to BENCHMARKS."""

import sys

from bench import commerce, gateway, importtime, local_runtime, realtime

BENCHMARKS = {
    module.__name__.rpartition(".")[2]: module.main
    for module in (importtime, local_runtime, gateway, realtime, commerce)
}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHMARKS)
    if unknown := [name for name in names if name not in BENCHMARKS]:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        BENCHMARKS[name]()
