"""`python -m bench`: run every benchmark and write its report under bench/results/."""

from bench import importtime

if __name__ == "__main__":
    importtime.main()
